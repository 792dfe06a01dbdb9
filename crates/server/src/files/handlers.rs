use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use petpixel_types::Problem;

use crate::error::{ApiResult, AppError};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::storage::links::{verify, LinkMethod, LinkQuery};
use crate::storage::{LocalStore, Storage};

fn local_only(state: &AppState) -> ApiResult<&LocalStore> {
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
        (status = 403, description = "The link was changed, is for another method, or has expired; or its upload was completed", body = Problem, content_type = "application/problem+json"),
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
    crate::assets::upload::may_stage(&state, &grant.key).await?;
    let sent_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if sent_type != content_type {
        return Err(AppError::UnsupportedMediaType(format!("This link takes `{content_type}` only.")));
    }
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|d| d > length) {
        return Err(AppError::PayloadTooLarge(format!("This link takes {length} bytes.")));
    }
    // Past the announced size the stream fails, and the half-written object is never kept.
    let too_long = Arc::new(AtomicBool::new(false));
    let flag = too_long.clone();
    let mut seen = 0u64;
    let stream = body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen += chunk.len() as u64;
        if seen > length {
            flag.store(true, Ordering::Relaxed);
            return Err(std::io::Error::other(format!("more than the {length} bytes the link allows")));
        }
        Ok(chunk)
    });
    match state.storage.put(&grant.key, &content_type, length, Box::pin(stream)).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT),
        Err(_) if too_long.load(Ordering::Relaxed) => Err(AppError::PayloadTooLarge(format!("This link takes {length} bytes."))),
        Err(e) => Err(e.into()),
    }
}
