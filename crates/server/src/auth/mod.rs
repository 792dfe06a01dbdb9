//! Who is calling: sessions (JWT access + rotating refresh tokens) and API tokens.

pub mod cookie;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod secret;
pub mod service;
pub(crate) mod throttle;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use petpixel_types::auth::AuthMethod;
use petpixel_types::{Permissions, Role};
use uuid::Uuid;

use crate::error::AppError;
use crate::extract::ClientInfo;
use crate::AppState;

/// An authenticated caller, with their effective permissions and where the request came from.
/// Handlers take it as an argument; a request without valid credentials never reaches them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub permissions: Permissions,
    pub method: AuthMethod,
    /// The session of a JWT-authenticated request.
    pub session_id: Option<Uuid>,
    pub client: ClientInfo,
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| AppError::unauthorized("Log in first: send `Authorization: Bearer <token>`."))?;
        let client = ClientInfo::from_parts(parts, state.config.trusted_hops());
        let actor = service::authenticate(state, token, client).await?;
        tracing::Span::current().record("user_id", tracing::field::display(actor.user_id));
        Ok(actor)
    }
}
