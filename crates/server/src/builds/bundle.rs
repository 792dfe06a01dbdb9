//! What goes into a game's bundle: game-sized pictures and sounds, content-hashed names, the
//! manifest and the page.

use std::io::Cursor;

use petpixel_types::asset::MediaType;
use sha2::{Digest, Sha256};

use crate::assets::derive;
use crate::assets::inspect::ImageLimits;

/// The longest side of a game's pictures: past it a phone spends memory for nothing (and iOS
/// refuses images over 4096 px).
pub const GAME_SIDE: u32 = 2048;
/// Cut-outs (the pet, treats) are drawn at a fifth of the screen at most.
pub const SPRITE_SIDE: u32 = 512;

/// One file of a bundle.
pub struct File {
    pub name: String,
    pub bytes: Vec<u8>,
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

/// A sound every browser plays, Safari and iOS included: MP3 and WAV as they are, OGG Vorbis
/// decoded to a WAV; `(bytes, extension)`.
pub fn sound(bytes: Vec<u8>, media: MediaType) -> Result<(Vec<u8>, &'static str), String> {
    match media {
        MediaType::Mp3 => Ok((bytes, "mp3")),
        MediaType::Wav => Ok((bytes, "wav")),
        MediaType::Ogg => ogg_to_wav(&bytes).map(|wav| (wav, "wav")),
        other => Err(format!("{} is not a sound", other.description())),
    }
}

fn ogg_to_wav(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader =
        lewton::inside_ogg::OggStreamReader::new(Cursor::new(bytes)).map_err(|e| format!("the OGG sound could not be read ({e})"))?;
    let (channels, rate) = (u16::from(reader.ident_hdr.audio_channels), reader.ident_hdr.audio_sample_rate);
    let mut samples: Vec<i16> = Vec::new();
    while let Some(packet) = reader.read_dec_packet_itl().map_err(|e| format!("the OGG sound could not be decoded ({e})"))? {
        samples.extend(packet);
    }
    Ok(derive::wav(&samples, channels, rate))
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
