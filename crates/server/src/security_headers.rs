//! Headers every answer carries: no MIME sniffing, no referrer sent off-site, HSTS when the app is
//! reached over https; no caching of the API's answers (tokens and personal data pass through
//! them); a Content-Security-Policy for the API documentation.
//! The web app's pages add their Content-Security-Policy in `web.rs`, which knows the page.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// The API documentation's policy: Swagger UI's own scripts and styles, calls to this API only,
/// framed by no one.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub async fn add(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let (auth, api, docs) = (path.starts_with("/api/v1/auth/"), path.starts_with("/api/"), path.starts_with("/api/docs"));
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
    if docs {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DOCS_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    } else if api && !headers.contains_key(header::CACHE_CONTROL) {
        // The API's answers name people and customers: no browser or proxy keeps them, unless
        // the answer says otherwise (a signed file link's download).
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// An answer that carries a secret (tokens, a signing secret): never cached by a browser or a
/// proxy, and never kept for an idempotent replay (the layer sees its mark).
pub struct Secret<T>(pub T);

/// The mark [`Secret`] leaves on a response.
#[derive(Clone, Copy)]
pub struct CarriesSecret;

impl<T: IntoResponse> IntoResponse for Secret<T> {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.extensions_mut().insert(CarriesSecret);
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
