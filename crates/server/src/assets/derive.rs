//! Derivatives of a picture: decoded under limits, turned upright by its EXIF orientation, then
//! a 320 px thumbnail (WebP) and a preview of at most 1600 px (JPEG, or PNG where it has
//! transparency). Both are encoded afresh from pixels, so no EXIF (no location) is carried over.

use std::io::Cursor;
use std::path::Path;

use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageEncoder, ImageReader};
use serde_json::json;

use super::inspect::ImageLimits;

pub const THUMBNAIL_SIDE: u32 = 320;
pub const PREVIEW_SIDE: u32 = 1600;

pub struct Encoded {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub extension: &'static str,
}

pub struct Derived {
    pub thumbnail: Encoded,
    pub preview: Encoded,
    /// Facts to add to the asset's metadata.
    pub metadata: serde_json::Value,
}

/// Decodes the picture at `path` and makes its derivatives; the error is the reason, in words.
pub fn picture(path: &Path, limits: ImageLimits) -> Result<Derived, String> {
    let img = decode(path, limits)?;
    let alpha = img.color().has_alpha();

    let thumb = at_most(&img, THUMBNAIL_SIDE);
    let thumbnail = webp(&thumb, alpha)?;
    let preview_img = at_most(&img, PREVIEW_SIDE);
    let preview = if alpha { png(&preview_img)? } else { jpeg(&preview_img)? };
    Ok(Derived {
        metadata: json!({
            "width": img.width(),
            "height": img.height(),
            "has_alpha": alpha,
            "exif_removed": true,
            "thumbnail": { "width": thumb.width(), "height": thumb.height() },
            "preview": { "width": preview_img.width(), "height": preview_img.height(), "content_type": preview.content_type },
        }),
        thumbnail,
        preview,
    })
}

/// The picture at `path`, decoded under `limits` and turned upright.
pub fn decode(path: &Path, limits: ImageLimits) -> Result<DynamicImage, String> {
    decode_from(ImageReader::open(path).map_err(|e| format!("the file could not be read ({e})"))?, limits)
}

/// [`decode`], from memory.
pub fn decode_bytes(bytes: &[u8], limits: ImageLimits) -> Result<DynamicImage, String> {
    decode_from(ImageReader::new(Cursor::new(bytes)), limits)
}

fn decode_from<R: std::io::BufRead + std::io::Seek>(reader: ImageReader<R>, limits: ImageLimits) -> Result<DynamicImage, String> {
    let mut reader = reader.with_guessed_format().map_err(|e| format!("the file could not be read ({e})"))?;
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    // RGBA, 8 bits a channel, plus room for the decoder's own buffers.
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(4).saturating_add(64 << 20));
    reader.limits(decode_limits);
    let mut decoder = reader.into_decoder().map_err(reason)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(format!("the picture is {width} × {height} pixels, more than the {} megapixels taken", limits.max_pixels / 1_000_000));
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(reason)?;
    img.apply_orientation(orientation);
    Ok(img)
}

/// Scaled down (averaging, which keeps detail) to fit `side`; never enlarged.
pub fn at_most(img: &DynamicImage, side: u32) -> DynamicImage {
    if img.width().max(img.height()) > side {
        img.thumbnail(side, side)
    } else {
        img.clone()
    }
}

fn reason(e: image::ImageError) -> String {
    match e {
        image::ImageError::Limits(_) => "the picture is too large to decode safely".into(),
        image::ImageError::Unsupported(e) => format!("this kind of picture cannot be decoded ({e})"),
        other => format!("the picture could not be decoded ({other})"),
    }
}

fn webp(img: &DynamicImage, alpha: bool) -> Result<Encoded, String> {
    let mut out = Cursor::new(Vec::new());
    let encoder = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
    let written = if alpha {
        let rgba = img.to_rgba8();
        encoder.write_image(rgba.as_raw(), rgba.width(), rgba.height(), ExtendedColorType::Rgba8)
    } else {
        let rgb = img.to_rgb8();
        encoder.write_image(rgb.as_raw(), rgb.width(), rgb.height(), ExtendedColorType::Rgb8)
    };
    written.map_err(|e| format!("the thumbnail could not be written ({e})"))?;
    Ok(Encoded { bytes: out.into_inner(), content_type: "image/webp", extension: "webp" })
}

fn jpeg(img: &DynamicImage) -> Result<Encoded, String> {
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(rgb.as_raw(), rgb.width(), rgb.height(), ExtendedColorType::Rgb8)
        .map_err(|e| format!("the preview could not be written ({e})"))?;
    Ok(Encoded { bytes: out, content_type: "image/jpeg", extension: "jpg" })
}

