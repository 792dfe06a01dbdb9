//! Content codings: which one a client takes (`Accept-Encoding`), and the compressed copies of
//! files made once (at build time, or once per game build), never per request. Brotli where the
//! client takes it, else gzip, else the file as it is; `Vary: Accept-Encoding` on every answer
//! that has alternatives, and its own `Content-Length`. JSON answers are compressed as they go
//! out (`answers`).

pub mod answers;

use std::io::Write;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Coding {
    Br,
    Gzip,
}

impl Coding {
    /// Best first.
    pub const ALL: [Coding; 2] = [Coding::Br, Coding::Gzip];

    /// The name of a file's copy in this coding: `app.js` -> `app.js.br`.
    pub fn suffix(self) -> &'static str {
        match self {
            Coding::Br => ".br",
            Coding::Gzip => ".gz",
        }
    }

    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// `br` or `gzip`, as a stored file's coding is named.
    pub fn parse(name: &str) -> Option<Coding> {
        Coding::ALL.into_iter().find(|c| c.token() == name)
    }
}

/// The codings the request's `Accept-Encoding` takes, best first: brotli before gzip whatever
/// the order or weights given (it is smaller for the same file), none with `q=0`; `*` takes both.
pub fn accepted(headers: &HeaderMap) -> Vec<Coding> {
    let mut weights: [Option<bool>; 2] = [None, None];
    let mut wildcard = None;
    for value in headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()) {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let zero = parts.any(|p| p.trim().strip_prefix("q=").is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q <= 0.0)));
            match name.as_str() {
                "br" => weights[0] = Some(!zero),
                "gzip" | "x-gzip" => weights[1] = Some(!zero),
                "*" => wildcard = Some(!zero),
                _ => {}
            }
        }
    }
    Coding::ALL.into_iter().zip(weights).filter(|(_, w)| w.or(wildcard).unwrap_or(false)).map(|(c, _)| c).collect()
}

/// The copy of those kept that the client takes best (`codings` as `accepted` gives them).
pub fn best<'a, T>(codings: &[Coding], copies: &'a [(Coding, T)]) -> Option<&'a (Coding, T)> {
    codings.iter().find_map(|c| copies.iter().find(|(copy, _)| copy == c))
}

/// Whether a file of this name is worth compressing: text and WASM. Pictures and sounds are
/// compressed formats already.
pub fn compressible(name: &str) -> bool {
    matches!(name.rsplit_once('.').map(|(_, ext)| ext), Some("html" | "js" | "mjs" | "css" | "json" | "wasm" | "svg" | "txt" | "map"))
}

/// How hard to work at it.
#[derive(Debug, Clone, Copy)]
pub enum Effort {
    /// As small as the coding makes it: for files compressed once and served many times.
    Smallest,
    /// A middle level, quick enough for an answer on its way out; brotli's window no larger
    /// than the input, so its state costs what the input needs.
    Quick,
}

/// `bytes` in `coding`, as small as the coding makes it.
pub fn compress(bytes: &[u8], coding: Coding) -> Vec<u8> {
    encode(bytes, coding, Effort::Smallest)
}

/// `bytes` in `coding`. Writing into memory cannot fail, so neither can this.
pub fn encode(bytes: &[u8], coding: Coding, effort: Effort) -> Vec<u8> {
    match coding {
        Coding::Br => {
            let (quality, window) = match effort {
                // Quality 11, a 4 MB window.
                Effort::Smallest => (11, 22),
                Effort::Quick => (5, (usize::BITS - bytes.len().leading_zeros()).clamp(16, 22)),
            };
            let mut out = Vec::with_capacity(bytes.len() / 3);
            {
                let mut writer = brotli::CompressorWriter::new(&mut out, 16 * 1024, quality, window);
                let _ = writer.write_all(bytes);
            }
            out
        }
        Coding::Gzip => {
            let level = match effort {
                Effort::Smallest => flate2::Compression::best(),
                Effort::Quick => flate2::Compression::new(5),
            };
            let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3), level);
            let _ = encoder.write_all(bytes);
            encoder.finish().unwrap_or_default()
        }
    }
}

/// Marks a response as the copy in `coding` (or as it is) of a file that has compressed copies.
pub fn mark(response: &mut Response, coding: Option<Coding>, length: usize) {
    let headers = response.headers_mut();
    if let Some(coding) = coding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
    }
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
}

/// For a handful of fixed files the server does not build itself (the API documentation's Swagger
/// UI and the OpenAPI document): each copy is made the first time it is asked for, then kept for
/// the life of the process, so a file is compressed once, never per request.
pub async fn compressed_once(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    static COPIES: OnceLock<Mutex<HashMap<(String, Coding), bytes::Bytes>>> = OnceLock::new();
    let key = request.uri().path().to_owned();
    let coding = accepted(request.headers()).first().copied();
    let response = next.run(request).await;
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let text = kind.starts_with("text/") || kind.contains("javascript") || kind.contains("json") || kind.contains("svg");
    let Some(coding) = coding.filter(|_| text && response.status().is_success()) else { return response };
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    let copies = COPIES.get_or_init(Mutex::default);
    let kept = copies.lock().ok().and_then(|c| c.get(&(key.clone(), coding)).cloned());
    let (mut parts, body) = response.into_parts();
    let copy = match kept {
        Some(copy) => copy,
        None => {
            let Ok(bytes) = axum::body::to_bytes(body, 16 << 20).await else {
                return Response::from_parts(parts, axum::body::Body::empty());
            };
            let copy = bytes::Bytes::from(compress(&bytes, coding));
            if let Ok(mut c) = copies.lock() {
                c.insert((key, coding), copy.clone());
            }
            copy
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let length = copy.len();
    let mut response = Response::from_parts(parts, axum::body::Body::from(copy));
    mark(&mut response, Some(coding), length);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn brotli_first_gzip_next_and_what_is_refused_never() {
        assert_eq!(accepted(&with("gzip, deflate, br, zstd")), [Coding::Br, Coding::Gzip]);
        assert_eq!(accepted(&with("gzip;q=1.0, br;q=0.5")), [Coding::Br, Coding::Gzip]);
        assert_eq!(accepted(&with("gzip")), [Coding::Gzip]);
        assert_eq!(accepted(&with("br;q=0, gzip")), [Coding::Gzip]);
        assert_eq!(accepted(&with("*")), [Coding::Br, Coding::Gzip]);
        assert_eq!(accepted(&with("*, br;q=0")), [Coding::Gzip]);
        assert_eq!(accepted(&with("identity")), []);
        assert_eq!(accepted(&HeaderMap::new()), []);
    }

    #[test]
    fn copies_decompress_to_the_original() {
        use std::io::Read;
        let original = b"<!doctype html><title>PetPixel</title>".repeat(50);
        let br = compress(&original, Coding::Br);
        let mut back = Vec::new();
        brotli::Decompressor::new(br.as_slice(), 4096).read_to_end(&mut back).unwrap();
        assert_eq!(back, original);
        assert!(br.len() < original.len() / 10);
        let gz = compress(&original, Coding::Gzip);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_end(&mut back).unwrap();
        assert_eq!(back, original);
        assert!(compressible("app_bg.wasm") && compressible("index.html") && !compressible("hero.1.webp") && !compressible("jump.wav"));
    }
}
