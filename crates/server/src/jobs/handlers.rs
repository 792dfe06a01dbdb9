use axum::extract::State;
use axum::Json;
use petpixel_types::job::{Job, JobQuery};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Background jobs, newest first; `?status=failed` for the ones that gave up. Admins only.
#[utoipa::path(get, path = "/jobs", tag = "jobs", security(("bearer" = [])), params(JobQuery),
    responses(
        (status = 200, description = "A page of jobs", body = Page<Job>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_jobs(State(state): State<AppState>, actor: Actor, ApiQuery(query): ApiQuery<JobQuery>) -> ApiResult<Json<Page<Job>>> {
    service::list(&state, &actor, &query).await.map(Json)
}

/// Run a failed job again now, its tries counted afresh. Admins only.
#[utoipa::path(post, path = "/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Queued again", body = Job),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job has not failed", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn retry_job(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Job>> {
    service::retry(&state, &actor, id).await.map(Json)
}
