//! Treat catcher: drag the pet along the bottom to catch falling treats and dodge the bath-time
//! things. The round lasts `round_seconds`; ending it with lives left wins. Difficulty sets how many
//! things fall (ramping up) and how fast.

use petpixel_game_runtime::{shade, Ending, Env, Fit, Gfx, Input, Play, Report};
use wasm_bindgen::prelude::*;

const LIVES: i64 = 3;
/// Of what falls, this share is a bath-time thing.
const BATH_SHARE: f64 = 0.3;
/// With golden treats on, this share of treats is golden (worth five).
const GOLDEN_SHARE: f64 = 0.08;

#[wasm_bindgen]
pub async fn start(manifest_url: String) -> Result<(), JsValue> {
    petpixel_game_runtime::run::<Catcher>(&manifest_url).await
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Treat,
    Golden,
    Bath,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Treat => "treat",
            Kind::Golden => "golden",
            Kind::Bath => "bath",
        }
    }
}

struct Item {
    /// Centre, as a share of the width; height fallen, in units of the short side.
    x: f64,
    y: f64,
    kind: Kind,
    spin: f64,
}

pub struct Catcher {
    /// The pet's centre and where it is heading, as shares of the width.
    x: f64,
    target: f64,
    dragging: bool,
    items: Vec<Item>,
    due: f64,
    caught: i64,
    lives: i64,
    hurt_at: f64,
}

impl Catcher {
    fn item_size(env: &Env) -> f64 {
        env.unit() * 0.1
    }

    /// The pet's box: x, top, w, h (pixels).
    fn pet(&self, env: &Env) -> (f64, f64, f64, f64) {
        let pw = env.unit() * 0.22;
        let aspect = env.image("hero").map_or(1.0, Gfx::aspect).clamp(0.6, 1.6);
        let ph = pw / aspect;
        (self.x * env.w - pw / 2.0, env.h * 0.96 - ph, pw, ph)
    }

    fn time_left(env: &Env) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let round = env.manifest.int("round_seconds", 60) as f64;
        (round - env.time).max(0.0)
    }

    fn spawn(&mut self, env: &mut Env) {
        let kind = if env.rng.chance(BATH_SHARE) {
            Kind::Bath
        } else if env.manifest.flag("golden_treats") && env.rng.chance(GOLDEN_SHARE) {
            Kind::Golden
        } else {
            Kind::Treat
        };
        let margin = Self::item_size(env) / env.w;
        let x = env.rng.range(margin, 1.0 - margin);
        self.items.push(Item { x, y: -0.1, kind, spin: env.rng.range(0.0, 6.0) });
    }

    fn draw_item(env: &Env, g: &Gfx, item: &Item, accent: &str) {
        let s = Self::item_size(env);
        let (cx, cy) = (item.x * env.w, item.y * env.unit());
        let slot = if item.kind == Kind::Bath { "bath_item" } else { "treat" };
        if item.kind == Kind::Golden {
            g.circle(cx, cy, s * 0.7, "rgba(255,215,0,0.55)");
        }
        if let Some(img) = env.image(slot) {
            g.image(img, cx - s / 2.0, cy - s / 2.0, s, s, Fit::Contain);
            return;
        }
        match item.kind {
            Kind::Treat | Kind::Golden => {
                // A bone.
                let colour = if item.kind == Kind::Golden { "#ffd700" } else { "#f5deb3" };
                g.round_rect(cx - s * 0.35, cy - s * 0.12, s * 0.7, s * 0.24, s * 0.1, colour);
                for (dx, dy) in [(-0.38, -0.12), (-0.38, 0.12), (0.38, -0.12), (0.38, 0.12)] {
                    g.circle(cx + dx * s, cy + dy * s, s * 0.14, colour);
                }
                g.circle(cx, cy, s * 0.05, &shade(accent, 0.8));
            }
            Kind::Bath => {
                // A bar of soap with bubbles.
                g.round_rect(cx - s * 0.4, cy - s * 0.22, s * 0.8, s * 0.44, s * 0.15, "#7fd6f5");
                g.round_rect(cx - s * 0.3, cy - s * 0.13, s * 0.6, s * 0.1, s * 0.05, "#c9f1ff");
                for (i, r) in [0.12, 0.09, 0.07].iter().enumerate() {
                    #[allow(clippy::cast_precision_loss)]
                    let a = item.spin + i as f64 * 2.1 + env.time * 2.0;
                    g.circle(cx + a.cos() * s * 0.45, cy - s * 0.35 + a.sin() * s * 0.1, s * r, "rgba(255,255,255,0.8)");
                }
            }
        }
    }
}

impl Play for Catcher {
    const PORTRAIT: &'static str = "hero";
    const HOW_TO: &'static str = "Drag (or use the arrow keys) to catch treats and dodge the soap";

