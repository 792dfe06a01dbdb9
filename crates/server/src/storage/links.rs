//! Time-limited links for the folder backend: `/api/files?key=..&expires=..&signature=..`, an
//! HMAC-SHA256 over what the link allows (method, key, expiry, and for uploads the type and
//! size), checked here. The same semantics as S3's presigned URLs: anyone holding the link may
//! use it until it expires, for that object and that method only.

use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use petpixel_types::Problem;
use serde::Deserialize;
use sha2::Sha256;

use super::{ObjectKey, Storage};
use crate::error::{ApiResult, AppError};
use crate::extract::ApiQuery;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMethod {
    Get,
    Put,
}

/// What a link allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub method: LinkMethod,
    pub key: ObjectKey,
    /// Unix seconds.
    pub expires: i64,
    pub content_type: Option<String>,
    pub length: Option<u64>,
}

impl Grant {
    pub fn get(key: ObjectKey, expires_in: Duration) -> Self {
        Grant { method: LinkMethod::Get, key, expires: expiry(expires_in), content_type: None, length: None }
    }

    pub fn put(key: ObjectKey, content_type: &str, length: u64, expires_in: Duration) -> Self {
        Grant {
            method: LinkMethod::Put,
            key,
            expires: expiry(expires_in),
            content_type: Some(content_type.to_owned()),
            length: Some(length),
        }
    }

    fn message(&self) -> String {
        let method = match self.method {
            LinkMethod::Get => "GET",
            LinkMethod::Put => "PUT",
        };
        let length = self.length.map(|l| l.to_string()).unwrap_or_default();
        format!("{method}\n{}\n{}\n{}\n{length}", self.key, self.expires, self.content_type.as_deref().unwrap_or(""))
    }

    pub fn signature(&self, secret: &[u8; 32]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(self.message().as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// The link's query string.
    pub fn query(&self, secret: &[u8; 32]) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("key", self.key.as_str()).append_pair("expires", &self.expires.to_string());
        if let Some(t) = &self.content_type {
            q.append_pair("type", t);
        }
        if let Some(l) = self.length {
            q.append_pair("size", &l.to_string());
        }
        q.append_pair("signature", &self.signature(secret));
        q.finish()
    }
}

fn expiry(expires_in: Duration) -> i64 {
    chrono::Utc::now().timestamp() + i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX / 2)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The query of a signed link.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// The object.
    #[param(max_length = 512)]
    pub key: String,
    /// Unix seconds after which the link no longer works.
    pub expires: i64,
    /// Uploads: the content type the upload must declare.
    #[serde(rename = "type")]
    #[param(rename = "type", max_length = 255)]
    pub content_type: Option<String>,
    /// Uploads: the exact size in bytes.
    pub size: Option<u64>,
    /// HMAC-SHA256 of what the link allows, in hex.
    #[param(max_length = 64)]
    pub signature: String,
}

/// Checks a link: signed by this server, for this method, not expired.
pub fn verify(method: LinkMethod, query: LinkQuery, secret: &[u8; 32]) -> ApiResult<Grant> {
    let refused = || AppError::forbidden("This link is not valid: it was changed, or it is for something else.");
    let key = ObjectKey::new(query.key).map_err(|_| refused())?;
    let grant = Grant { method, key, expires: query.expires, content_type: query.content_type, length: query.size };
    let expected = grant.signature(secret);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), query.signature.as_bytes())) {
        return Err(refused());
    }
    if chrono::Utc::now().timestamp() > grant.expires {
        return Err(AppError::forbidden("This link has expired; ask for a new one."));
    }
    Ok(grant)
}

fn local_only(state: &AppState) -> ApiResult<&super::LocalStore> {
    match &state.storage {
        Storage::Local(store) => Ok(store),
        Storage::S3(_) => Err(AppError::NotFound("Files are served by the S3 store's own links here.".into())),
    }
}

/// Download a file through a signed link (the folder backend's links point here).
#[utoipa::path(get, path = "/api/files", tag = "files", params(LinkQuery),
    responses(
        (status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 403, description = "The link was changed, is for another method, or has expired", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed link", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_file(State(state): State<AppState>, ApiQuery(query): ApiQuery<LinkQuery>) -> ApiResult<Response> {
    let store = local_only(&state)?;
    let grant = verify(LinkMethod::Get, query, store.links_key())?;
    let object = state.storage.get(&grant.key).await?;
    let content_type = object.meta.content_type.as_deref().unwrap_or("application/octet-stream");
    let mut response = Response::new(Body::from_stream(object.body));
    let headers = response.headers_mut();
    headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(object.meta.size));
    // Shown as a download, never rendered as a page of this origin.
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=300"));
    Ok(response)
}

/// Upload a file through a signed link: exactly the size and type the link names.
#[utoipa::path(put, path = "/api/files", tag = "files", params(LinkQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 204, description = "Stored"),
        (status = 400, description = "The body was not the size the link names", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The link was changed, is for another method, or has expired", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "This server's files are on S3", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the link allows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not the content type the link names", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A malformed link", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn put_file(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LinkQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let store = local_only(&state)?;
    let grant = verify(LinkMethod::Put, query, store.links_key())?;
    let (Some(content_type), Some(length)) = (grant.content_type.clone(), grant.length) else {
        return Err(AppError::forbidden("This link is not an upload link."));
    };
    let sent_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent_type != content_type {
        return Err(AppError::UnsupportedMediaType(format!("This link takes `{content_type}` only.")));
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|d| d > length) {
        return Err(AppError::PayloadTooLarge(format!("This link takes {length} bytes.")));
    }
    // Past the announced size the stream fails, and the half-written object is never kept.
    let mut seen = 0u64;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > length {
            return Err(std::io::Error::other(format!("more than the {length} bytes the link allows")));
        }
        Ok(chunk)
    });
    match state.storage.put(&grant.key, &content_type, length, Box::pin(stream)).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(super::StorageError::Backend(e)) if e.contains("the link allows") => {
            Err(AppError::PayloadTooLarge(format!("This link takes {length} bytes.")))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_everything_the_link_allows() {
        let secret = [7u8; 32];
        let key = ObjectKey::new("projects/p/a").unwrap();
        let grant = Grant::put(key.clone(), "image/png", 10, Duration::from_secs(60));
        let query = |g: &Grant, signature: String| LinkQuery {
            key: g.key.to_string(),
            expires: g.expires,
            content_type: g.content_type.clone(),
            size: g.length,
            signature,
        };
        assert!(verify(LinkMethod::Put, query(&grant, grant.signature(&secret)), &secret).is_ok());
        assert!(verify(LinkMethod::Get, query(&grant, grant.signature(&secret)), &secret).is_err(), "another method");
        let bigger = Grant { length: Some(11), ..grant.clone() };
        assert!(verify(LinkMethod::Put, query(&bigger, grant.signature(&secret)), &secret).is_err(), "another size");
        assert!(verify(LinkMethod::Put, query(&grant, grant.signature(&[8u8; 32])), &secret).is_err(), "another server");
        let stale = Grant { expires: chrono::Utc::now().timestamp() - 1, ..grant.clone() };
        assert!(verify(LinkMethod::Put, query(&stale, stale.signature(&secret)), &secret).is_err(), "expired");
    }
}
