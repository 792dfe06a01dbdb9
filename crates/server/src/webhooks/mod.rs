//! Outgoing webhooks: admins register endpoints; each committed change of a subscribed type is
//! delivered to them, signed the Standard Webhooks way (standardwebhooks.com) so receivers verify
//! deliveries with any of its reference libraries.
//!
//! - `outbox`: deliveries written in the change's own transaction, and the job that sends them;
//! - `deliver`: that job, one per endpoint, in order, retrying on the configured schedule;
//! - `http` and `address`: the POST itself, refusing private destinations at every connection;
//! - `signature` and `seal`: signing, and the secrets sealed at rest;
//! - `service` and `handlers`: `/api/v1/webhooks`.

pub mod address;
pub mod deliver;
pub mod handlers;
pub mod http;
mod model;
pub mod outbox;
pub mod seal;
pub mod service;
pub mod signature;

use std::time::Duration;

use crate::jobs::Registry;
use crate::state::AppState;

pub use outbox::DELIVER;

/// Deletes the delivery log older than [`KEEP_DAYS`], daily.
pub const PURGE: &str = "webhooks.purge";
pub const KEEP_DAYS: i64 = 30;

pub fn register(registry: Registry) -> Registry {
    registry
        .register(DELIVER, deliver::run)
        .register(PURGE, |state: AppState, _| async move {
            let gone = service::purge(&state, KEEP_DAYS).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
            tracing::info!(deliveries = gone, "old webhook deliveries purged");
            Ok(())
        })
        .every(PURGE, Duration::from_secs(24 * 3600), PURGE, serde_json::Value::Null)
}
