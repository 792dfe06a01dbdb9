use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::Json;
use petpixel_types::project::{CreateProject, Project, ProjectDetail, ProjectQuery, ProjectStats, SetAssignee, SetStatus, UpdateProject};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::{ApiResult, AppError};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

fn etag(version: i32) -> [(header::HeaderName, HeaderValue); 1] {
    [(header::ETAG, HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\"")))]
}

/// The version in `If-Match: "3"`, if sent.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<i32>> {
    let Some(value) = headers.get(header::IF_MATCH) else { return Ok(None) };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    if text == "*" {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| AppError::bad_request("`If-Match` must hold the project's version, as its ETag gives it (\"3\")."))
}

/// Projects, filtered, searched, sorted and paged.
#[utoipa::path(get, path = "/projects", tag = "projects", security(("bearer" = [])), params(ProjectQuery),
    responses(
        (status = 200, description = "A page of projects", body = Page<Project>),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_projects(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Page<Project>>> {
    service::list(&state, &actor, &query).await.map(Json)
}

/// The workload at a glance: projects per status, per artist and status, due this week, overdue.
#[utoipa::path(get, path = "/projects/stats", tag = "projects", security(("bearer" = [])),
    responses((status = 200, description = "The counts", body = ProjectStats)))]
pub async fn get_project_stats(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<ProjectStats>> {
    service::stats(&state, &actor).await.map(Json)
}

/// Order intake: a new project in the backlog.
#[utoipa::path(post, path = "/projects", tag = "projects", security(("bearer" = [])), request_body = CreateProject,
    responses(
        (status = 201, description = "Created", body = Project, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_project(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateProject>,
) -> ApiResult<(StatusCode, [(header::HeaderName, HeaderValue); 2], Json<Project>)> {
    let project = service::create(&state, &actor, &body).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/projects/{}", project.id)).map_err(anyhow::Error::from)?;
    let [etag] = etag(project.version);
    Ok((StatusCode::CREATED, [(header::LOCATION, location), etag], Json(project)))
}

/// A project with its assets and URLs.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The project", body = ProjectDetail, headers(("ETag" = String))),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_project(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<([(header::HeaderName, HeaderValue); 1], Json<ProjectDetail>)> {
    let detail = service::get(&state, &actor, id).await?;
    Ok((etag(detail.project.version), Json(detail)))
}

/// Edit a project. Artists edit only projects assigned to them. Send `If-Match` with the ETag you
/// loaded to be refused (409) if someone changed it meanwhile.
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("If-Match" = Option<String>, Header, description = "The ETag you loaded", nullable = false, pattern = "^ *(\\*|(W/)?\"?[0-9]{1,9}\"?) *$")),
    request_body = UpdateProject,
    responses(
        (status = 200, description = "The updated project", body = Project, headers(("ETag" = String))),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you loaded it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_project(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpdateProject>,
) -> ApiResult<([(header::HeaderName, HeaderValue); 1], Json<Project>)> {
    let expected = if_match(&headers)?;
    let project = service::update(&state, &actor, id, &body, expected).await?;
    Ok((etag(project.version), Json(project)))
}

/// Soft-delete a project: it leaves every list and lookup, its history stays.
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_project(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Bring a deleted project back (admins), until the removal job purges it
/// (`PETPIXEL_DELETED_RETENTION_DAYS` after its deletion). Its game address, released when it was
/// deleted, is not: reserve a new one.
#[utoipa::path(post, path = "/projects/{id}/restore", tag = "projects", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The project, back in every list", body = Project),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project (never made, or purged)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It is not deleted", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn restore_project(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Project>> {
    Ok(Json(service::restore(&state, &actor, id).await?))
}

/// Move a project along backlog -> in_progress -> review -> complete. Review may go back to
/// in_progress; a manager may reopen a complete project. Other moves: 409.
#[utoipa::path(put, path = "/projects/{id}/status", tag = "projects", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SetStatus,
    responses(
        (status = 200, description = "The updated project", body = Project),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a step of the workflow", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_project_status(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SetStatus>,
) -> ApiResult<Json<Project>> {
    service::set_status(&state, &actor, id, body.status).await.map(Json)
}

/// Assign the project to an artist, or unassign it with `null`. Managers only.
#[utoipa::path(put, path = "/projects/{id}/assignee", tag = "projects", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SetAssignee,
    responses(
        (status = 200, description = "The updated project", body = Project),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No active user with that id", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_project_assignee(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SetAssignee>,
) -> ApiResult<Json<Project>> {
    service::set_assignee(&state, &actor, id, body.artist_id).await.map(Json)
}
