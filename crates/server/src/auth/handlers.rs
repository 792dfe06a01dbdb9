use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use petpixel_types::auth::{Limits, LoginRequest, Me, RefreshRequest, TokenResponse};
use petpixel_types::Problem;

use super::{cookie, service};
use crate::actor::Actor;
use crate::actor::ClientInfo;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::security_headers::Secret;
use crate::state::AppState;
use crate::users::service as user_service;

/// Log in with e-mail and password.
///
/// Browsers send `refresh_cookie: true` to get the refresh token as an HttpOnly cookie instead.
/// Answers an access token (a JWT for about 15 minutes) and a refresh token (7 days, single use).
/// After 5 failed tries for one account from one client address within 15 minutes, or 30 from one
/// address in all, answers 429 until the window passes; the account's owner from another address
/// is not affected. Passwords are checked a few at a time: past a queue, 503 with `Retry-After`.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail address or password (a deactivated account gets the same answer)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "E-mail or password missing or too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed tries for this account from this address, or from this address in all; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many logins at once; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_session(
    State(state): State<AppState>,
    client: ClientInfo,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let tokens = service::login(&state, &body, client).await?;
    Ok(answer(&state, tokens, body.refresh_cookie))
}

/// The token pair as JSON; for a cookie session the refresh token moves into the cookie.
fn answer(state: &AppState, mut tokens: TokenResponse, as_cookie: bool) -> Response {
    if !as_cookie {
        return Secret(Json(tokens)).into_response();
    }
    let refresh = tokens.refresh_token.take().unwrap_or_default();
    let set = cookie::set(&refresh, tokens.refresh_expires_in, secure(state));
    let hint = cookie::hint(tokens.refresh_expires_in, secure(state));
    Secret((AppendHeaders([(header::SET_COOKIE, set), (header::SET_COOKIE, hint)]), Json(tokens))).into_response()
}

/// Both cookies gone: the session ended, or there was none.
fn cleared(state: &AppState) -> AppendHeaders<[(header::HeaderName, axum::http::HeaderValue); 2]> {
    AppendHeaders([(header::SET_COOKIE, cookie::clear(secure(state))), (header::SET_COOKIE, cookie::clear_hint(secure(state)))])
}

/// Cookies are `Secure` when the app is reached over https.
fn secure(state: &AppState) -> bool {
    state.config.public_url.starts_with("https://")
}

/// Trade a refresh token (from the body, or else the refresh cookie) for a new pair.
///
/// The presented token is spent. Presenting a spent token again ends its whole session, since
/// it means somebody else holds a copy. With no token at all (no body token, no cookie) there is
/// no session to renew: 204, and the session hint cookie is cleared.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair", body = TokenResponse),
        (status = 204, description = "No refresh token was sent: there is no session to renew"),
        (status = 401, description = "Invalid, expired or spent refresh token, or a session past its time limit", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown field, or a field of the wrong type", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh_session(
    State(state): State<AppState>,
    client: ClientInfo,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> ApiResult<Response> {
    let (token, from_cookie) = match body.refresh_token {
        Some(token) => (token, false),
        None => match cookie::read(&headers) {
            Some(token) => (token, true),
            None => return Ok((StatusCode::NO_CONTENT, cleared(&state)).into_response()),
        },
    };
    match service::refresh(&state, &token, client).await {
        Ok(tokens) => Ok(answer(&state, tokens, from_cookie)),
        // A refused cookie is of no further use: clear it.
        Err(e) if from_cookie => Ok((cleared(&state), e).into_response()),
        Err(e) => Err(e),
    }
}

/// Log out: end the current session, its refresh token and its access tokens.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn delete_session(State(state): State<AppState>, actor: Actor) -> ApiResult<Response> {
    service::logout(&state, &actor).await?;
    Ok((StatusCode::NO_CONTENT, cleared(&state)).into_response())
}

/// Who am I, and what may I do.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = Me)))]
pub async fn get_me(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Me>> {
    let user = user_service::get(&state, &actor, actor.user_id).await?;
    let limits = Limits { max_upload_bytes: state.config.max_upload_bytes };
    Ok(Json(Me { user, auth_method: actor.method, permissions: actor.permissions.expanded(), limits }))
}
