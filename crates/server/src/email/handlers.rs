use axum::extract::State;
use axum::Json;
use petpixel_types::notification::{EmailQuery, OutboxEmail};
use petpixel_types::{Page, Problem};

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// The e-mail outbox, newest first (admins).
///
/// Every notification e-mail, with whether it was sent, is waiting for a retry, failed for good,
/// or is held because no SMTP server is configured (`SMTP_URL`).
#[utoipa::path(get, path = "/emails", tag = "notifications", security(("bearer" = [])), params(EmailQuery),
    responses(
        (status = 200, description = "A page of messages", body = Page<OutboxEmail>),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad parameter", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_emails(
    State(state): State<AppState>,
    actor: Actor,
    ApiQuery(query): ApiQuery<EmailQuery>,
) -> ApiResult<Json<Page<OutboxEmail>>> {
    service::list(&state, &actor, &query).await.map(Json)
}
