use axum::extract::State;
use axum::Json;
use petpixel_types::activity::{ActivityPage, ActivityQuery, CursorQuery};
use petpixel_types::Problem;
use uuid::Uuid;

use super::service::{self, Filter, View};
use crate::auth::Actor;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::{policy, projects, AppState};

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
    let limit = query.validate()?;
    let readable = policy::readable_activity_types(&actor);
    let resource_types = match query.resource_type {
        Some(t) if readable.contains(&t) => vec![t],
        Some(t) => return Err(AppError::forbidden(format!("You may not read `{}` activity.", t.as_str()))),
        None if readable.is_empty() => return Err(AppError::forbidden("You may not read the activity feed.")),
        None => readable,
    };
    let filter = Filter {
        resource_types,
        resource_id: query.resource_id,
        user_id: query.user_id,
        project_id: None,
        include_deleted_projects: policy::is_admin(&actor),
    };
    service::list(&state.db.conn, filter, view(&actor), query.before, limit).await.map(Json)
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
    policy::require(&actor, petpixel_types::Resource::Projects, petpixel_types::Action::Read)?;
    let limit = query.validate()?;
    projects::service::find(&state.db.conn, id).await?;
    let filter = Filter { resource_types: vec![], resource_id: None, user_id: None, project_id: Some(id), include_deleted_projects: false };
    service::list(&state.db.conn, filter, view(&actor), query.before, limit).await.map(Json)
}

fn view(actor: &Actor) -> View {
    View { client_details: policy::sees_client_details(actor) }
}