/// Lossy WebP (quality 82): a photo at a tenth of its lossless size, for games.
pub fn webp_lossy(img: &DynamicImage) -> Result<Encoded, String> {
    let rgb = DynamicImage::ImageRgb8(img.to_rgb8());
    let encoder = webp::Encoder::from_rgb(rgb.as_bytes(), rgb.width(), rgb.height());
    let bytes = encoder.encode_simple(false, 82.0).map_err(|e| format!("the picture could not be written as WebP ({e:?})"))?;
    Ok(Encoded { bytes: bytes.to_vec(), content_type: "image/webp", extension: "webp" })
}

pub fn png(img: &DynamicImage) -> Result<Encoded, String> {
    let rgba = img.to_rgba8();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(rgba.as_raw(), rgba.width(), rgba.height(), ExtendedColorType::Rgba8)
        .map_err(|e| format!("the preview could not be written ({e})"))?;
    Ok(Encoded { bytes: out, content_type: "image/png", extension: "png" })
}

/// 16-bit PCM in a RIFF/WAVE container.
pub fn wav(samples: &[i16], channels: u16, rate: u32) -> Vec<u8> {
    let mut out = wav_header(channels, rate);
    out.reserve(samples.len() * 2);
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    finish_wav(&mut out);
    out
}

/// The length of [`wav_header`].
pub const WAV_HEADER: usize = 44;

/// A 16-bit PCM WAV's header, its lengths to be set by [`finish_wav`] once the samples follow.
pub fn wav_header(channels: u16, rate: u32) -> Vec<u8> {
    let block = channels * 2;
    let mut out = Vec::with_capacity(WAV_HEADER);
    out.extend_from_slice(b"RIFF\0\0\0\0WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data\0\0\0\0");
    out
}

/// Writes the RIFF and data lengths of a WAV made by [`wav_header`] and its samples.
pub fn finish_wav(wav: &mut [u8]) {
    let data = u32::try_from(wav.len().saturating_sub(WAV_HEADER)).unwrap_or(u32::MAX);
    wav[4..8].copy_from_slice(&data.saturating_add(36).to_le_bytes());
    wav[40..44].copy_from_slice(&data.to_le_bytes());
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_wav_header_describes_its_samples() {
        let w = wav(&[0, 1, -1, 2], 2, 22_050);
        assert_eq!(&w[0..4], b"RIFF");
        assert_eq!(u32::from_le_bytes(w[4..8].try_into().unwrap()), 36 + 8);
        assert_eq!(u16::from_le_bytes(w[22..24].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(w[24..28].try_into().unwrap()), 22_050);
        assert_eq!(w.len(), 44 + 8);
    }

    use super::*;
    use crate::assets::fixtures;

    const LIMITS: ImageLimits = ImageLimits { max_side: 12_000, max_pixels: 50_000_000 };

    fn derive(bytes: &[u8]) -> Result<Derived, String> {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        picture(file.path(), LIMITS)
    }

    #[test]
    fn a_photo_gets_a_small_thumbnail_and_a_preview_without_its_location() {
        let original = fixtures::jpeg_with_location(2000, 1000);
        assert!(original.windows(4).any(|w| w == b"Exif"), "the fixture carries EXIF");
        let d = derive(&original).unwrap();
        let thumb = image::load_from_memory(&d.thumbnail.bytes).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
        assert_eq!(d.preview.content_type, "image/jpeg");
        let preview = image::load_from_memory(&d.preview.bytes).unwrap();
        assert_eq!((preview.width(), preview.height()), (1600, 800));
        assert!(!d.preview.bytes.windows(4).any(|w| w == b"Exif"), "no EXIF in the preview");
        assert!(!d.thumbnail.bytes.windows(4).any(|w| w == b"EXIF" || w == b"Exif"), "nor in the thumbnail");
        assert_eq!(d.metadata["width"], 2000);
    }

    #[test]
    fn a_small_picture_is_not_enlarged() {
        let d = derive(&fixtures::png(100, 50)).unwrap();
        let thumb = image::load_from_memory(&d.thumbnail.bytes).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 50));
    }

    #[test]
    fn a_bomb_is_refused_with_a_reason_not_decoded() {
        let reason = derive(&fixtures::png_bomb(60_000, 60_000)).err().unwrap();
        assert!(reason.contains("too large"), "{reason}");
    }
}