    fn new(_env: &mut Env) -> Self {
        Catcher { x: 0.5, target: 0.5, dragging: false, items: Vec::new(), due: 0.0, caught: 0, lives: LIVES, hurt_at: f64::NEG_INFINITY }
    }

    fn input(&mut self, env: &mut Env, input: &Input) {
        match input {
            Input::Down(x, _) => {
                self.dragging = true;
                self.target = x / env.w;
            }
            Input::Move(x, _) if self.dragging => self.target = x / env.w,
            Input::Up(..) => self.dragging = false,
            Input::Key(code) if code == "ArrowLeft" || code == "KeyA" => self.target = (self.target - 0.15).max(0.0),
            Input::Key(code) if code == "ArrowRight" || code == "KeyD" => self.target = (self.target + 0.15).min(1.0),
            _ => {}
        }
        self.target = self.target.clamp(0.0, 1.0);
    }

    fn update(&mut self, env: &mut Env, dt: f64) -> Option<Ending> {
        let u = env.unit();
        // Follows the finger closely, but a jump across the screen still takes a moment.
        let max_step = 4.0 * u / env.w * dt;
        // min/max, not clamp: clamp's check would pull the float printer in.
        self.x += (self.target - self.x).min(max_step).max(-max_step);
        self.due += env.ramped("spawn_rate", 1.0) * dt;
        while self.due >= 1.0 {
            self.due -= 1.0;
            self.spawn(env);
        }
        let fall = env.manifest.float("fall_speed", 3.0) * 0.12 * dt;
        let (px, py, pw, _) = self.pet(env);
        let half = Self::item_size(env) / 2.0;
        let mut caught = Vec::new();
        for (i, item) in self.items.iter_mut().enumerate() {
            item.y += fall;
            let (cx, cy) = (item.x * env.w, item.y * u);
            if cy + half >= py + half * 0.5 && cy - half <= py + half && cx + half * 0.6 >= px && cx - half * 0.6 <= px + pw {
                caught.push(i);
            }
        }
        for i in caught.into_iter().rev() {
            let item = self.items.remove(i);
            match item.kind {
                Kind::Treat => self.caught += 1,
                Kind::Golden => self.caught += 5,
                Kind::Bath => {
                    self.lives -= 1;
                    self.hurt_at = env.time;
                    env.audio.play("hit", 160.0);
                    continue;
                }
            }
            env.audio.play("catch_sound", 660.0);
        }
        let floor = env.h / u + 0.1;
        self.items.retain(|item| item.y < floor);
        if self.lives <= 0 {
            Some(Ending::Lost)
        } else if Self::time_left(env) <= 0.0 {
            Some(Ending::Won)
        } else {
            None
        }
    }

    fn draw(&self, env: &Env, g: &Gfx) {
        let (w, h) = (env.w, env.h);
        let accent = env.manifest.text("accent", "#ff9f43");
        match env.image("background") {
            Some(bg) => g.image(bg, 0.0, 0.0, w, h, Fit::Cover),
            None => g.gradient(0.0, 0.0, w, h, &shade(accent, 1.6), &shade(accent, 1.1)),
        }
        for item in &self.items {
            Self::draw_item(env, g, item, accent);
        }
        let (px, py, pw, ph) = self.pet(env);
        let hurt = env.time - self.hurt_at < 0.5;
        if hurt {
            g.circle(px + pw / 2.0, py + ph / 2.0, pw * 0.7, "rgba(127,214,245,0.5)");
        }
        match env.image("hero") {
            Some(hero) => g.image(hero, px, py, pw, ph, Fit::Contain),
            None => g.round_rect(px, py, pw, ph, pw * 0.3, accent),
        }
    }

    fn score(&self) -> i64 {
        self.caught
    }

    fn status(&self, env: &Env) -> String {
        let hearts = "♥".repeat(usize::try_from(self.lives.max(0)).unwrap_or(0));
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let left = Self::time_left(env).ceil() as u32;
        format!("{hearts}  {}:{:02}", left / 60, left % 60)
    }

    fn debug(&self, env: &Env) -> Report {
        let (px, py, pw, _) = self.pet(env);
        let items = self.items.iter().map(|i| Report::new().num("x", i.x * env.w).num("y", i.y * env.unit()).text("kind", i.kind.name()));
        Report::new()
            .int("lives", self.lives)
            .num("time_left", Self::time_left(env))
            .obj("pet", Report::new().num("x", px + pw / 2.0).num("y", py).num("w", pw))
            .list("items", items)
    }

    fn accent(env: &Env) -> String {
        env.manifest.text("accent", "#ff9f43").to_owned()
    }
}
