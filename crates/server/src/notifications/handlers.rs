use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::notification::{
    EmailPreferences, Notification, NotificationPage, NotificationQuery, SendNotification, UnreadCount, UpdateEmailPreferences,
};
use petpixel_types::Problem;
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Your notifications, newest first, paged by cursor, with how many are unread.
#[utoipa::path(get, path = "/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery),
    responses(
        (status = 200, description = "A page of notifications", body = NotificationPage),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_notifications(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<NotificationPage>> {
    service::list(&state, &actor, &query).await.map(Json)
}

/// Send a person a message (managers and admins). They see it at once, and by e-mail if they
/// chose to. One person's messages and mentions together are limited per hour
/// (`PETPIXEL_NOTIFICATIONS_PER_AUTHOR_HOUR`, 60).
#[utoipa::path(post, path = "/notifications", tag = "notifications", security(("bearer" = [])), request_body = SendNotification,
    responses(
        (status = 201, description = "Sent", body = Notification),
        (status = 403, description = "Not allowed to send messages", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such person or project, or a bad title", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "The hour's messages and mentions are used up; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn send_notification(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<SendNotification>,
) -> ApiResult<(StatusCode, Json<Notification>)> {
    Ok((StatusCode::CREATED, Json(service::send(&state, &actor, &body).await?)))
}

/// How many of your notifications are unread.
#[utoipa::path(get, path = "/notifications/unread-count", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "The count", body = UnreadCount)))]
pub async fn get_unread_count(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<UnreadCount>> {
    service::unread_count(&state, &actor).await.map(Json)
}

/// Mark one of your notifications read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification")),
    responses(
        (status = 200, description = "Read", body = Notification),
        (status = 404, description = "None of yours has that id", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn read_notification(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Notification>> {
    service::mark_read(&state, &actor, id).await.map(Json)
}

/// Mark all your notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "All read", body = UnreadCount)))]
pub async fn read_all_notifications(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<UnreadCount>> {
    service::read_all(&state, &actor).await.map(Json)
}

/// Which kinds of notification you also get by e-mail.
#[utoipa::path(get, path = "/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, description = "Your choices (or the defaults)", body = EmailPreferences)))]
pub async fn get_notification_preferences(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<EmailPreferences>> {
    service::preferences(&state, &actor).await.map(Json)
}

/// Choose which kinds you also get by e-mail; kinds not named stay as they are.
#[utoipa::path(patch, path = "/notifications/preferences", tag = "notifications", security(("bearer" = [])),
    request_body = UpdateEmailPreferences,
    responses(
        (status = 200, description = "Your choices now", body = EmailPreferences),
        (status = 422, description = "An unknown kind or a value that is not true or false", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_notification_preferences(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<UpdateEmailPreferences>,
) -> ApiResult<Json<EmailPreferences>> {
    service::update_preferences(&state, &actor, &body).await.map(Json)
}
