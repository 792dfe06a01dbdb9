//! The team's web app (the Leptos SPA in `frontend/`), served from the binary.
//!
//! Hashed assets under `/assets/` are cached for a year; `index.html` is revalidated every time
//! and answers every client-side route. API, docs, metrics and game paths never fall back to it.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

use crate::error::AppError;

#[derive(rust_embed::Embed)]
#[folder = "../../frontend/dist/"]
#[allow_missing = true]
struct Dist;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Paths that belong to the server, not to the SPA's router.
fn is_server_path(path: &str) -> bool {
    ["api", "g", "metrics", "socket.io"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

fn file(path: &str, cache: &'static str) -> Option<Response> {
    let file = Dist::get(path)?;
    let mime = file.metadata.mimetype().to_owned();
    let html = mime.starts_with("text/html");
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if html {
        headers.insert(header::CONTENT_SECURITY_POLICY, spa_policy().clone());
    }
    Some(response)
}

/// The web app's Content-Security-Policy: its own scripts, the WASM they instantiate, and the one
/// inline bootstrap script of `index.html` by its hash; no framing by other sites.
fn spa_policy() -> &'static HeaderValue {
    static POLICY: OnceLock<HeaderValue> = OnceLock::new();
    POLICY.get_or_init(|| {
        let index = Dist::get("index.html").map(|f| String::from_utf8_lossy(&f.data).into_owned()).unwrap_or_default();
        let hashes: String =
            inline_scripts(&index).map(|script| format!(" 'sha256-{}'", STANDARD.encode(Sha256::digest(script)))).collect();
        let policy = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: blob: https:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"))
    })
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
pub async fn serve(method: Method, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if is_server_path(path) || !(method == Method::GET || method == Method::HEAD) {
        return AppError::NotFound("Nothing lives at this address.".into()).into_response();
    }
    if !path.is_empty() {
        let cache = if path.starts_with("assets/") { IMMUTABLE } else { REVALIDATE };
        if let Some(response) = file(path, cache) {
            return response;
        }
        // A missing file (a stale hashed asset, say) must not come back as the HTML page.
        if path.rsplit('/').next().is_some_and(|last| last.contains('.')) {
            return AppError::NotFound("No such file.".into()).into_response();
        }
    }
    file("index.html", REVALIDATE).unwrap_or_else(not_built)
}

fn not_built() -> Response {
    let html = "<!doctype html><meta charset=utf-8><title>PetPixel Studio</title>\
        <p>The web app has not been built into this server. Run <code>cargo xtask run</code>, \
        which builds it first. The API is up: see <a href=\"/api/docs/\">/api/docs</a>.";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, REVALIDATE)],
        [(header::CONTENT_SECURITY_POLICY, spa_policy().clone())],
        html,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inline_scripts_only() {
        let html = "<head><script src=\"/a.js\"></script></head><body><script type=\"module\">\n  init();\n</script></body>";
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["\n  init();\n"]);
    }
}
