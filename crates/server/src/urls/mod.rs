//! A game's public address (`/g/<slug>`): proposals and checks, atomic reservations that expire,
//! deploying a ready build, serving it from memory, and counting its views in batches.

pub mod handlers;
pub mod live;
pub mod model;
pub mod public;
pub mod service;
pub mod slug;
pub mod views;
mod words;

use std::time::Duration;

use crate::jobs::Registry;
use crate::state::AppState;

/// Marks reservations past their expiry as expired (their slugs are free by then anyway).
pub const EXPIRE: &str = "urls.expire";

pub fn register(registry: Registry) -> Registry {
    registry
        .register(EXPIRE, |state: AppState, _payload| async move {
            let expired = service::expire_due(&state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            if expired > 0 {
                tracing::info!(expired, "expired reservations of game addresses");
            }
            Ok(())
        })
        .every(EXPIRE, Duration::from_secs(300), EXPIRE, serde_json::Value::Null)
}
