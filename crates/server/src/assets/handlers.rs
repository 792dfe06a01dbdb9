//! `/api/v1/projects/{id}/assets...` and `/api/v1/assets/{id}...`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use petpixel_types::asset::{Asset, AssetType, AssetVersion, FileLink, LinkQuery, PresignUpload, PresignedUpload, UpdateAsset};
use petpixel_types::Problem;
use uuid::Uuid;

use super::service::{self, Which};
use super::upload;
use crate::actor::Actor;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiMultipart, ApiPath, ApiQuery};
use crate::state::AppState;

/// The form an upload sends; no other fields.
#[derive(utoipa::ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file: JPEG, PNG, HEIC or WebP pictures, MP3, OGG or WAV sounds, at most 10 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What it is for (left out for a new version: it keeps its asset's).
    asset_type: Option<AssetType>,
}

/// Whether a request is an upload through the API (which gets the longer upload timeout).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    method == axum::http::Method::POST
        && matches!(parts.as_slice(), ["", "api", "v1", "projects", _, "assets"] | ["", "api", "v1", "assets", _, "versions"])
}

/// Room for the form around the file: boundaries, headers, the `asset_type` field.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// Refuses at once a body that says it is larger than any upload, before reading a byte of it.
fn check_length(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    let max = state.config.max_upload_bytes;
    if declared.is_some_and(|n| n > max + FORM_OVERHEAD) {
        return Err(AppError::PayloadTooLarge(format!("`file`: {}", petpixel_types::asset::too_large(max))));
    }
    Ok(())
}

/// 201 with the new asset and where it lives.
type Created = (StatusCode, [(header::HeaderName, HeaderValue); 1], Json<Asset>);

fn created(asset: Asset) -> ApiResult<Created> {
    let location = HeaderValue::from_str(&format!("/api/v1/assets/{}", asset.id)).map_err(anyhow::Error::from)?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(asset)))
}

/// A project's assets, grouped by type, newest first.
#[utoipa::path(get, path = "/projects/{id}/assets", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The assets", body = Vec<Asset>),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_project_assets(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Vec<Asset>>> {
    service::list(&state, &actor, id).await.map(Json)
}

/// Upload a file as a new asset, streamed; checked from its content before it is kept.
#[utoipa::path(post, path = "/projects/{id}/assets", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored; processing follows", body = Asset, headers(("Location" = String))),
        (status = 400, description = "Not a well-formed form", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the upload limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a type taken (told from the content)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A cut-off or oversized picture, a wrong type for the asset, malware", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The virus scanner does not answer", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload_project_asset(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiMultipart(form): ApiMultipart,
) -> ApiResult<Created> {
    check_length(&state, &headers)?;
    created(upload::upload(&state, &actor, id, form).await?)
}

/// A link to upload one file straight to storage; then `POST /assets/{id}/complete`.
#[utoipa::path(post, path = "/projects/{id}/assets/presign", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = PresignUpload,
    responses(
        (status = 201, description = "Where and how to upload", body = PresignedUpload),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Too large, a type not taken, or a wrong type for the asset", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn presign_project_asset(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<PresignUpload>,
) -> ApiResult<(StatusCode, Json<PresignedUpload>)> {
    Ok((StatusCode::CREATED, Json(upload::presign(&state, &actor, id, &body).await?)))
}

/// The file was PUT to its link: check it (there, the size announced, the type announced, whole,
/// clean) and make it an asset. A refused file is removed.
#[utoipa::path(post, path = "/assets/{id}/complete", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 201, description = "Stored; processing follows", body = Asset, headers(("Location" = String))),
        (status = 404, description = "No upload waits with that id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not uploaded yet, or expired", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not the type announced, or not a type taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not the size announced, cut off, or malware", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn complete_asset_upload(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Created> {
    created(upload::complete(&state, &actor, id).await?)
}

/// An asset, with links to its thumbnail and preview.
#[utoipa::path(get, path = "/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The asset", body = Asset),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_asset(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Asset>> {
    service::get(&state, &actor, id).await.map(Json)
}

/// Rename an asset, or change what it is for.
#[utoipa::path(patch, path = "/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateAsset,
    responses(
        (status = 200, description = "The asset", body = Asset),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_asset(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateAsset>,
) -> ApiResult<Json<Asset>> {
    service::update(&state, &actor, id, &body).await.map(Json)
}

/// Delete an asset with every version; its files are removed right after.
#[utoipa::path(delete, path = "/assets/{id}", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_asset(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A time-limited link to download the original (of the current version, or `?version=`).
#[utoipa::path(get, path = "/assets/{id}/download", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path), LinkQuery),
    responses(
        (status = 200, description = "The link", body = FileLink),
        (status = 404, description = "No such asset or version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a version number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_asset_download(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> ApiResult<Json<FileLink>> {
    service::link(&state, &actor, id, query.version, Which::Original).await.map(Json)
}

/// A time-limited link to the 320 px thumbnail (WebP), once processed.
#[utoipa::path(get, path = "/assets/{id}/thumbnail", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path), LinkQuery),
    responses(
        (status = 200, description = "The link", body = FileLink),
        (status = 404, description = "No such asset, or no thumbnail (yet)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a version number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_asset_thumbnail(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> ApiResult<Json<FileLink>> {
    service::link(&state, &actor, id, query.version, Which::Thumbnail).await.map(Json)
}

/// A time-limited link to the web-sized preview (a picture without EXIF, or the sound).
#[utoipa::path(get, path = "/assets/{id}/preview", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path), LinkQuery),
    responses(
        (status = 200, description = "The link", body = FileLink),
        (status = 404, description = "No such asset, or no preview (yet)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a version number", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_asset_preview(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<LinkQuery>,
) -> ApiResult<Json<FileLink>> {
    service::link(&state, &actor, id, query.version, Which::Preview).await.map(Json)
}

/// Every version of an asset, newest first.
#[utoipa::path(get, path = "/assets/{id}/versions", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The versions", body = Vec<AssetVersion>),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_asset_versions(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<AssetVersion>>> {
    service::versions(&state, &actor, id).await.map(Json)
}

/// Upload a new version of an asset; the earlier ones stay.
#[utoipa::path(post, path = "/assets/{id}/versions", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The asset at its new version; processing follows", body = Asset, headers(("Location" = String))),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another version arrived at the same moment", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the upload limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a type taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Cut off, oversized, a wrong type for the asset, or malware", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn upload_asset_version(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiMultipart(form): ApiMultipart,
) -> ApiResult<Created> {
    check_length(&state, &headers)?;
    created(upload::upload_version(&state, &actor, id, form).await?)
}

/// Process the current version again.
#[utoipa::path(post, path = "/assets/{id}/process", tag = "assets", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued", body = Asset),
        (status = 404, description = "No such asset", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Being processed already", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn process_asset(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<Asset>)> {
    Ok((StatusCode::ACCEPTED, Json(service::reprocess(&state, &actor, id).await?)))
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    #[test]
    fn uploads_are_told_by_method_and_path() {
        assert!(super::is_upload(&Method::POST, "/api/v1/projects/0192/assets"));
        assert!(super::is_upload(&Method::POST, "/api/v1/assets/0192/versions"));
        assert!(!super::is_upload(&Method::GET, "/api/v1/projects/0192/assets"));
        assert!(!super::is_upload(&Method::POST, "/api/v1/projects/0192/assets/presign"));
        assert!(!super::is_upload(&Method::POST, "/api/v1/projects"));
    }
}
