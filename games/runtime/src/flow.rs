//! The flow every game shares: title card, play, the end with the score, replay.

use crate::{shade, Ending, Env, Fit, Gfx, Input, Play, Report};

enum Scene<P> {
    Title,
    Playing(P),
    Over { game: P, ending: Ending, since: f64 },
}

pub struct Flow<P> {
    scene: Scene<P>,
    pub env: Env,
    best: i64,
    pub frames: u64,
    rounds: u32,
    /// Seconds since the page started.
    clock: f64,
    /// Milliseconds from navigation to the first frame drawn (for the benchmark).
    pub first_frame_ms: f64,
    /// How far the last frame's text reached past the screen's edges (0 when it all fit).
    pub text_overflow: f64,
}

/// A tap on the end card this soon after the end is taken as the last jump, not a replay.
const END_GRACE: f64 = 0.6;

impl<P: Play> Flow<P> {
    pub fn new(env: Env) -> Self {
        Flow { scene: Scene::Title, env, best: 0, frames: 0, rounds: 0, clock: 0.0, first_frame_ms: 0.0, text_overflow: 0.0 }
    }

    fn start(&mut self) {
        self.env.time = 0.0;
        self.rounds += 1;
        self.env.audio.start_music("music");
        self.scene = Scene::Playing(P::new(&mut self.env));
    }

    pub fn input(&mut self, input: &Input) {
        self.env.audio.unlock();
        match &mut self.scene {
            Scene::Title if input.is_press() => self.start(),
            Scene::Title => {}
            Scene::Playing(game) => game.input(&mut self.env, input),
            Scene::Over { since, .. } => {
                let ready = self.clock - *since > END_GRACE;
                let on_button = match input {
                    Input::Down(x, y) => {
                        let (bx, by, bw, bh) = self.replay_button();
                        (bx..bx + bw).contains(x) && (by..by + bh).contains(y)
                    }
                    Input::Key(code) => matches!(code.as_str(), "Space" | "Enter"),
                    _ => false,
                };
                if ready && on_button {
                    self.start();
                }
            }
        }
    }

    pub fn frame(&mut self, dt: f64) {
        self.frames += 1;
        self.clock += dt;
        if let Scene::Playing(game) = &mut self.scene {
            self.env.time += dt;
            if let Some(ending) = game.update(&mut self.env, dt) {
                self.best = self.best.max(game.score());
                self.env.audio.stop_music();
                self.env.audio.play("end", if ending == Ending::Won { 880.0 } else { 150.0 });
                if let Scene::Playing(game) = std::mem::replace(&mut self.scene, Scene::Title) {
                    self.scene = Scene::Over { game, ending, since: self.clock };
                }
            }
        }
    }

    /// x, y, w, h of the end card's Replay button.
    pub fn replay_button(&self) -> (f64, f64, f64, f64) {
        let (w, h) = (self.env.unit() * 0.5, self.env.unit() * 0.13);
        ((self.env.w - w) / 2.0, self.env.h * 0.62, w, h)
    }

    pub fn draw(&self, g: &Gfx) {
        let env = &self.env;
        let (w, h, u) = (env.w, env.h, env.unit());
        g.alpha(1.0);
        match &self.scene {
            Scene::Title => self.draw_title(g),
            Scene::Playing(game) => {
                game.draw(env, g);
                g.alpha(1.0);
                g.text(&format!("Score {}", game.score()), u * 0.04, u * 0.06, (u * 0.055).max(16.0), "#ffffff", "left");
                g.text(&game.status(env), w - u * 0.04, u * 0.06, (u * 0.055).max(16.0), "#ffffff", "right");
            }
            Scene::Over { game, ending, .. } => {
                game.draw(env, g);
                g.alpha(1.0);
                g.rect(0.0, 0.0, w, h, "rgba(0,0,0,0.6)");
                let (headline, colour) = match ending {
                    Ending::Won => ("You win!", "#ffe066"),
                    Ending::Lost => ("Game over", "#ffffff"),
                };
                g.text(headline, w / 2.0, h * 0.28, u * 0.11, colour, "center");
                g.text(&format!("Score {}", game.score()), w / 2.0, h * 0.42, u * 0.07, "#ffffff", "center");
                g.text(&format!("Best {}", self.best), w / 2.0, h * 0.52, u * 0.05, "#dddddd", "center");
                let (bx, by, bw, bh) = self.replay_button();
                g.round_rect(bx, by, bw, bh, bh / 2.0, &P::accent(env));
                g.text("Replay", w / 2.0, by + bh / 2.0, bh * 0.45, "#ffffff", "center");
            }
        }
    }

    fn draw_title(&self, g: &Gfx) {
        let env = &self.env;
        let (w, h, u) = (env.w, env.h, env.unit());
        let accent = P::accent(env);
        match env.image("background") {
            Some(bg) => g.image(bg, 0.0, 0.0, w, h, Fit::Cover),
            None => g.gradient(0.0, 0.0, w, h, &shade(&accent, 1.4), &shade(&accent, 0.55)),
        }
        g.rect(0.0, 0.0, w, h, "rgba(0,0,0,0.25)");
        let size = u * 0.46;
        g.circle(w / 2.0, h * 0.38, size * 0.58, "rgba(255,255,255,0.85)");
        if let Some(portrait) = env.image(P::PORTRAIT) {
            g.image(portrait, w / 2.0 - size / 2.0, h * 0.38 - size / 2.0, size, size, Fit::Contain);
        }
        g.text(&env.manifest.title, w / 2.0, h * 0.72, (u * 0.075).max(18.0), "#ffffff", "center");
        let pulse = 0.6 + 0.4 * (self.clock * 3.0).sin().abs();
        g.alpha(pulse);
        g.text("Tap to play", w / 2.0, h * 0.82, (u * 0.06).max(16.0), "#ffffff", "center");
        g.alpha(1.0);
        g.text(P::HOW_TO, w / 2.0, h * 0.9, (u * 0.04).max(13.0), "#f0f0f0", "center");
    }

    /// What the browser tests read through `window.__game.state()`.
    pub fn debug(&self) -> Report {
        let (scene, score, play) = match &self.scene {
            Scene::Title => ("title", 0, Report::new()),
            Scene::Playing(g) => ("playing", g.score(), g.debug(&self.env)),
            Scene::Over { game, ending, .. } => (if *ending == Ending::Won { "won" } else { "lost" }, game.score(), game.debug(&self.env)),
        };
        let (bx, by, bw, bh) = self.replay_button();
        #[allow(clippy::cast_precision_loss)]
        let counts = Report::new().num("frames", self.frames as f64).num("rounds", f64::from(self.rounds));
        counts
            .text("scene", scene)
            .int("score", score)
            .int("best", self.best)
            .num("time", self.env.time)
            .num("first_frame_ms", self.first_frame_ms)
            .num("text_overflow", self.text_overflow)
            .obj("view", Report::new().num("w", self.env.w).num("h", self.env.h))
            .list("images", self.env.images.keys().map(|k| Report::new().text("slot", k)))
            .obj("replay_button", Report::new().num("x", bx + bw / 2.0).num("y", by + bh / 2.0))
            .obj("play", play)
    }
}
