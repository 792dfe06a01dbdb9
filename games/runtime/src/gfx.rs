//! Drawing on the canvas in CSS pixels (the device pixel ratio is applied once per frame).

use std::cell::Cell;

use web_sys::{CanvasRenderingContext2d, HtmlImageElement};

pub struct Gfx {
    pub ctx: CanvasRenderingContext2d,
    /// The canvas's width in CSS pixels, set each frame.
    pub width: Cell<f64>,
    /// How far any text of the frame reaches past the canvas's edges (0 when all fits): the
    /// browser tests read it on a 320 px phone.
    pub overflow: Cell<f64>,
}

/// Text is never drawn smaller than this share of its size: past it, a centred line wraps.
const LEAST_SCALE: f64 = 0.6;

/// How a picture fills a box.
#[derive(Clone, Copy)]
pub enum Fit {
    /// All of it, letterboxed.
    Contain,
    /// The whole box, cropped.
    Cover,
}

impl Gfx {
    pub fn fill(&self, colour: &str) {
        self.ctx.set_fill_style_str(colour);
    }

    pub fn rect(&self, x: f64, y: f64, w: f64, h: f64, colour: &str) {
        self.fill(colour);
        self.ctx.fill_rect(x, y, w, h);
    }

    pub fn round_rect(&self, x: f64, y: f64, w: f64, h: f64, r: f64, colour: &str) {
        self.fill(colour);
        self.ctx.begin_path();
        let _ = self.ctx.round_rect_with_f64(x, y, w, h, r.min(w / 2.0).min(h / 2.0).max(0.0));
        self.ctx.fill();
    }

    pub fn circle(&self, x: f64, y: f64, r: f64, colour: &str) {
        self.fill(colour);
        self.ctx.begin_path();
        let _ = self.ctx.arc(x, y, r.max(0.0), 0.0, std::f64::consts::TAU);
        self.ctx.fill();
    }

    fn font(&self, size: f64) {
        // Whole pixels: formatting a float would pull the float printer into every game.
        #[allow(clippy::cast_possible_truncation)]
        let px = size.round().max(8.0) as i32;
        self.ctx.set_font(&format!("bold {px}px system-ui, -apple-system, 'Segoe UI', sans-serif"));
    }

    fn measure(&self, s: &str) -> f64 {
        self.ctx.measure_text(s).map(|m| m.width()).unwrap_or(0.0)
    }

    /// Text centred on `x` (or from it with `align` "left" / to it with "right"), its middle at `y`,
    /// kept on the screen from a 320 px phone up: a line too long for its room is drawn smaller,
    /// down to [`LEAST_SCALE`] of its size, and a centred one then wraps onto more lines.
    pub fn text(&self, s: &str, x: f64, y: f64, size: f64, colour: &str, align: &str) {
        let width = self.width.get().max(1.0);
        let margin = (width * 0.04).max(8.0);
        let room = match align {
            "left" => width - x - margin,
            "right" => x - margin,
            _ => width - 2.0 * margin,
        }
        .max(1.0);
        self.font(size);
        let full = self.measure(s);
        let size = if full > room { (size * room / full).max(size * LEAST_SCALE) } else { size };
        self.font(size);
        let lines = if align == "center" && self.measure(s) > room { self.wrap(s, room) } else { vec![s.to_owned()] };
        self.ctx.set_text_align(align);
        self.ctx.set_text_baseline("middle");
        let step = size * 1.2;
        #[allow(clippy::cast_precision_loss)]
        let top = y - step * (lines.len() as f64 - 1.0) / 2.0;
        for (i, line) in lines.iter().enumerate() {
            #[allow(clippy::cast_precision_loss)]
            let ly = top + step * i as f64;
            self.ctx.set_fill_style_str("rgba(0,0,0,0.35)");
            let _ = self.ctx.fill_text(line, x + size * 0.06, ly + size * 0.08);
            self.fill(colour);
            let _ = self.ctx.fill_text(line, x, ly);
            let w = self.measure(line);
            let (left, right) = match align {
                "left" => (x, x + w),
                "right" => (x - w, x),
                _ => (x - w / 2.0, x + w / 2.0),
            };
            self.overflow.set(self.overflow.get().max(-left).max(right - width));
        }
    }

    /// `s` in lines of at most `room` wide, words kept whole.
    fn wrap(&self, s: &str, room: f64) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        for word in s.split_whitespace() {
            match lines.last_mut() {
                Some(line) if self.measure(&format!("{line} {word}")) <= room => {
                    line.push(' ');
                    line.push_str(word);
                }
                _ => lines.push(word.to_owned()),
            }
        }
        lines
    }

    pub fn alpha(&self, a: f64) {
        self.ctx.set_global_alpha(a.clamp(0.0, 1.0));
    }

    /// The picture's width / height.
    pub fn aspect(img: &HtmlImageElement) -> f64 {
        f64::from(img.natural_width().max(1)) / f64::from(img.natural_height().max(1))
    }

    pub fn image(&self, img: &HtmlImageElement, x: f64, y: f64, w: f64, h: f64, fit: Fit) {
        let (iw, ih) = (f64::from(img.natural_width().max(1)), f64::from(img.natural_height().max(1)));
        match fit {
            Fit::Contain => {
                let s = (w / iw).min(h / ih);
                let (dw, dh) = (iw * s, ih * s);
                let _ = self.ctx.draw_image_with_html_image_element_and_dw_and_dh(img, x + (w - dw) / 2.0, y + (h - dh) / 2.0, dw, dh);
            }
            Fit::Cover => {
                let s = (w / iw).max(h / ih);
                let (sw, sh) = (w / s, h / s);
                self.part(img, (iw - sw) / 2.0, (ih - sh) / 2.0, sw, sh, x, y, w, h);
            }
        }
    }

    /// Part of a picture (source rectangle in its own pixels) into a box.
    #[allow(clippy::too_many_arguments)]
    pub fn part(&self, img: &HtmlImageElement, sx: f64, sy: f64, sw: f64, sh: f64, x: f64, y: f64, w: f64, h: f64) {
        let _ = self.ctx.draw_image_with_html_image_element_and_sw_and_sh_and_dx_and_dy_and_dw_and_dh(img, sx, sy, sw, sh, x, y, w, h);
    }

    /// A vertical gradient over a box.
    pub fn gradient(&self, x: f64, y: f64, w: f64, h: f64, top: &str, bottom: &str) {
        let g = self.ctx.create_linear_gradient(0.0, y, 0.0, y + h);
        let _ = g.add_color_stop(0.0, top);
        let _ = g.add_color_stop(1.0, bottom);
        self.ctx.set_fill_style_canvas_gradient(&g);
        self.ctx.fill_rect(x, y, w, h);
    }
}

/// `#rrggbb` darkened (factor < 1) or lightened (> 1).
pub fn shade(colour: &str, factor: f64) -> String {
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("80"), 16).unwrap_or(128);
    let adjust = |c: u8| -> u8 {
        let c = f64::from(c);
        let v = if factor < 1.0 { c * factor } else { c + (255.0 - c) * (factor - 1.0) };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = v.round().clamp(0.0, 255.0) as u8;
        v
    };
    format!("#{:02x}{:02x}{:02x}", adjust(channel(0)), adjust(channel(2)), adjust(channel(4)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn shades_darken_and_lighten_within_bounds() {
        assert_eq!(super::shade("#808080", 0.5), "#404040");
        assert_eq!(super::shade("#000000", 2.0), "#ffffff");
        assert_eq!(super::shade("junk", 1.0), "#808080");
    }
}
