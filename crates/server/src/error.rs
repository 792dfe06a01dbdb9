//! One error type for every handler, rendered as RFC 9457 problem details.
//!
//! Internal errors are logged with the request's span and answered with a bare 500: their text
//! never reaches the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use petpixel_types::{FieldError, Problem, ValidationErrors};

pub type ApiResult<T> = Result<T, AppError>;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed JSON, a wrong content type, a malformed path parameter.
    #[error("bad request: {detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {detail}")]
    Conflict { detail: String, alternatives: Option<Vec<String>> },
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("too many requests: {detail}")]
    TooManyRequests { detail: String, retry_after_secs: u64 },
    /// Overloaded for a moment: the client may try again after `Retry-After`.
    #[error("service unavailable: {detail}")]
    Unavailable { detail: String, retry_after_secs: u64 },
    /// The file store has no room left.
    #[error("insufficient storage: {0}")]
    InsufficientStorage(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        AppError::BadRequest { detail: detail.into(), errors: Vec::new() }
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        AppError::Forbidden(detail.into())
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("No {what} with that id."))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        AppError::Conflict { detail: detail.into(), alternatives: None }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        AppError::Unauthorized(detail.into())
    }

    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(ValidationErrors::single(field, code, message))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            AppError::BadRequest { .. } => ("bad-request", "Bad request"),
            AppError::Validation(_) => ("validation-failed", "Validation failed"),
            AppError::Unauthorized(_) => ("unauthorized", "Authentication required"),
            AppError::Forbidden(_) => ("forbidden", "Not allowed"),
            AppError::NotFound(_) => ("not-found", "Not found"),
            AppError::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            AppError::Conflict { .. } => ("conflict", "Conflict"),
            AppError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            AppError::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            AppError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            AppError::Unavailable { .. } => ("unavailable", "Service unavailable"),
            AppError::InsufficientStorage(_) => ("insufficient-storage", "Insufficient storage"),
            AppError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let (detail, errors, alternatives) = match self {
            AppError::BadRequest { detail, errors } => (Some(detail.clone()), errors.clone(), None),
            AppError::Validation(errors) => {
                let n = errors.0.len();
                let detail = if n == 1 { "1 field is invalid.".to_owned() } else { format!("{n} fields are invalid.") };
                (Some(detail), errors.0.clone(), None)
            }
            AppError::Conflict { detail, alternatives } => (Some(detail.clone()), Vec::new(), alternatives.clone()),
            AppError::TooManyRequests { detail, .. } | AppError::Unavailable { detail, .. } => (Some(detail.clone()), Vec::new(), None),
            AppError::Unauthorized(d)
            | AppError::Forbidden(d)
            | AppError::NotFound(d)
            | AppError::PayloadTooLarge(d)
            | AppError::UnsupportedMediaType(d)
            | AppError::InsufficientStorage(d) => (Some(d.clone()), Vec::new(), None),
            AppError::MethodNotAllowed => (Some("This address does not accept that method.".into()), Vec::new(), None),
            AppError::Internal(_) => (Some("Something went wrong on our side; it has been logged.".into()), Vec::new(), None),
        };
        Problem {
            kind: format!("urn:petpixel:problem:{slug}"),
            title: title.into(),
            status: self.status().as_u16(),
            detail,
            errors,
            alternatives,
        }
    }
}

/// Whether a database error says the database cannot be reached now (down, restarting, the
/// connection lost, no connection free within the acquire timeout) rather than that the query
/// was wrong: the former is worth a retry later.
fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e,
        _ => return false,
    };
    let RuntimeErr::SqlxError(e) = runtime else { return false };
    match &**e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed | sqlx::Error::Tls(_) => true,
        // PostgreSQL's connection exceptions (08) and operator interventions: shutting down,
        // starting up (57P01-57P03).
        sqlx::Error::Database(db) => db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            // Restarting, unreachable, or every connection busy past the acquire timeout: the
            // client hears so at once and may retry, rather than waiting or seeing a 500.
            tracing::warn!(error = %err, "the database is unavailable");
            return AppError::Unavailable { detail: "The database is not answering; try again in a moment.".into(), retry_after_secs: 2 };
        }
        AppError::Internal(anyhow::Error::new(err).context("database"))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(errors: ValidationErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(err) = &self {
            tracing::error!(error = ?err, "request failed");
        }
        let mut response = problem_response(&self.to_problem());
        let headers = response.headers_mut();
        match &self {
            AppError::TooManyRequests { retry_after_secs, .. } | AppError::Unavailable { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs.max(&1).to_owned()));
            }
            AppError::Unauthorized(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

pub fn problem_response(problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(problem).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON))], body).into_response()
}
