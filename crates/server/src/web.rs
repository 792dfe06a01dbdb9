//! The team's web app (the Leptos SPA in `frontend/`), served from the binary.
//!
//! Hashed assets under `/assets/` are cached for a year; `index.html` is revalidated every time
//! and answers every client-side route (`login.html` answers `/login`). API, docs, metrics and game
//! paths never fall back to it. Every file goes out in the best coding the client takes, from the
//! compressed copies the build made beside it.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::config::{Config, StorageConfig};
use crate::encoding::{self, Coding};
use crate::error::AppError;
use crate::state::AppState;

#[derive(rust_embed::Embed)]
#[folder = "../../frontend/dist/"]
#[allow_missing = true]
struct Dist;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Paths that belong to the server, not to the SPA's router.
fn is_server_path(path: &str) -> bool {
    ["api", "g", "metrics", "preview", "socket.io"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

/// A bundle file, in the best coding the client takes of those the build made (`<file>.br`,
/// `<file>.gz` beside it), straight from the binary's memory.
fn file(path: &str, cache: &'static str, policy: &HeaderValue, codings: &[Coding]) -> Option<Response> {
    let original = Dist::get(path)?;
    let mime = original.metadata.mimetype().to_owned();
    let html = mime.starts_with("text/html");
    let encoded = codings.iter().find_map(|c| Dist::get(&format!("{path}{}", c.suffix())).map(|f| (f, *c)));
    let alternatives = encoded.is_some() || encoding::compressible(path);
    let (data, coding) = match encoded {
        Some((file, coding)) => (file.data, Some(coding)),
        None => (original.data, None),
    };
    let length = data.len();
    let body = match data {
        std::borrow::Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
    };
    let mut response = Response::new(Body::from(body));
    if alternatives {
        encoding::mark(&mut response, coding, length);
    }
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if html {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    }
    Some(response)
}

/// The page a route opens with: the login form itself on `/login`, the frame of the studio
/// elsewhere, both drawn before the web app has loaded (`xtask/src/frontend.rs` makes them).
fn page_for(path: &str) -> &'static str {
    if path == "login" {
        "login.html"
    } else {
        "index.html"
    }
}

/// The web app's Content-Security-Policy: its own scripts, the WASM they instantiate, and the one
/// inline bootstrap script of `index.html` by its hash; pictures and sounds also from the file
/// store's links (`files_origin`, for an S3 endpoint of another origin); no framing by other sites.
fn spa_policy(files_origin: Option<&str>, games_origin: Option<&str>) -> HeaderValue {
    static HASHES: OnceLock<String> = OnceLock::new();
    let hashes = HASHES.get_or_init(|| {
        let index = Dist::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned()).unwrap_or_default();
        inline_scripts(&index).map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script)))).collect()
    });
    let files = files_origin.map(|o| format!(" {o}")).unwrap_or_default();
    // The game preview's frame, on the games' own origin when there is one.
    let games = games_origin.map(|o| format!(" {o}")).unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob: https:{files}; media-src 'self' blob: https:{files}; connect-src 'self'; font-src 'self'; \
         frame-src 'self'{games}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
}

/// `scheme://host:port` of the S3 endpoint the file links point at, if it is set.
fn files_origin(config: &Config) -> Option<String> {
    let StorageConfig::S3(s3) = &config.storage else { return None };
    origin(s3.endpoint.as_deref()?)
}

/// `scheme://host:port` of an address, when it is a plain one.
fn origin(address: &str) -> Option<String> {
    let (scheme, rest) = address.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))?;
    Some(format!("{scheme}://{host}"))
}

/// The bodies of the `<script>` elements without a `src`, exactly as the browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (tag, rest) = rest.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!tag.contains("src=")).then_some(body)
    })
}

/// The router's fallback: a bundle file, else `index.html` for client-side routes, else 404.
pub async fn serve(State(state): State<AppState>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let games = state.config.games_url.as_deref().and_then(origin);
    let policy = spa_policy(files_origin(&state.config).as_deref(), games.as_deref());
    let path = uri.path().trim_start_matches('/');
    if is_server_path(path) || !(method == Method::GET || method == Method::HEAD) {
        return AppError::NotFound("Nothing lives at this address.".into()).into_response();
    }
    let codings = encoding::accepted(&headers);
    // Browsers ask for it whatever the page says; the build names the icon's file by its hash.
    if path == "favicon.ico" {
        if let Some(icon) = Dist::iter().find(|name| name.starts_with("assets/favicon-") && name.ends_with(".svg")) {
            return file(&icon, REVALIDATE, &policy, &codings).unwrap_or_else(|| not_built(policy));
        }
    }
    if !path.is_empty() && path != "login" {
        let cache = if path.starts_with("assets/") { IMMUTABLE } else { REVALIDATE };
        if let Some(response) = file(path, cache, &policy, &codings) {
            return response;
        }
        // A missing file (a stale hashed asset, say) must not come back as the HTML page.
        if path.rsplit('/').next().is_some_and(|last| last.contains('.')) {
            return AppError::NotFound("No such file.".into()).into_response();
        }
    }
    file(page_for(path), REVALIDATE, &policy, &codings)
        .or_else(|| file("index.html", REVALIDATE, &policy, &codings))
        .unwrap_or_else(|| not_built(policy))
}

fn not_built(policy: HeaderValue) -> Response {
    let html = "<!doctype html><meta charset=utf-8><title>PetPixel Studio</title>\
        <p>The web app has not been built into this server. Run <code>cargo xtask run</code>, \
        which builds it first. The API is up: see <a href=\"/api/docs/\">/api/docs</a>.";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, REVALIDATE)],
        [(header::CONTENT_SECURITY_POLICY, policy)],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_may_come_from_the_s3_endpoint() {
        let mut config = Config::for_tests(std::env::temp_dir(), "sqlite::memory:");
        assert_eq!(files_origin(&config), None);
        config.storage = StorageConfig::S3(crate::config::S3Config {
            endpoint: Some("http://127.0.0.1:8014/".into()),
            bucket: "b".into(),
            region: "us-east-1".into(),
            access_key_id: "k".into(),
            secret_access_key: "s".to_owned().into(),
            prefix: String::new(),
        });
        assert_eq!(files_origin(&config).as_deref(), Some("http://127.0.0.1:8014"));
        let policy = spa_policy(Some("http://127.0.0.1:8014"), None);
        let policy = policy.to_str().unwrap();
        assert!(policy.contains("frame-src 'self';"), "{policy}");
        assert!(policy.contains("img-src 'self' data: blob: https: http://127.0.0.1:8014;"), "{policy}");
        assert!(policy.contains("media-src 'self' blob: https: http://127.0.0.1:8014;"), "{policy}");
    }

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<head><script src=\"/a.js\"></script></head><body><script type=\"module\">\n  init();\n</script></body>";
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["\n  init();\n"]);
    }
}
