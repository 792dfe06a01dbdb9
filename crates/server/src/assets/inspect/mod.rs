//! What a stored file really is, read from its content: its type from the first bytes, then its
//! container walked from end to end, so that a truncated or padded-out file is refused at upload,
//! and a picture's size read from its header, so that a decompression bomb is refused before
//! anything decodes it. Sounds give their duration and bitrate on the same walk.
//!
//! Hand-written because no crate tells "this file ends where it should" without decoding it
//! whole; each walker only follows the container's own length fields and reads a file once,
//! through a small buffer, whatever its size.

mod audio;
mod picture;

pub use audio::{mp3_frames, wav_without_tags};

use std::io::{Read, Seek, SeekFrom};

use petpixel_types::asset::{sniff, MediaType, SNIFF_BYTES};

/// Bounds on pictures: no side longer, and no more pixels in all, than these.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    pub max_side: u32,
    pub max_pixels: u64,
}

impl From<&crate::config::Config> for ImageLimits {
    fn from(config: &crate::config::Config) -> Self {
        ImageLimits { max_side: config.image_max_side, max_pixels: config.image_max_pixels }
    }
}

/// Why a file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a type taken at all (415).
    Unsupported,
    /// A type taken, but not a whole, sound file of it (422 on `file`).
    Malformed(String),
}

/// What the walk found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_seconds: Option<f64>,
    pub bitrate_kbps: Option<u32>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u16>,
}

impl Facts {
    pub fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        let mut put = |k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                map.insert(k.into(), v);
            }
        };
        put("width", self.width.map(Into::into));
        put("height", self.height.map(Into::into));
        put("duration_seconds", self.duration_seconds.map(|d| ((d * 1000.0).round() / 1000.0).into()));
        put("bitrate_kbps", self.bitrate_kbps.map(Into::into));
        put("sample_rate", self.sample_rate.map(Into::into));
        put("channels", self.channels.map(Into::into));
        serde_json::Value::Object(map)
    }
}

/// Reads `file` (of `len` bytes) and says what it is, or why it is refused.
pub fn inspect<R: Read + Seek>(file: &mut R, len: u64, limits: ImageLimits) -> Result<(MediaType, Facts), Refusal> {
    let mut head = vec![0u8; SNIFF_BYTES.min(len as usize)];
    file.seek(SeekFrom::Start(0)).and_then(|_| file.read_exact(&mut head)).map_err(|_| Refusal::Malformed(unreadable()))?;
    let media = sniff(&head).ok_or(Refusal::Unsupported)?;
    file.seek(SeekFrom::Start(0)).map_err(|_| Refusal::Malformed(unreadable()))?;
    let facts = match media {
        MediaType::Jpeg => picture::jpeg(file, limits),
        MediaType::Png => picture::png(file, len, limits),
        MediaType::Webp => picture::webp(file, len, limits),
        MediaType::Heic => picture::heic(file, len, limits),
        MediaType::Mp3 => audio::mp3(file, len),
        MediaType::Ogg => audio::ogg(file, len),
        MediaType::Wav => audio::wav(file, len),
    }
    .map_err(|e| Refusal::Malformed(format!("This is not a whole {} file: {e}", media.as_str().to_uppercase())))?;
    Ok((media, facts))
}

fn unreadable() -> String {
    "The file could not be read.".into()
}

/// A walker's complaint, worded for the uploader.
type Walk<T> = Result<T, String>;

fn truncated() -> String {
    "it ends before its last part (was the upload cut short?)".into()
}

/// Reads exactly `buf.len()` bytes at `pos`, or says the file ends first.
fn read_at<R: Read + Seek>(file: &mut R, pos: u64, buf: &mut [u8]) -> Walk<()> {
    file.seek(SeekFrom::Start(pos)).map_err(|e| e.to_string())?;
    file.read_exact(buf).map_err(|_| truncated())
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn le32(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

/// Checks a picture's size against the limits.
fn check_size(width: u32, height: u32, limits: ImageLimits) -> Walk<Facts> {
    if width == 0 || height == 0 {
        return Err("it says it is 0 pixels wide or high".into());
    }
    let pixels = u64::from(width) * u64::from(height);
    if width > limits.max_side || height > limits.max_side || pixels > limits.max_pixels {
        return Err(format!(
            "it is {width} × {height} pixels; pictures of at most {} pixels a side and {} megapixels are taken",
            limits.max_side,
            limits.max_pixels / 1_000_000
        ));
    }
    Ok(Facts { width: Some(width), height: Some(height), ..Facts::default() })
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Cursor;

    use super::*;

    pub const LIMITS: ImageLimits = ImageLimits { max_side: 12_000, max_pixels: 50_000_000 };

    pub fn check(bytes: &[u8]) -> Result<(MediaType, Facts), Refusal> {
        inspect(&mut Cursor::new(bytes), bytes.len() as u64, LIMITS)
    }

    #[test]
    fn what_is_not_media_is_unsupported() {
        assert_eq!(check(b"MZ\x90\x00\x03\x00\x00\x00"), Err(Refusal::Unsupported));
        assert_eq!(check(b""), Err(Refusal::Unsupported));
        assert_eq!(check(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(Refusal::Unsupported));
    }
}
