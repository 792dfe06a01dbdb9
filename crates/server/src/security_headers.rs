//! Headers every answer carries: no MIME sniffing, no referrer sent off-site, HSTS when the app is
//! reached over https, and no caching of anything under `/api/v1/auth` (tokens pass through it).
//! The web app's pages add their Content-Security-Policy in `web.rs`, which knows the page.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let auth = request.uri().path().starts_with("/api/v1/auth/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if state.config.public_url.starts_with("https://") {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if auth {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
