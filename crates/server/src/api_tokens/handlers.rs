use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::api_token::{ApiToken, CreateApiToken, CreatedApiToken};
use petpixel_types::Problem;
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::security_headers::Secret;
use crate::state::AppState;

/// Your live API tokens, newest first. Secrets are never shown again.
#[utoipa::path(get, path = "/api-tokens", tag = "api-tokens", security(("bearer" = [])),
    responses((status = 200, description = "Your tokens", body = Vec<ApiToken>)))]
pub async fn list_api_tokens(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<ApiToken>>> {
    service::list(&state, &actor).await.map(Json)
}

/// Create a token for an integration. Its scopes must be among your own permissions, and it never
/// does more than you can at the time it is used. The secret is in this answer only.
#[utoipa::path(post, path = "/api-tokens", tag = "api-tokens", security(("bearer" = [])), request_body = CreateApiToken,
    responses(
        (status = 201, description = "Created; keep the secret now", body = CreatedApiToken),
        (status = 422, description = "Invalid name, scopes or expiry", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_api_token(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateApiToken>,
) -> ApiResult<(StatusCode, Secret<Json<CreatedApiToken>>)> {
    let created = service::create(&state, &actor, &body).await?;
    Ok((StatusCode::CREATED, Secret(Json(created))))
}

/// Revoke a token; it stops working at once.
#[utoipa::path(delete, path = "/api-tokens/{id}", tag = "api-tokens", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_api_token(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::revoke(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
