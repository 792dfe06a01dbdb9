use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::auth::{LoginRequest, Me, RefreshRequest, TokenResponse};
use petpixel_types::Problem;

use super::{service, Actor};
use crate::error::ApiResult;
use crate::extract::{ApiJson, ClientInfo};
use crate::users::service as user_service;
use crate::AppState;

/// Log in with e-mail and password.
///
/// Answers an access token (a JWT for about 15 minutes) and a refresh token (7 days, single use).
/// After 5 failed attempts for one address within 15 minutes, answers 429 until the window passes.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail address or password, or a deactivated account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "E-mail or password missing", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<TokenResponse>> {
    service::login(&state, &body, client).await.map(Json)
}

/// Trade a refresh token for a new pair.
///
/// The presented token is spent. Presenting a spent token again ends its whole session, since
/// it means somebody else holds a copy.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 401, description = "Invalid, expired or spent refresh token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh_session(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Json<TokenResponse>> {
    service::refresh(&state, &body.refresh_token, client).await.map(Json)
}

/// Log out: end the current session, its refresh token and its access tokens.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn delete_session(State(state): State<AppState>, actor: Actor) -> ApiResult<StatusCode> {
    service::logout(&state, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who am I, and what may I do.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me)))]
pub async fn get_me(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Me>> {
    let user = user_service::get(&state, actor.user_id).await?;
    Ok(Json(Me { user, auth_method: actor.method, permissions: actor.permissions.expanded() }))
}
