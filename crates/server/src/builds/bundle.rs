//! What goes into a game's bundle: game-sized pictures and sounds, content-hashed names, the
//! manifest and the page.

use std::io::Cursor;

use petpixel_types::asset::MediaType;
use sha2::{Digest, Sha256};

use crate::assets::derive;
use crate::assets::inspect::{self, ImageLimits};
use crate::encoding::{self, Coding};

/// The longest side of a game's pictures: past it a phone spends memory for nothing (and iOS
/// refuses images over 4096 px).
pub const GAME_SIDE: u32 = 2048;
/// Cut-outs (the pet, treats) are drawn at a fifth of the screen at most.
pub const SPRITE_SIDE: u32 = 512;

/// One file of a bundle, with its compressed copies.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
    pub copies: Vec<(Coding, Vec<u8>)>,
}

impl File {
    /// A file made now: text and WASM get their compressed copies made too, once, here.
    pub fn new(name: String, bytes: Vec<u8>) -> Self {
        let copies = if encoding::compressible(&name) {
            Coding::ALL.into_iter().map(|c| (c, encoding::compress(&bytes, c))).collect()
        } else {
            Vec::new()
        };
        File { name, bytes, copies }
    }
}

/// `stem.<first 16 hex digits of the SHA-256>.ext`: a changed file is a new name, so a browser
/// never plays an old game from its cache.
pub fn hashed(stem: &str, ext: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("{stem}.{}.{ext}", hex::encode(&digest[..8]))
}

/// A picture for a slot: a cut-out as PNG (it needs its transparency) of at most
/// [`SPRITE_SIDE`], anything else as lossy WebP of at most [`GAME_SIDE`]; `(bytes, extension)`.
pub fn picture(bytes: &[u8], limits: ImageLimits, cut_out: bool) -> Result<(Vec<u8>, &'static str), String> {
    let img = derive::decode_bytes(bytes, limits)?;
    let encoded =
        if cut_out { derive::png(&derive::at_most(&img, SPRITE_SIDE))? } else { derive::webp_lossy(&derive::at_most(&img, GAME_SIDE))? };
    Ok((encoded.bytes, encoded.extension))
}

/// The largest file a bundle may hold: three minutes of stereo 48 kHz WAV (the longest sound a
/// slot takes, decoded) with room to spare. A phone loads every file of a game.
pub const MAX_FILE_BYTES: usize = 40 << 20;

/// A sound every browser plays, Safari and iOS included, without the tags its file carried
/// (titles, names, comments, cover pictures): MP3 frames and WAV data as they are, OGG Vorbis
/// decoded to a WAV. Nothing longer than `max_seconds` comes out, whatever the file declares:
/// its length is measured again from its packets, and decoding stops at the bound.
pub fn sound(bytes: &[u8], media: MediaType, max_seconds: f64, limits: ImageLimits) -> Result<(Vec<u8>, &'static str), String> {
    let measured = match inspect::inspect(&mut Cursor::new(bytes), bytes.len() as u64, limits) {
        Ok((_, facts)) => facts.duration_seconds,
        Err(inspect::Refusal::Malformed(why)) => return Err(why),
        Err(inspect::Refusal::Unsupported) => return Err("this is not a sound this server reads".into()),
    };
    if let Some(seconds) = measured.filter(|s| *s > max_seconds + SLACK_SECONDS) {
        return Err(too_long(seconds, max_seconds));
    }
    match media {
        MediaType::Mp3 => Ok((inspect::mp3_frames(bytes)?.to_vec(), "mp3")),
        MediaType::Wav => Ok((inspect::wav_without_tags(bytes)?, "wav")),
        MediaType::Ogg => ogg_to_wav(bytes, max_seconds).map(|wav| (wav, "wav")),
        other => Err(format!("{} is not a sound", other.description())),
    }
}

/// Encoders pad the last block; a sound this much over a slot's length still fits it.
const SLACK_SECONDS: f64 = 0.25;

fn too_long(seconds: f64, max_seconds: f64) -> String {
    format!("the sound lasts {seconds:.1} s; this slot takes at most {max_seconds} s")
}

