use axum::extract::State;
use axum::Json;
use petpixel_types::activity::{ActivityPage, ActivityQuery, CursorQuery};
use petpixel_types::Problem;
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// The activity feed, newest first, paged by cursor.
///
/// Shows the resource types the caller may read: project work for everyone who reads projects,
/// user and token changes for those who read users.
#[utoipa::path(get, path = "/activity", tag = "activity", security(("bearer" = [])), params(ActivityQuery),
    responses(
        (status = 200, description = "A page of entries", body = ActivityPage),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ActivityQuery>,
) -> ApiResult<Json<ActivityPage>> {
    service::feed(&state.db.conn, &actor, &query).await.map(Json)
}

/// A project's activity, its assets', URLs' and builds' included, newest first.
#[utoipa::path(get, path = "/projects/{id}/activity", tag = "activity", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The project"), CursorQuery),
    responses(
        (status = 200, description = "A page of entries", body = ActivityPage),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_project_activity(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<CursorQuery>,
) -> ApiResult<Json<ActivityPage>> {
    service::project_feed(&state.db.conn, &actor, id, &query).await.map(Json)
}
