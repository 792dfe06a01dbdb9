//! Runner: one tap to jump; the pet runs through its world over obstacles. Clearing the course
//! wins; running out of lives loses. Difficulty sets the speed (ramping up as it goes), the room
//! between obstacles and the lives.

use petpixel_game_runtime::{shade, Ending, Env, Fit, Gfx, Input, Play, Report};
use wasm_bindgen::prelude::*;

/// Obstacles to clear to finish the course.
const GOAL: u32 = 25;
/// Seconds in the air per jump.
const AIRTIME: f64 = 0.75;
/// After a hit, the pet cannot be hit again for this long.
const INVULNERABLE: f64 = 1.2;

#[wasm_bindgen]
pub async fn start(manifest_url: String) -> Result<(), JsValue> {
    petpixel_game_runtime::run::<Runner>(&manifest_url).await
}

struct Obstacle {
    x: f64,
    w: f64,
    h: f64,
    hit: bool,
    cleared: bool,
}

pub struct Runner {
    /// Height above the ground, in units of the short side (so resizing keeps the jump).
    lift: f64,
    rise: f64,
    lives: i64,
    cleared: u32,
    obstacles: Vec<Obstacle>,
    /// Distance run, in units.
    distance: f64,
    next_spawn: f64,
    hurt_until: f64,
}

impl Runner {
    fn ground(env: &Env) -> f64 {
        env.h * 0.82
    }

    /// The pet's box: x, top, w, h (pixels).
    fn pet(&self, env: &Env) -> (f64, f64, f64, f64) {
        let u = env.unit();
        let ph = u * 0.18;
        let aspect = env.image("hero").map_or(1.0, Gfx::aspect).clamp(0.6, 1.6);
        let pw = ph * aspect;
        (env.w * 0.15, Self::ground(env) - self.lift * u - ph, pw, ph)
    }

    fn speed(env: &Env) -> f64 {
        env.ramped("speed", 5.0) * 0.13
    }

    fn spacing(env: &Env) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let gap = env.manifest.int("gap", 360) as f64;
        0.9 + gap / 360.0 * 0.5
    }
}

impl Play for Runner {
    const PORTRAIT: &'static str = "hero";
    const HOW_TO: &'static str = "Tap, click or press Space to jump";

    fn new(env: &mut Env) -> Self {
        Runner {
            lift: 0.0,
            rise: 0.0,
            lives: env.manifest.int("lives", 3).max(1),
            cleared: 0,
            obstacles: Vec::new(),
            distance: 0.0,
            next_spawn: 1.2,
            hurt_until: 0.0,
        }
    }

    fn input(&mut self, env: &mut Env, input: &Input) {
        if input.is_press() && self.lift <= 0.0 {
            // Peak 0.45 units after half the airtime.
            self.rise = 4.0 * 0.45 / AIRTIME;
            self.lift = 0.0001;
            env.audio.play("jump_sound", 520.0);
        }
    }

    fn update(&mut self, env: &mut Env, dt: f64) -> Option<Ending> {
        let u = env.unit();
        let step = Self::speed(env) * dt;
        self.distance += step;
        if self.lift > 0.0 {
            let gravity = 8.0 * 0.45 / (AIRTIME * AIRTIME);
            self.rise -= gravity * dt;
            self.lift = (self.lift + self.rise * dt).max(0.0);
        }
        if self.distance >= self.next_spawn {
            let (w, h) = (env.rng.range(0.08, 0.12), env.rng.range(0.1, 0.16));
            self.obstacles.push(Obstacle { x: env.w / u + 0.05, w, h, hit: false, cleared: false });
            self.next_spawn = self.distance + Self::spacing(env) + env.rng.range(0.0, 0.6);
        }
        let (px, py, pw, ph) = self.pet(env);
        let now = env.time;
        for o in &mut self.obstacles {
            o.x -= step;
            let (ox, ow, oh) = (o.x * u, o.w * u, o.h * u);
            let oy = Self::ground(env) - oh;
            // The sprite's transparent margin should not count as a hit.
            let (mx, my) = (pw * 0.18, ph * 0.15);
            let overlaps = px + mx < ox + ow && ox < px + pw - mx && py + my < oy + oh && oy < py + ph;
            if overlaps && !o.hit && now >= self.hurt_until {
                o.hit = true;
                self.lives -= 1;
                self.hurt_until = now + INVULNERABLE;
                env.audio.play("hit", 180.0);
            }
            if !o.cleared && !o.hit && ox + ow < px {
                o.cleared = true;
                self.cleared += 1;
            }
        }
        self.obstacles.retain(|o| o.x + o.w > -0.1);
        if self.lives <= 0 {
            Some(Ending::Lost)
        } else if self.cleared >= GOAL {
            Some(Ending::Won)
        } else {
            None
        }
    }

