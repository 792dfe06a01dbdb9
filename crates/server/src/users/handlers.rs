use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::user::{CreateUser, SetRole, UpdateUser, User, UserQuery};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// The team, active members first, by name. Needs `users:read`.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(UserQuery),
    responses(
        (status = 200, description = "A page of users", body = Page<User>),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(State(state): State<AppState>, actor: Actor, ApiQuery(query): ApiQuery<UserQuery>) -> ApiResult<Json<Page<User>>> {
    service::list(&state, &actor, &query).await.map(Json)
}

/// Add a team member. Admins only.
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])), request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 409, description = "The e-mail address is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let user = service::create(&state, &actor, &body).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// A user's profile: your own, or anyone's with `users:read`.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<User>> {
    service::get(&state, &actor, id).await.map(Json)
}

/// Edit a profile. Your own name, avatar and password (with `current_password`); admins edit anyone
/// and set `active` (deactivation ends the user's sessions at once).
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = UpdateUser,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the team without an active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateUser>,
) -> ApiResult<Json<User>> {
    service::update(&state, &actor, id, &body).await.map(Json)
}

/// Set a user's role and extra grants. Admins only; nobody grants more than they hold.
#[utoipa::path(put, path = "/users/{id}/role", tag = "users", security(("bearer" = [])), params(("id" = Uuid, Path)), request_body = SetRole,
    responses(
        (status = 200, description = "The updated user", body = User),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Would leave the team without an active admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role or permission", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user_role(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<SetRole>,
) -> ApiResult<Json<User>> {
    service::set_role(&state, &actor, id, &body).await.map(Json)
}
