//! Artwork and sounds for the demo projects, drawn here in code (so they carry no one's rights):
//! a cartoon pet as a cut-out sprite and as a "photo", a landscape backdrop, and short effects.

use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A cartoon pet's head and ears, `size` px square, transparent around it.
pub fn sprite(fur: [u8; 3], size: u32) -> RgbaImage {
    let s = size as f32;
    let (cx, cy) = (s / 2.0, s * 0.56);
    let inside = |x: f32, y: f32, ox: f32, oy: f32, r: f32| (x - ox).powi(2) + (y - oy).powi(2) < r * r;
    let dark = fur.map(|c| (f32::from(c) * 0.55) as u8);
    RgbaImage::from_fn(size, size, |x, y| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        let ear = |side: f32| inside(x, y, cx + side * s * 0.27, s * 0.26, s * 0.15);
        let inner_ear = |side: f32| inside(x, y, cx + side * s * 0.27, s * 0.27, s * 0.08);
        let head = inside(x, y, cx, cy, s * 0.36);
        let outline = !inside(x, y, cx, cy, s * 0.34) && head;
        let eye = |side: f32| inside(x, y, cx + side * s * 0.13, cy - s * 0.04, s * 0.05);
        let glint = |side: f32| inside(x, y, cx + side * s * 0.13 + s * 0.015, cy - s * 0.06, s * 0.015);
        let nose = ((x - cx) / (s * 0.06)).powi(2) + ((y - (cy + s * 0.1)) / (s * 0.04)).powi(2) < 1.0;
        let muzzle = inside(x, y, cx, cy + s * 0.14, s * 0.13);
        let px = |c: [u8; 3]| Rgba([c[0], c[1], c[2], 255]);
        if head {
            if glint(-1.0) || glint(1.0) {
                px([255, 255, 255])
            } else if eye(-1.0) || eye(1.0) {
                px([35, 30, 40])
            } else if nose {
                px([70, 40, 40])
            } else if outline {
                px(dark)
            } else if muzzle {
                px(fur.map(|c| c.saturating_add(60)))
            } else {
                px(fur)
            }
        } else if inner_ear(-1.0) || inner_ear(1.0) {
            px([255, 175, 190])
        } else if ear(-1.0) || ear(1.0) {
            px(dark)
        } else {
            Rgba([0, 0, 0, 0])
        }
    })
}

/// A sky over rolling hills, `width` × `height`.
pub fn backdrop(sky: [u8; 3], hills: [u8; 3], width: u32, height: u32) -> RgbImage {
    let (w, h) = (width as f32, height as f32);
    RgbImage::from_fn(width, height, |x, y| {
        let (fx, fy) = (x as f32 / w, y as f32 / h);
        let ridge = 0.62 + 0.08 * (fx * 9.0).sin() + 0.04 * (fx * 23.0 + 1.0).sin();
        let far = 0.52 + 0.06 * (fx * 5.0 + 2.0).sin();
        let shade = |c: [u8; 3], k: f32| Rgb(c.map(|v| (f32::from(v) * k).min(255.0) as u8));
        if fy > ridge {
            shade(hills, 1.0 - (fy - ridge) * 0.8)
        } else if fy > far {
            shade(hills.map(|v| v.saturating_add(50)), 1.0)
        } else {
            shade(sky, 0.75 + 0.25 * (1.0 - fy))
        }
    })
}

/// The pet in front of a backdrop, square: what a customer's photo stands for in the demo.
pub fn photo(fur: [u8; 3], sky: [u8; 3], hills: [u8; 3], size: u32) -> RgbImage {
    let mut canvas = image::imageops::crop_imm(&backdrop(sky, hills, size * 16 / 9, size), size * 7 / 18, 0, size, size).to_image();
    let pet = sprite(fur, size * 3 / 4);
    let offset = i64::from(size / 8);
    for (x, y, p) in pet.enumerate_pixels() {
        if p[3] > 0 {
            canvas.put_pixel(x + offset as u32, y + offset as u32, Rgb([p[0], p[1], p[2]]));
        }
    }
    canvas
}

pub fn png(img: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgba8)
        .expect("encoding to memory");
    out
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .write_image(img.as_raw(), img.width(), img.height(), ExtendedColorType::Rgb8)
        .expect("encoding to memory");
    out
}

/// A tone gliding from `from` to `to` Hz over `millis`, fading out: 16-bit mono WAV at 22.05 kHz.
pub fn chirp(from: f32, to: f32, millis: u32) -> Vec<u8> {
    const RATE: u32 = 22_050;
    let n = RATE * millis / 1000;
    let mut phase = 0f32;
    let samples: Vec<i16> = (0..n)
        .map(|i| {
            let t = i as f32 / n as f32;
            phase += std::f32::consts::TAU * (from + (to - from) * t) / RATE as f32;
            let fade = (1.0 - t).powi(2);
            (phase.sin() * fade * 12_000.0) as i16
        })
        .collect();
    super::derive::wav(&samples, 1, RATE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_art_fits_the_templates_slots() {
        use petpixel_types::template::{find, AssetFacts};
        let pet = sprite([200, 140, 80], 256);
        assert_eq!(pet.get_pixel(0, 0)[3], 0, "transparent around the pet");
        assert_eq!(pet.get_pixel(128, 150)[3], 255, "the pet itself is opaque");
        let runner = find("runner").unwrap();
        let facts = AssetFacts { is_image: true, width: Some(256), height: Some(256), has_alpha: true, ..Default::default() };
        assert_eq!(runner.slot("hero").unwrap().kind.fits(&facts), Ok(()));
        let back = backdrop([120, 200, 255], [90, 170, 90], 960, 540);
        let facts = AssetFacts { is_image: true, width: Some(back.width()), height: Some(back.height()), ..Default::default() };
        assert_eq!(runner.slot("background").unwrap().kind.fits(&facts), Ok(()));
        let snap = photo([200, 140, 80], [120, 200, 255], [90, 170, 90], 800);
        assert_eq!((snap.width(), snap.height()), (800, 800));
        let wav = chirp(400.0, 900.0, 250);
        assert_eq!(petpixel_types::asset::sniff(&wav), Some(petpixel_types::asset::MediaType::Wav));
    }
}
