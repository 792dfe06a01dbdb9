//! JSON answers of more than a kilobyte go out compressed, brotli or gzip as the client takes
//! them. A studio reads the same pages over and over (the board, a list page, a project), so
//! each read's compressed copy is kept, found by the answer's own bytes: an answer the same as
//! one already sent costs a hash and a comparison, not a compression, and a changed one can
//! never be served an old copy. Only reads are kept (a write's answer may carry a secret shown
//! once); the copies live in a bounded cache, the least used going first.

use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body::Body as _;

use super::{accepted, encode, Coding, Effort};

/// Smaller answers go as they are: compressing them saves less than it costs.
pub const MIN_BYTES: u64 = 1024;
/// Bytes of answers and their copies kept, all together.
const KEPT_BYTES: u64 = 32 << 20;
/// Answers larger than this are compressed off the async threads.
const INLINE_BYTES: usize = 256 << 10;

type Copies = moka::sync::Cache<(Coding, Bytes), Bytes, foldhash::fast::RandomState>;

fn copies() -> &'static Copies {
    static COPIES: OnceLock<Copies> = OnceLock::new();
    COPIES.get_or_init(|| {
        moka::sync::Cache::builder()
            .max_capacity(KEPT_BYTES)
            .weigher(|(_, answer): &(Coding, Bytes), copy: &Bytes| u32::try_from(answer.len() + copy.len()).unwrap_or(u32::MAX))
            .build_with_hasher(foldhash::fast::RandomState::default())
    })
}

fn is_json(response: &Response) -> bool {
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    kind.starts_with("application/json") || kind.starts_with("application/problem+json")
}

pub async fn compress(request: Request, next: Next) -> Response {
    let coding = accepted(request.headers()).first().copied();
    let read = request.method() == Method::GET;
    let mut response = next.run(request).await;
    // Only whole answers of a known size: a stream is not held back.
    let size = response.body().size_hint().exact();
    if !is_json(&response) || response.headers().contains_key(header::CONTENT_ENCODING) || size.is_none_or(|s| s < MIN_BYTES) {
        return response;
    }
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    let Some(coding) = coding else { return response };

    let (mut parts, body) = response.into_parts();
    let answer = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!(error = %e, "reading an answer to compress it");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let key = (coding, answer);
    let copy = match read.then(|| copies().get(&key)).flatten() {
        Some(copy) => copy,
        None => {
            let answer = key.1.clone();
            let copy = if answer.len() > INLINE_BYTES {
                tokio::task::spawn_blocking(move || Bytes::from(encode(&answer, coding, Effort::Quick))).await.unwrap_or_default()
            } else {
                Bytes::from(encode(&answer, coding, Effort::Quick))
            };
            if copy.is_empty() {
                return Response::from_parts(parts, Body::from(key.1));
            }
            if read {
                copies().insert(key, copy.clone());
            }
            copy
        }
    };
    parts.headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from(copy.len()));
    Response::from_parts(parts, Body::from(copy))
}
