use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use petpixel_types::webhook::{
    CreateWebhookEndpoint, CreatedWebhookEndpoint, DeliveryQuery, RotatedSecret, UpdateWebhookEndpoint, WebhookDelivery, WebhookEndpoint,
};
use petpixel_types::{Page, Problem};
use uuid::Uuid;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::security_headers::Secret;
use crate::state::AppState;

/// Every webhook endpoint, newest first. Admins only.
#[utoipa::path(get, path = "/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses(
        (status = 200, description = "The endpoints", body = Vec<WebhookEndpoint>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhooks(State(state): State<AppState>, actor: Actor) -> ApiResult<Json<Vec<WebhookEndpoint>>> {
    service::list(&state, &actor).await.map(Json)
}

/// Register an endpoint. Deliveries are signed with the `secret` in this answer (the only time it
/// is shown), the Standard Webhooks way. The address must be `http(s)` and must not lead to a
/// private, loopback or link-local address unless the server allows it. Admins only.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", security(("bearer" = [])), request_body = CreateWebhookEndpoint,
    responses(
        (status = 201, description = "Registered; keep the secret now", body = CreatedWebhookEndpoint),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad or private address, or no event type", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<CreateWebhookEndpoint>,
) -> ApiResult<(StatusCode, Secret<Json<CreatedWebhookEndpoint>>)> {
    let created = service::create(&state, &actor, &body).await?;
    Ok((StatusCode::CREATED, Secret(Json(created))))
}

/// One endpoint. Admins only.
#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_webhook(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<WebhookEndpoint>> {
    service::get(&state, &actor, id).await.map(Json)
}

/// Change an endpoint's address, description, event types or whether it is on. Switching it on
/// clears its failure record; switching it off gives up its pending deliveries. Admins only.
#[utoipa::path(patch, path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = UpdateWebhookEndpoint,
    responses(
        (status = 200, description = "The endpoint as changed", body = WebhookEndpoint),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad or private address, or no event type", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateWebhookEndpoint>,
) -> ApiResult<Json<WebhookEndpoint>> {
    service::update(&state, &actor, id, &body).await.map(Json)
}

/// Remove an endpoint and its delivery log. Admins only.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_webhook(State(state): State<AppState>, actor: Actor, ApiPath(id): ApiPath<Uuid>) -> ApiResult<StatusCode> {
    service::delete(&state, &actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown in this answer only. For 24 hours deliveries carry a signature
/// with the old secret too, so receivers can switch without losing any. Admins only.
#[utoipa::path(post, path = "/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn rotate_webhook_secret(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Secret<Json<RotatedSecret>>> {
    service::rotate_secret(&state, &actor, id).await.map(|rotated| Secret(Json(rotated)))
}

/// Send a `webhook.test` message to the endpoint, whatever it subscribes to. Admins only.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "webhooks", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued; its tries appear in the delivery log", body = WebhookDelivery),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is switched off", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn test_webhook(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let delivery = service::test(&state, &actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// The endpoint's deliveries of the last 30 days, newest first, each with its tries (time, status
/// code, duration, the answer's first kilobyte). Admins only.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<WebhookDelivery>),
        (status = 404, description = "No such endpoint", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhook_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    service::deliveries(&state, &actor, id, &query).await.map(Json)
}

/// Send a delivery's message again, with the same `webhook-id` and body, after the endpoint's
/// pending deliveries. Admins only.
#[utoipa::path(post, path = "/webhooks/{id}/deliveries/{delivery_id}/resend", tag = "webhooks", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("delivery_id" = Uuid, Path)),
    responses(
        (status = 202, description = "Queued again", body = WebhookDelivery),
        (status = 404, description = "No such endpoint or delivery", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is switched off", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn resend_webhook_delivery(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, delivery_id)): ApiPath<(Uuid, Uuid)>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let delivery = service::resend(&state, &actor, id, delivery_id).await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}