/// Decodes into the WAV as it goes (one copy of the samples, never two), and stops at
/// `max_seconds` of sound or [`MAX_FILE_BYTES`], whichever comes first.
fn ogg_to_wav(bytes: &[u8], max_seconds: f64) -> Result<Vec<u8>, String> {
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut reader =
            lewton::inside_ogg::OggStreamReader::new(Cursor::new(bytes)).map_err(|e| format!("the OGG sound could not be read ({e})"))?;
        let (channels, rate) = (u16::from(reader.ident_hdr.audio_channels), reader.ident_hdr.audio_sample_rate);
        if !(1..=2).contains(&channels) || !(1..=48_000).contains(&rate) {
            return Err(format!("the sound has {channels} channels at {rate} Hz; games take one or two channels at up to 48 kHz"));
        }
        let allowed = ((max_seconds + SLACK_SECONDS) * f64::from(rate)).ceil() as usize * usize::from(channels) * 2;
        let limit = allowed.min(MAX_FILE_BYTES - derive::WAV_HEADER);
        let mut wav = derive::wav_header(channels, rate);
        while let Some(packet) = reader.read_dec_packet_itl().map_err(|e| format!("the OGG sound could not be decoded ({e})"))? {
            if wav.len() - derive::WAV_HEADER + packet.len() * 2 > limit {
                return Err(format!("the sound goes on past the {max_seconds} s this slot takes, longer than its file declares"));
            }
            for sample in packet {
                wav.extend_from_slice(&sample.to_le_bytes());
            }
        }
        derive::finish_wav(&mut wav);
        Ok(wav)
    }));
    decoded.unwrap_or_else(|_| Err("the OGG sound is malformed and could not be decoded".into()))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The game's page: a full-screen canvas and the module that loads the template, then the game.
/// Everything the title card needs is asked for at once, while the page is still being read
/// (`crossorigin`: the sandboxed page fetches its own files cross-origin).
pub fn index_html(title: &str, js: &str, wasm: &str, manifest: &str, pictures: &[String]) -> String {
    let mut preload = format!(
        "<link rel=\"modulepreload\" href=\"./{js}\" crossorigin>\n<link rel=\"preload\" href=\"./{wasm}\" as=\"fetch\" crossorigin>\n\
         <link rel=\"preload\" href=\"./{manifest}\" as=\"fetch\" crossorigin>\n"
    );
    for picture in pictures {
        preload.push_str(&format!("<link rel=\"preload\" href=\"./{picture}\" as=\"image\" crossorigin>\n"));
    }
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<title>{title}</title>
<link rel="icon" href="data:,">
{preload}<style>
html, body {{ margin: 0; height: 100%; overflow: hidden; overscroll-behavior: none; background: #1d1b2c; }}
canvas {{ display: block; width: 100vw; height: 100vh; height: 100dvh; touch-action: none; user-select: none; -webkit-user-select: none; }}
</style>
</head>
<body>
<canvas id="game" aria-label="{title}"></canvas>
<noscript><p style="color:#fff;font-family:sans-serif;text-align:center">This game needs JavaScript.</p></noscript>
<script type="module">
import init, {{ start }} from "./{js}";
await init({{ module_or_path: "./{wasm}" }});
await start("./{manifest}");
</script>
</body>
</html>
"#,
        title = escape(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_change_with_the_content_only() {
        assert_eq!(hashed("hero", "png", b"a"), hashed("hero", "png", b"a"));
        assert_ne!(hashed("hero", "png", b"a"), hashed("hero", "png", b"b"));
        assert!(hashed("hero", "png", b"a").starts_with("hero.") && hashed("hero", "png", b"a").len() == "hero..png".len() + 16);
    }

    const LIMITS: ImageLimits = ImageLimits { max_side: 12_000, max_pixels: 50_000_000 };

    #[test]
    fn an_ogg_becomes_a_wav_of_its_length() {
        let (wav, ext) = sound(crate::assets::fixtures::VORBIS_SILENCE, MediaType::Ogg, 3.0, LIMITS).unwrap();
        assert_eq!(ext, "wav");
        let seconds = (wav.len() - derive::WAV_HEADER) as f64 / (44_100.0 * 4.0);
        assert!((seconds - 2.0).abs() < 0.05, "{seconds}");
        assert_eq!(u32::from_le_bytes(wav[40..44].try_into().unwrap()) as usize, wav.len() - derive::WAV_HEADER);
    }

    #[test]
    fn a_sound_longer_than_its_slot_is_refused_before_it_is_decoded() {
        let liar = crate::assets::fixtures::vorbis(600.0, 1.0);
        let why = sound(&liar, MediaType::Ogg, 3.0, LIMITS).unwrap_err();
        assert!(why.contains("600.0 s") && why.contains("at most 3 s"), "{why}");
    }

    #[test]
    fn decoding_stops_at_the_bound_whatever_the_walk_said() {
        let liar = crate::assets::fixtures::vorbis(60.0, 1.0);
        let why = ogg_to_wav(&liar, 3.0).unwrap_err();
        assert!(why.contains("past the 3 s"), "{why}");
        assert!(ogg_to_wav(&liar, 120.0).is_ok());
    }

    #[test]
    fn the_page_escapes_the_title_and_names_its_files() {
        let html = index_html("Rex <3 \"treats\"", "runner.1.js", "runner_bg.2.wasm", "manifest.3.json", &["hero.4.png".into()]);
        assert!(html.contains("<title>Rex &lt;3 &quot;treats&quot;</title>"));
        assert!(
            html.contains("from \"./runner.1.js\"")
                && html.contains("\"./runner_bg.2.wasm\"")
                && html.contains("start(\"./manifest.3.json\")")
                && html.contains("<link rel=\"preload\" href=\"./hero.4.png\" as=\"image\" crossorigin>")
        );
    }
}
