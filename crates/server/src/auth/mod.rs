//! Who is calling: sessions (JWT access + rotating refresh tokens) and API tokens.

pub mod cookie;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod secret;
pub mod service;
pub mod sessions;
pub(crate) mod throttle;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

pub use crate::actor::Actor;
use crate::actor::ClientInfo;
use crate::error::AppError;
use crate::state::AppState;

/// A request without valid credentials never reaches a handler that takes an [`Actor`].
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
