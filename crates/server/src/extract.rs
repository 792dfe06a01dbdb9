//! Extractors that answer bad input with the same problem+json as everything else, naming the
//! field at fault.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use petpixel_types::{FieldError, ValidationErrors};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body. Malformed JSON or a wrong content type: 400; a body over the limit: 413; a value
/// of the wrong shape or an unknown field: 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(AppError::bad_request("Send the body as JSON, with `Content-Type: application/json`."));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge("The request body is larger than this endpoint accepts.".into())
            } else {
                AppError::bad_request(format!("The request body could not be read: {rejection}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// A multipart form. Another content type: 415; a form without a boundary: 400. Field limits
/// are the reader's to apply, as it streams (the upload endpoints lift the body limit).
pub struct ApiMultipart(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for ApiMultipart {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("multipart/form-data"));
        if !multipart {
            return Err(AppError::UnsupportedMediaType("Send the file as `multipart/form-data`, in a field named `file`.".into()));
        }
        axum::extract::Multipart::from_request(req, state)
            .await
            .map(ApiMultipart)
            .map_err(|rejection| AppError::bad_request(format!("This is not a well-formed multipart form: {}", rejection.body_text())))
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| AppError::bad_request(format!("The body is not valid JSON: {e}.")))?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        AppError::Validation(ValidationErrors(vec![field_error(&path, &e.inner().to_string())]))
    })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// Turns a serde message at `path` into a field error: serde reports a missing or unknown field at
/// the parent's path, with the field's name only inside its message.
fn field_error(path: &str, message: &str) -> FieldError {
    let join = |name: &str| if path == "." || path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    let quoted = |prefix: &str| message.strip_prefix(prefix).and_then(|rest| rest.split('`').next()).map(str::to_owned);
    if let Some(name) = quoted("unknown field `") {
        // serde_path_to_error already put the unknown key at the end of the path.
        let field = if path.ends_with(name.as_str()) { path.to_owned() } else { join(&name) };
        return FieldError { field, code: "unknown_field".into(), message: format!("`{name}` is not a field of this request.") };
    }
    if let Some(name) = quoted("missing field `") {
        return FieldError { field: join(&name), code: "required".into(), message: "This field is required.".into() };
    }
    let field = if path == "." { String::new() } else { path.to_owned() };
    let (code, message) = if message.starts_with("unknown variant") {
        ("invalid_value", message.replacen("unknown variant", "Unknown value", 1))
    } else if message.starts_with("invalid type") {
        ("invalid_type", message.replacen("invalid type", "Wrong type", 1))
    } else {
        ("invalid_value", message.to_owned())
    };
    FieldError { field, code: code.into(), message }
}

/// A query string; a bad parameter is a 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|e| {
            let path = e.path().to_string();
            AppError::Validation(ValidationErrors(vec![field_error(&path, &e.inner().to_string())]))
        })
    }
}

/// Path parameters; a malformed one (an id that is not a UUID) is a 400 naming it.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                use axum::extract::path::ErrorKind;
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. } | ErrorKind::DeserializeError { key, .. } => key.clone(),
                    _ => "id".to_owned(),
                };
                Err(AppError::BadRequest {
                    detail: format!("`{field}` in the path is malformed."),
                    errors: vec![FieldError { field, code: "invalid_uuid".into(), message: "Must be a UUID.".into() }],
                })
            }
            Err(other) => Err(AppError::Internal(anyhow::anyhow!("path extraction: {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_field_errors() {
        let e = field_error("colour", "unknown field `colour`, expected one of `a`, `b`");
        assert_eq!((e.field.as_str(), e.code.as_str()), ("colour", "unknown_field"));
        let e = field_error("game_config", "missing field `theme`");
        assert_eq!((e.field.as_str(), e.code.as_str()), ("game_config.theme", "required"));
        let e = field_error("package_type", "unknown variant `deluxe`, expected one of `express`");
        assert_eq!((e.field.as_str(), e.code.as_str()), ("package_type", "invalid_value"));
    }
}
