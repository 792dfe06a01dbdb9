//! Memory match: cards cut from the pet's photo; turn two at a time and match every pair before
//! the clock runs out. Difficulty sets the grid (3x4, 4x4, 4x5), the time and whether a hint shows
//! after three misses in a row.

use petpixel_game_runtime::{shade, Ending, Env, Fit, Gfx, HtmlImageElement, Input, Play, Report};
use wasm_bindgen::prelude::*;

/// Two unmatched cards stay up this long (a tap turns them down sooner).
const SHOW_MISS: f64 = 0.8;
/// How long a hint lights a pair.
const HINT: f64 = 1.2;
/// A colour per pair in the corner of its cards, so pieces of a similar fur still tell apart.
const PAIR_COLOURS: [&str; 10] =
    ["#e74c3c", "#3498db", "#2ecc71", "#f1c40f", "#9b59b6", "#e67e22", "#1abc9c", "#e84393", "#34495e", "#95a5a6"];

#[wasm_bindgen]
pub async fn start(manifest_url: String) -> Result<(), JsValue> {
    petpixel_game_runtime::run::<Memory>(&manifest_url).await
}

struct Card {
    pair: usize,
    up: bool,
    matched: bool,
}

pub struct Memory {
    cards: Vec<Card>,
    /// The grid as the manifest says it (the long side turns with the screen).
    grid: (usize, usize),
    first: Option<usize>,
    miss: Option<(usize, usize, f64)>,
    misses: u32,
    misses_in_row: u32,
    hint: Option<(usize, f64)>,
    matched: usize,
    bonus: i64,
}

/// `"4x5"` -> (4, 5); anything else the 4x4 default.
fn grid(spec: &str) -> (usize, usize) {
    let mut parts = spec.split('x').map(|n| n.parse::<usize>().unwrap_or(4));
    let (a, b) = (parts.next().unwrap_or(4), parts.next().unwrap_or(4));
    if (a * b) % 2 == 0 && a * b <= 20 && a * b >= 4 {
        (a, b)
    } else {
        (4, 4)
    }
}

impl Memory {
    fn pairs(&self) -> usize {
        self.cards.len() / 2
    }

    fn time_left(env: &Env) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let limit = env.manifest.int("time_limit", 120) as f64;
        (limit - env.time).max(0.0)
    }

    /// Columns and rows for this screen: more columns on a wide one.
    fn layout(&self, env: &Env) -> (usize, usize) {
        let (a, b) = self.grid;
        let (small, large) = (a.min(b), a.max(b));
        if env.w >= env.h {
            (large, small)
        } else {
            (small, large)
        }
    }

    /// Card `i`'s box: x, y, w, h.
    fn card_box(&self, env: &Env, i: usize) -> (f64, f64, f64, f64) {
        let (cols, rows) = self.layout(env);
        let u = env.unit();
        let (top, margin, gap) = (u * 0.13, u * 0.04, u * 0.02);
        #[allow(clippy::cast_precision_loss)]
        let (cf, rf) = (cols as f64, rows as f64);
        let avail_w = env.w - 2.0 * margin - gap * (cf - 1.0);
        let avail_h = env.h - top - margin - gap * (rf - 1.0);
        // Cards a little taller than wide.
        let ch = (avail_h / rf).min(avail_w / cf / 0.8);
        let cw = ch * 0.8;
        let left = (env.w - (cw * cf + gap * (cf - 1.0))) / 2.0;
        #[allow(clippy::cast_precision_loss)]
        let (c, r) = ((i % cols) as f64, (i / cols) as f64);
        (left + c * (cw + gap), top + r * (ch + gap), cw, ch)
    }

    fn card_at(&self, env: &Env, x: f64, y: f64) -> Option<usize> {
        (0..self.cards.len()).find(|&i| {
            let (cx, cy, cw, ch) = self.card_box(env, i);
            (cx..cx + cw).contains(&x) && (cy..cy + ch).contains(&y)
        })
    }

    fn hide_miss(&mut self) {
        if let Some((a, b, _)) = self.miss.take() {
            self.cards[a].up = false;
            self.cards[b].up = false;
        }
    }

    fn turn(&mut self, env: &mut Env, i: usize) {
        self.hide_miss();
        if self.cards[i].up || self.cards[i].matched {
            return;
        }
        self.cards[i].up = true;
        env.audio.play("flip_sound", 440.0);
        let Some(first) = self.first.take() else {
            self.first = Some(i);
            return;
        };
        if self.cards[first].pair == self.cards[i].pair {
            self.cards[first].matched = true;
            self.cards[i].matched = true;
            self.matched += 1;
            self.misses_in_row = 0;
            env.audio.play("match", 880.0);
        } else {
            self.miss = Some((first, i, env.time + SHOW_MISS));
            self.misses += 1;
            self.misses_in_row += 1;
            if self.misses_in_row >= 3 && env.manifest.flag("hints") {
                self.misses_in_row = 0;
                if let Some(card) = self.cards.iter().find(|c| !c.matched && !c.up) {
                    self.hint = Some((card.pair, env.time + HINT));
                }
            }
        }
    }

    /// The part of the photo pair `p` shows: the photo's centre square cut into a k x k grid.
    fn piece(img: &HtmlImageElement, p: usize, pairs: usize) -> (f64, f64, f64) {
        let (iw, ih) = (f64::from(img.natural_width()), f64::from(img.natural_height()));
        let side = iw.min(ih);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
        let k = (pairs as f64).sqrt().ceil().max(1.0) as usize;
        #[allow(clippy::cast_precision_loss)]
        let (cell, c, r) = (side / k as f64, (p % k) as f64, (p / k) as f64);
        ((iw - side) / 2.0 + c * cell, (ih - side) / 2.0 + r * cell, cell)
    }
}