    fn draw(&self, env: &Env, g: &Gfx) {
        let (w, h, u) = (env.w, env.h, env.unit());
        let ground = Self::ground(env);
        let night = env.manifest.flag("night_mode");
        let sky = if night { "#1b1f3b".to_owned() } else { env.manifest.text("sky", "#8fd3ff").to_owned() };
        match env.image("background") {
            Some(bg) => {
                // Scrolls at a third of the pace, tiled.
                let tile = ground * Gfx::aspect(bg);
                let offset = (self.distance * u * 0.33) % tile;
                let mut x = -offset;
                while x < w {
                    g.image(bg, x, 0.0, tile + 1.0, ground, Fit::Cover);
                    x += tile;
                }
            }
            None => {
                g.gradient(0.0, 0.0, w, ground, &shade(&sky, 1.15), &sky);
                if night {
                    for i in 0..30 {
                        let fi = f64::from(i);
                        let x = (fi * 137.0 - self.distance * u * 0.05).rem_euclid(w);
                        g.circle(x, (fi * 71.0) % (ground * 0.7), 1.5, "#ffffff");
                    }
                }
                for i in 0..6 {
                    let fi = f64::from(i);
                    let x = (fi * u * 0.7 - self.distance * u * 0.25).rem_euclid(w + u) - u * 0.5;
                    g.circle(x, ground, u * (0.25 + 0.05 * (fi % 3.0)), &shade(&sky, if night { 0.6 } else { 0.8 }));
                }
            }
        }
        g.rect(0.0, ground, w, h - ground, if night { "#2d3a2e" } else { "#6ab04c" });
        g.rect(0.0, ground + u * 0.03, w, h - ground, if night { "#3b2f25" } else { "#8d6e4f" });
        for o in &self.obstacles {
            let (ox, ow, oh) = (o.x * u, o.w * u, o.h * u);
            g.round_rect(ox, ground - oh, ow, oh, ow * 0.25, if o.hit { "#a05050" } else { "#5a3e2b" });
            g.round_rect(ox + ow * 0.15, ground - oh + oh * 0.08, ow * 0.7, oh * 0.18, ow * 0.1, "#7b5a41");
        }
        let (px, py, pw, ph) = self.pet(env);
        let blinking = env.time < self.hurt_until && (env.time * 12.0).sin() > 0.0;
        g.alpha(if blinking { 0.35 } else { 1.0 });
        match env.image("hero") {
            Some(hero) => g.image(hero, px, py, pw, ph, Fit::Contain),
            None => g.round_rect(px, py, pw, ph, pw * 0.3, "#ff9f43"),
        }
        g.alpha(1.0);
    }

    fn score(&self) -> i64 {
        i64::from(self.cleared)
    }

    fn status(&self, _env: &Env) -> String {
        let hearts: String = "♥".repeat(usize::try_from(self.lives.max(0)).unwrap_or(0));
        format!("{hearts}  {}/{GOAL}", self.cleared)
    }

    fn debug(&self, env: &Env) -> Report {
        let (px, py, pw, ph) = self.pet(env);
        let u = env.unit();
        let next = self.obstacles.iter().filter(|o| o.x * u + o.w * u > px).map(|o| o.x * u - (px + pw)).fold(f64::INFINITY, f64::min);
        Report::new()
            .int("lives", self.lives)
            .int("cleared", i64::from(self.cleared))
            .int("goal", i64::from(GOAL))
            .flag("on_ground", self.lift <= 0.0)
            .maybe("next_gap", next.is_finite().then_some(next))
            .num("speed", Self::speed(env) * u)
            .obj("pet", Report::new().num("x", px).num("y", py).num("w", pw).num("h", ph))
    }

    fn accent(env: &Env) -> String {
        env.manifest.text("sky", "#8fd3ff").to_owned()
    }
}
