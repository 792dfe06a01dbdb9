use axum::extract::State;
use axum::http::StatusCode;
use petpixel_types::client_error::ClientErrorReport;
use petpixel_types::Problem;

use super::service;
use crate::actor::Actor;
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;

/// Report an uncaught error of the web app (it does so itself). Passed on to the error-report
/// service when one is set, without customer data: only the page's path is kept, and e-mail
/// addresses in the text are masked. Limited per person and minute
/// (`PETPIXEL_CLIENT_ERRORS_PER_MINUTE`, 30).
#[utoipa::path(post, path = "/client-errors", tag = "health", security(("bearer" = [])), request_body = ClientErrorReport,
    responses(
        (status = 202, description = "Taken"),
        (status = 422, description = "No message, or a field too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "This minute's reports are used up; see `Retry-After`", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn report_client_error(
    State(state): State<AppState>,
    actor: Actor,
    ApiJson(body): ApiJson<ClientErrorReport>,
) -> ApiResult<StatusCode> {
    service::report(&state, &actor, &body)?;
    Ok(StatusCode::ACCEPTED)
}
