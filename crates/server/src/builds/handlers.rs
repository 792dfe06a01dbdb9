//! `/api/v1/projects/{id}/builds` and `/api/v1/builds/{id}`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Json;
use petpixel_types::build::{Build, BuildQuery, CreateBuild};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Builds a game from a template: queued at once, made by the job queue. Unset parameters come
/// from the project's difficulty preset, then the template's defaults.
#[utoipa::path(post, path = "/projects/{id}/builds", tag = "builds", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = CreateBuild,
    responses(
        (status = 202, description = "Queued; follow it at `Location`", body = Build),
        (status = 403, description = "Not allowed (artists build their own projects)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown template, slot, text or asset, a slot the package may not fill, a parameter out of bounds", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_project_build(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<CreateBuild>,
) -> ApiResult<(StatusCode, [(header::HeaderName, HeaderValue); 1], Json<Build>)> {
    let build = service::create(&state, &actor, id, &request).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/builds/{}", build.id)).map_err(anyhow::Error::from)?;
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, location)], Json(build)))
}

/// A project's builds, newest first.
#[utoipa::path(get, path = "/projects/{id}/builds", tag = "builds", security(("bearer" = [])), params(("id" = Uuid, Path), BuildQuery),
    responses(
        (status = 200, description = "The builds", body = Page<Build>),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad page", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_project_builds(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<BuildQuery>,
) -> ApiResult<Json<Page<Build>>> {
    Ok(Json(service::list(&state, &actor, id, &query).await?))
}

/// A build: its status, per-slot failures, log, files and, when ready, a fresh preview link.
#[utoipa::path(get, path = "/builds/{id}", tag = "builds", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The build", body = Build),
        (status = 404, description = "No such build", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_build(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Build>> {
    Ok(Json(service::get(&state, &actor, id).await?))
}

/// Deletes a finished build and its files.
#[utoipa::path(delete, path = "/builds/{id}", tag = "builds", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not allowed (managers and admins delete builds)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such build", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still being made, or live at an address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_build(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
