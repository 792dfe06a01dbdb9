//! Playing a build before it is deployed: `/preview/<build>/<expires>.<signature>/`, a link
//! signed with the server's preview key and good until `expires`. The game's files are relative
//! to it, so the one signature covers the whole bundle.
//!
//! Every answer carries `Content-Security-Policy: sandbox allow-scripts`: the page runs in an
//! opaque origin, so a game's script has no cookie, no storage and no same-origin access to the
//! API, whoever opens it. Its files are fetched cross-origin from that opaque origin, hence
//! `Access-Control-Allow-Origin: *` (they are public, and no credentials are ever honoured).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::encoding::{self, Coding};
use crate::state::AppState;
use crate::storage::{link_expiry, Object, ObjectKey, StorageError};

pub const SANDBOX: &str = "sandbox allow-scripts";
/// The hashed files of a bundle never change; the page that names them is checked every time.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub const REVALIDATE: &str = "no-cache";

fn mac(key: &[u8; 32], build: Uuid, expires: i64) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(format!("preview\n{build}\n{expires}").as_bytes());
    mac
}

/// A link to play `build`, and until when it works. Links are made per time window (as file
/// links are), so reading a build twice gives the same link and the browser's cache holds.
pub fn link(state: &AppState, build: Uuid) -> (String, DateTime<Utc>) {
    let expires_at = link_expiry(state.config.download_link_ttl);
    let expires = expires_at.timestamp();
    let signature = hex::encode(mac(&state.preview_key, build, expires).finalize().into_bytes());
    let base = state.config.games_url.as_deref().unwrap_or(&state.config.public_url);
    (format!("{base}/preview/{build}/{expires}.{signature}/"), expires_at)
}

/// Whether `token` (`<expires>.<signature>`) is a link to `build`; `Err(true)` when it was one
/// that has expired.
fn check(key: &[u8; 32], build: Uuid, token: &str, now: i64) -> Result<(), bool> {
    let (expires, signature) = token.split_once('.').ok_or(false)?;
    let expires: i64 = expires.parse().map_err(|_| false)?;
    let signature = hex::decode(signature).map_err(|_| false)?;
    // Constant time, through the MAC's own comparison.
    mac(key, build, expires).verify_slice(&signature).map_err(|_| false)?;
    if now > expires {
        return Err(true);
    }
    Ok(())
}

/// The content type by the file's extension: the bundle's names are the builder's own.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("webp") => "image/webp",
        Some("png") => "image/png",
        Some("jpg") => "image/jpeg",
        Some("mp3") => "audio/mpeg",
        Some("wav") => "audio/wav",
        _ => "application/octet-stream",
    }
}

/// A small page of our own (not found, gone, ...), sandboxed with nothing to run.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title></head><body style=\"font-family:system-ui,sans-serif;display:grid;place-items:center;min-height:90vh;\
         margin:0;background:#1d1b2c;color:#fff;text-align:center\"><div><h1>{title}</h1><p>{message}</p></div></body></html>"
    );
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'; style-src 'unsafe-inline'"));
    response
}

fn not_found() -> Response {
    page(StatusCode::NOT_FOUND, "No such game", "There is nothing to play at this address.")
}

/// `GET /preview/{build}/{token}/`: the game's page.
pub async fn serve_index(State(state): State<AppState>, headers: HeaderMap, Path((build, token)): Path<(Uuid, String)>) -> Response {
    serve(&state, &headers, build, &token, "index.html").await
}

/// `GET /preview/{build}/{token}/{file}`: one file of the bundle.
pub async fn serve_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((build, token, file)): Path<(Uuid, String, String)>,
) -> Response {
    serve(&state, &headers, build, &token, &file).await
}

/// The file's best copy the client takes (the build stored them beside it), or the file.
async fn stored(state: &AppState, key: &ObjectKey, codings: &[Coding]) -> Result<(Object, Option<Coding>), StorageError> {
    if encoding::compressible(key.as_str()) {
        for coding in codings {
            match ObjectKey::new(format!("{key}{}", coding.suffix())) {
                Ok(copy) => match state.storage.get(&copy).await {
                    Ok(object) => return Ok((object, Some(*coding))),
                    // A build from before the copies were made.
                    Err(StorageError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                },
                Err(_) => break,
            }
        }
    }
    state.storage.get(key).await.map(|object| (object, None))
}

async fn serve(state: &AppState, headers: &HeaderMap, build: Uuid, token: &str, file: &str) -> Response {
    match check(&state.preview_key, build, token, Utc::now().timestamp()) {
        Ok(()) => {}
        Err(true) => {
            return page(StatusCode::GONE, "This preview link has expired", "Open the build in PetPixel Studio again for a fresh link.")
        }
        Err(false) => return not_found(),
    }
    let valid = !file.is_empty() && !file.starts_with('.') && file.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    let Some(key) = valid.then(|| ObjectKey::new(format!("builds/{build}/{file}")).ok()).flatten() else { return not_found() };
    let (object, coding) = match stored(state, &key, &encoding::accepted(headers)).await {
        Ok(found) => found,
        Err(StorageError::NotFound(_)) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, %build, file, "a preview file could not be read");
            return page(StatusCode::SERVICE_UNAVAILABLE, "The game could not be loaded", "Try again in a moment.");
        }
    };
    let mut response = Response::new(Body::from_stream(object.body));
    if encoding::compressible(file) {
        encoding::mark(&mut response, coding, usize::try_from(object.meta.size).unwrap_or(usize::MAX));
    }
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(file)));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.meta.size));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(if file == "index.html" { REVALIDATE } else { IMMUTABLE }));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOX));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_good_for_its_build_until_it_expires() {
        let key = [7u8; 32];
        let build = Uuid::now_v7();
        let token = |b, expires| format!("{expires}.{}", hex::encode(mac(&key, b, expires).finalize().into_bytes()));
        assert_eq!(check(&key, build, &token(build, 1000), 999), Ok(()));
        assert_eq!(check(&key, build, &token(build, 1000), 1001), Err(true), "expired");
        assert_eq!(check(&key, Uuid::now_v7(), &token(build, 1000), 999), Err(false), "another build's");
        assert_eq!(check(&[8u8; 32], build, &token(build, 1000), 999), Err(false), "another key's");
        let forged = token(build, 1000).replace("1000.", "2000.");
        assert_eq!(check(&key, build, &forged, 999), Err(false), "a moved expiry");
        assert_eq!(check(&key, build, "nonsense", 0), Err(false));
        assert_eq!(check(&key, build, "1000.zz", 0), Err(false));
    }
}