impl Play for Memory {
    const PORTRAIT: &'static str = "photo";
    const HOW_TO: &'static str = "Turn two cards at a time and find every pair";

    fn new(env: &mut Env) -> Self {
        let grid = grid(env.manifest.text("grid", "4x4"));
        let pairs = grid.0 * grid.1 / 2;
        let mut cards: Vec<Card> = (0..pairs * 2).map(|i| Card { pair: i / 2, up: false, matched: false }).collect();
        env.rng.shuffle(&mut cards);
        Memory { cards, grid, first: None, miss: None, misses: 0, misses_in_row: 0, hint: None, matched: 0, bonus: 0 }
    }

    fn input(&mut self, env: &mut Env, input: &Input) {
        if let Input::Down(x, y) = input {
            match self.card_at(env, *x, *y) {
                Some(i) => self.turn(env, i),
                None => self.hide_miss(),
            }
        }
    }

    fn update(&mut self, env: &mut Env, _dt: f64) -> Option<Ending> {
        if self.miss.is_some_and(|(_, _, until)| env.time >= until) {
            self.hide_miss();
        }
        if self.hint.is_some_and(|(_, until)| env.time >= until) {
            self.hint = None;
        }
        if self.matched == self.pairs() {
            #[allow(clippy::cast_possible_truncation)]
            let left = Self::time_left(env).floor() as i64;
            self.bonus = left;
            Some(Ending::Won)
        } else if Self::time_left(env) <= 0.0 {
            Some(Ending::Lost)
        } else {
            None
        }
    }

    fn draw(&self, env: &Env, g: &Gfx) {
        let accent = env.manifest.text("accent", "#7c5cff");
        g.gradient(0.0, 0.0, env.w, env.h, &shade(accent, 0.45), &shade(accent, 0.25));
        let pairs = self.pairs();
        for (i, card) in self.cards.iter().enumerate() {
            let (x, y, w, h) = self.card_box(env, i);
            let r = w * 0.08;
            if self.hint.is_some_and(|(p, _)| p == card.pair) {
                g.round_rect(x - w * 0.06, y - w * 0.06, w * 1.12, h + w * 0.12, r * 1.5, "#ffe066");
            }
            if card.up || card.matched {
                g.round_rect(x, y, w, h, r, "#ffffff");
                match env.image("photo") {
                    Some(photo) => {
                        let (sx, sy, side) = Self::piece(photo, card.pair, pairs);
                        let pad = w * 0.05;
                        let s = (w - 2.0 * pad).min(h - 2.0 * pad);
                        g.part(photo, sx, sy, side, side, x + (w - s) / 2.0, y + (h - s) / 2.0, s, s);
                    }
                    None => g.text(&(card.pair + 1).to_string(), x + w / 2.0, y + h / 2.0, h * 0.4, "#333333", "center"),
                }
                g.circle(x + w * 0.13, y + w * 0.13, w * 0.07, PAIR_COLOURS[card.pair % PAIR_COLOURS.len()]);
                if card.matched {
                    g.round_rect(x, y, w, h, r, "rgba(255,255,255,0.35)");
                }
            } else {
                match env.image("card_back") {
                    Some(back) => {
                        g.round_rect(x, y, w, h, r, "#ffffff");
                        g.image(back, x + w * 0.04, y + w * 0.04, w * 0.92, h - w * 0.08, Fit::Cover);
                    }
                    None => {
                        g.round_rect(x, y, w, h, r, accent);
                        // A paw print.
                        let (cx, cy, s) = (x + w / 2.0, y + h / 2.0, w * 0.12);
                        let pale = shade(accent, 1.35);
                        g.circle(cx, cy + s * 0.6, s * 1.1, &pale);
                        for (dx, dy) in [(-1.3, -0.7), (-0.45, -1.35), (0.45, -1.35), (1.3, -0.7)] {
                            g.circle(cx + dx * s, cy + dy * s, s * 0.45, &pale);
                        }
                    }
                }
            }
        }
    }

    fn score(&self) -> i64 {
        i64::try_from(self.matched).unwrap_or(0) * 10 + self.bonus
    }

    fn status(&self, env: &Env) -> String {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let left = Self::time_left(env).ceil() as u32;
        format!("{}/{}  {}:{:02}", self.matched, self.pairs(), left / 60, left % 60)
    }

    fn debug(&self, env: &Env) -> Report {
        #[allow(clippy::cast_precision_loss)]
        let cards = self.cards.iter().enumerate().map(|(i, c)| {
            let (x, y, w, h) = self.card_box(env, i);
            Report::new().num("x", x + w / 2.0).num("y", y + h / 2.0).num("pair", c.pair as f64).flag("up", c.up).flag("matched", c.matched)
        });
        #[allow(clippy::cast_precision_loss)]
        let counts = Report::new().num("matched", self.matched as f64).num("pairs", self.pairs() as f64);
        counts.list("cards", cards).int("misses", i64::from(self.misses)).num("time_left", Self::time_left(env))
    }

    fn accent(env: &Env) -> String {
        env.manifest.text("accent", "#7c5cff").to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn grids_read_from_the_manifest_and_fall_back_to_4x4() {
        assert_eq!(super::grid("3x4"), (3, 4));
        assert_eq!(super::grid("4x5"), (4, 5));
        assert_eq!(super::grid("3x3"), (4, 4));
        assert_eq!(super::grid("nonsense"), (4, 4));
    }
}
