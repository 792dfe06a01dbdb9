//! The team's web app (the Leptos SPA in `frontend/`), served from the binary.
//!
//! Hashed assets under `/assets/` are cached for a year; `index.html` is revalidated every time
//! and answers every client-side route. API, docs, metrics and game paths never fall back to it.

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

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
    let mut response = Response::new(Body::from(file.data.into_owned()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_str(&mime).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Some(response)
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
    (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, REVALIDATE)], html)
        .into_response()
}
