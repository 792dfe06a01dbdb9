//! The PetPixel game runtime: what every template stands on.
//!
//! A template implements [`Play`] (one round: its input, its update, its drawing and its score);
//! the runtime does the rest on a Canvas 2D: loading the bundle's manifest, pictures and sounds, a
//! loop at the display's rate, scaling to any viewport at the device pixel ratio (capped at 2),
//! pointer, touch and keyboard input, sound that starts on the first tap, a seeded random source,
//! and the flow every game shares: a title card with the pet, the score, a win or lose end, replay.
//!
//! `?seed=N` fixes the random source; `?autotest=1` exposes `window.__game.state()` for the
//! browser tests.

mod app;
mod audio;
mod flow;
mod gfx;
mod manifest;
mod report;
mod rng;

use std::collections::HashMap;

pub use app::run;
pub use audio::Audio;
pub use gfx::{shade, Fit, Gfx};
pub use petpixel_types::template::GameManifest;
pub use report::Report;
pub use rng::Rng;
pub use web_sys::HtmlImageElement;

/// What the player did, in CSS pixels of the canvas.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Down(f64, f64),
    Move(f64, f64),
    Up(f64, f64),
    /// A key's `code`: `Space`, `ArrowLeft`, ...
    Key(String),
}

impl Input {
    /// A tap, click, Space, Enter or Up arrow: "the one button".
    pub fn is_press(&self) -> bool {
        match self {
            Input::Down(..) => true,
            Input::Key(code) => matches!(code.as_str(), "Space" | "Enter" | "ArrowUp" | "KeyW"),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Won,
    Lost,
}

/// What a round sees of the world.
pub struct Env {
    /// The viewport in CSS pixels.
    pub w: f64,
    pub h: f64,
    pub manifest: GameManifest,
    pub images: HashMap<String, HtmlImageElement>,
    pub audio: Audio,
    pub rng: Rng,
    /// Seconds since the round started.
    pub time: f64,
}

impl Env {
    pub fn image(&self, slot: &str) -> Option<&HtmlImageElement> {
        self.images.get(slot)
    }

    /// The short side: sizes scale with it, so a phone and a laptop play the same game.
    pub fn unit(&self) -> f64 {
        self.w.min(self.h)
    }

    /// A parameter after the time played so far, with the difficulty's ramp.
    pub fn ramped(&self, key: &str, default: f64) -> f64 {
        self.manifest.ramped(key, default, self.time / 60.0)
    }
}

/// One template's game.
pub trait Play: Sized + 'static {
    /// The slot whose picture the title card shows.
    const PORTRAIT: &'static str;
    /// One line on the title card.
    const HOW_TO: &'static str;
    /// A fresh round.
    fn new(env: &mut Env) -> Self;
    fn input(&mut self, env: &mut Env, input: &Input);
    /// Advances `dt` seconds; `Some` ends the round.
    fn update(&mut self, env: &mut Env, dt: f64) -> Option<Ending>;
    fn draw(&self, env: &Env, g: &Gfx);
    fn score(&self) -> i64;
    /// The top-right corner: lives, time left.
    fn status(&self, env: &Env) -> String;
    /// The round's state for the browser tests.
    fn debug(&self, env: &Env) -> Report;
    /// The colour of the title card and buttons.
    fn accent(env: &Env) -> String;
}
