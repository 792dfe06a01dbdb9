//! `/api/v1/urls/...` and `/api/v1/projects/{id}/urls...`.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Json;
use petpixel_types::url::{
    AnalyticsQuery, DeployUrl, GameUrl, ReserveUrl, SlugCheck, SlugProposals, SlugQuery, UrlAnalytics, UrlListItem, UrlQuery,
};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Proposes addresses for a project's game, made from the pet's name, personality, breed and
/// theme, each with whether it is available (available ones first).
#[utoipa::path(post, path = "/projects/{id}/urls/generate", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The proposals", body = SlugProposals),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn generate_project_urls(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SlugProposals>> {
    Ok(Json(service::generate(&state, &actor, id).await?))
}

/// Whether a slug can be reserved; if not, why (`taken`, `reserved`, `blocked`, `invalid`) and
/// available ones like it.
#[utoipa::path(get, path = "/urls/check", tag = "urls", security(("bearer" = [])), params(SlugQuery),
    responses(
        (status = 200, description = "The answer", body = SlugCheck),
        (status = 422, description = "No `slug` given", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn check_url(State(state): State<AppState>, actor: Actor, ApiQuery(query): ApiQuery<SlugQuery>) -> ApiResult<Json<SlugCheck>> {
    Ok(Json(service::check(&state, &actor, &query.slug).await?))
}

/// Reserves an address for the project's game until `expires_at` (`PETPIXEL_URL_RESERVATION_DAYS`,
/// 14 by default). Atomic: of concurrent reservations of one slug exactly one wins.
#[utoipa::path(post, path = "/projects/{id}/urls", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = ReserveUrl,
    responses(
        (status = 201, description = "Reserved; it is at `Location`", body = GameUrl),
        (status = 403, description = "Not allowed (managers and admins reserve)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is held (`alternatives` lists available ones), or the project already has a live address", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An invalid or blocked slug", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn reserve_project_url(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ReserveUrl>,
) -> ApiResult<(StatusCode, [(header::HeaderName, HeaderValue); 1], Json<GameUrl>)> {
    let url = service::reserve(&state, &actor, id, &request).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/urls/{}", url.id)).map_err(anyhow::Error::from)?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(url)))
}

/// Every address with its game's pet and customer: filter by status, search, sort, page.
#[utoipa::path(get, path = "/urls", tag = "urls", security(("bearer" = [])), params(UrlQuery),
    responses(
        (status = 200, description = "The addresses", body = Page<UrlListItem>),
        (status = 422, description = "A bad filter, order or page", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_urls(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<UrlQuery>,
) -> ApiResult<Json<Page<UrlListItem>>> {
    let filter = query.validate()?;
    Ok(Json(service::list(&state, &actor, &filter).await?))
}

/// An address.
#[utoipa::path(get, path = "/urls/{id}", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The address", body = GameUrl),
        (status = 404, description = "No such address", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_url(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<GameUrl>> {
    Ok(Json(service::get(&state, &actor, id).await?))
}

/// Releases an address: its page answers 410 and its slug is free for anyone.
#[utoipa::path(delete, path = "/urls/{id}", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Released"),
        (status = 403, description = "Not allowed (managers and admins release)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such address", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already expired or released", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_url(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::release(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deploys a ready build of the project to the address: it serves that build from the moment
/// this answers, on every server. Redeploying an earlier build rolls back.
#[utoipa::path(post, path = "/urls/{id}/deploy", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = DeployUrl,
    responses(
        (status = 200, description = "Live", body = GameUrl),
        (status = 403, description = "Not allowed (managers and admins deploy)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such address", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address has expired or was released", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`build_id` is not a ready build of this project", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn deploy_url(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<DeployUrl>,
) -> ApiResult<Json<GameUrl>> {
    Ok(Json(service::deploy(&state, &actor, id, &request).await?))
}

/// An address's views: total, last view, and a daily series (UTC) ending today. Views reach the
/// database every few seconds (`PETPIXEL_VIEW_FLUSH_SECS`).
#[utoipa::path(get, path = "/urls/{id}/analytics", tag = "urls", security(("bearer" = [])), params(("id" = Uuid, Path), AnalyticsQuery),
    responses(
        (status = 200, description = "The views", body = UrlAnalytics),
        (status = 403, description = "Needs `analytics:read` (managers and admins)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such address", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`days` out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_url_analytics(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<AnalyticsQuery>,
) -> ApiResult<Json<UrlAnalytics>> {
    let days = query.validate()?;
    Ok(Json(service::analytics(&state, &actor, id, days).await?))
}
