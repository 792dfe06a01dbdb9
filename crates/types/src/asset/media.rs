//! What a file is, told from its first bytes: never from its name or the type a client declares.
//! The server decides with this on what it stored; the web app asks the same before uploading.

string_enum!(
    /// The media an asset may hold.
    MediaType { Jpeg = "jpeg", Png = "png", Heic = "heic", Webp = "webp", Mp3 = "mp3", Ogg = "ogg", Wav = "wav" }
);

/// How many leading bytes [`sniff`] needs at most.
pub const SNIFF_BYTES: usize = 64;

/// Image or sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Sound,
}

impl MediaType {
    pub fn mime(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Heic => "image/heic",
            MediaType::Webp => "image/webp",
            MediaType::Mp3 => "audio/mpeg",
            MediaType::Ogg => "audio/ogg",
            MediaType::Wav => "audio/wav",
        }
    }

    /// The type whose MIME type is `mime`.
    pub fn from_mime(mime: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.mime() == mime)
    }

    /// The file name extension the server gives a stored file of this type.
    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            other => other.as_str(),
        }
    }

    /// How a person would name it: "a JPEG picture", "MP3 audio".
    pub fn description(self) -> &'static str {
        match self {
            MediaType::Jpeg => "a JPEG picture",
            MediaType::Png => "a PNG picture",
            MediaType::Heic => "a HEIC picture",
            MediaType::Webp => "a WebP picture",
            MediaType::Mp3 => "MP3 audio",
            MediaType::Ogg => "OGG audio",
            MediaType::Wav => "WAV audio",
        }
    }

    pub fn kind(self) -> MediaKind {
        match self {
            MediaType::Jpeg | MediaType::Png | MediaType::Heic | MediaType::Webp => MediaKind::Image,
            MediaType::Mp3 | MediaType::Ogg | MediaType::Wav => MediaKind::Sound,
        }
    }
}

/// The media type of a file that starts with `head` (its first [`SNIFF_BYTES`] bytes, or all of
/// a shorter file), or `None` for anything else.
pub fn sniff(head: &[u8]) -> Option<MediaType> {
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if at(0, &[0xFF, 0xD8, 0xFF]) {
        return Some(MediaType::Jpeg);
    }
    if at(0, b"\x89PNG\r\n\x1a\n") {
        return Some(MediaType::Png);
    }
    if at(0, b"RIFF") && at(8, b"WEBP") {
        return Some(MediaType::Webp);
    }
    if at(0, b"RIFF") && at(8, b"WAVE") {
        return Some(MediaType::Wav);
    }
    if at(0, b"OggS") {
        return Some(MediaType::Ogg);
    }
    if at(4, b"ftyp") && is_heic(head) {
        return Some(MediaType::Heic);
    }
    if at(0, b"ID3") || is_mpeg_layer3_frame(head) {
        return Some(MediaType::Mp3);
    }
    None
}

/// An ISO base media file whose brand says HEIF with HEVC images (what phones write), not AVIF
/// or a video.
fn is_heic(head: &[u8]) -> bool {
    const HEIC: [&[u8; 4]; 6] = [b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"];
    let brand = |i: usize| head.get(i..i + 4);
    let Some(major) = brand(8) else { return false };
    if HEIC.iter().any(|b| major == *b) {
        return true;
    }
    // A generic HEIF brand: look among the compatible brands the box lists (as far as we have it).
    let size = head.get(0..4).map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) as usize);
    (major == b"mif1" || major == b"msf1")
        && (16..size.min(head.len()).saturating_sub(3)).step_by(4).filter_map(brand).any(|b| HEIC.iter().any(|h| b == *h))
}

/// An MPEG audio frame header of layer III (MP3 without an ID3 tag in front).
fn is_mpeg_layer3_frame(head: &[u8]) -> bool {
    let [a, b, c, ..] = head else { return false };
    let sync = *a == 0xFF && b & 0xE0 == 0xE0;
    let version_known = (b >> 3) & 0b11 != 0b01;
    let layer3 = (b >> 1) & 0b11 == 0b01;
    let bitrate_valid = c >> 4 != 0b1111;
    let rate_known = (c >> 2) & 0b11 != 0b11;
    sync && version_known && layer3 && bitrate_valid && rate_known
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len();
        let mut b = (size as u32).to_be_bytes().to_vec();
        b.extend_from_slice(b"ftyp");
        b.extend_from_slice(major);
        b.extend_from_slice(&[0, 0, 0, 0]);
        for c in compatible {
            b.extend_from_slice(*c);
        }
        b
    }

    #[test]
    fn each_accepted_type_is_told_by_its_content() {
        let cases: [(&[u8], MediaType); 7] = [
            (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", MediaType::Jpeg),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", MediaType::Png),
            (b"RIFF\x24\x00\x00\x00WEBPVP8 ", MediaType::Webp),
            (b"RIFF\x24\x00\x00\x00WAVEfmt ", MediaType::Wav),
            (b"OggS\x00\x02\x00\x00", MediaType::Ogg),
            (b"ID3\x04\x00\x00\x00\x00\x00\x00", MediaType::Mp3),
            // MPEG-1 layer III, 128 kbit/s, 44.1 kHz.
            (b"\xFF\xFB\x90\x64\x00", MediaType::Mp3),
        ];
        for (bytes, want) in cases {
            assert_eq!(sniff(bytes), Some(want), "{want}");
        }
        assert_eq!(sniff(&ftyp(b"heic", &[b"mif1", b"heic"])), Some(MediaType::Heic));
        assert_eq!(sniff(&ftyp(b"mif1", &[b"mif1", b"heic"])), Some(MediaType::Heic));
    }

    #[test]
    fn other_content_is_not_taken_whatever_it_is_called() {
        let refused: [&[u8]; 8] = [
            b"",
            b"\xFF\xD8",                       // cut short
            b"GIF89a\x01\x00",                 // a GIF
            b"%PDF-1.7\n",                     // a document named photo.jpg
            b"<svg xmlns=",                    // SVG can carry scripts
            b"RIFF\x24\x00\x00\x00AVI LIST",   // a video
            b"\xFF\xFD\x90\x64",               // MPEG layer II, not III
            b"MZ\x90\x00\x03\x00\x00\x00\x04", // a Windows program
        ];
        for bytes in refused {
            assert_eq!(sniff(bytes), None, "{bytes:?}");
        }
        assert_eq!(sniff(&ftyp(b"avif", &[b"mif1", b"avif"])), None, "AVIF is not HEIC");
        assert_eq!(sniff(&ftyp(b"mif1", &[b"mif1", b"avif"])), None);
        assert_eq!(sniff(&ftyp(b"isom", &[b"isom", b"mp41"])), None, "an MP4 video");
    }
}
