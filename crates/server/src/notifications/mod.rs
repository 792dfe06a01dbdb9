//! Notifications: written in the transaction of the change that concerns someone (an
//! assignment, a status change of their project, a mention, a manager's message) or by the
//! hourly deadline sweep; told live to the person's sockets through the event bus, and e-mailed
//! through the outbox for the kinds they chose.

pub mod deadline;
pub mod handlers;
pub mod mentions;
pub mod model;
pub mod preferences;
pub mod rules;
pub mod service;

use std::time::Duration;

use crate::jobs::Registry;

/// Reminds the people whose projects are due within 48 hours, once per project and deadline.
pub const DEADLINES: &str = "notifications.deadlines";

pub fn register(registry: Registry) -> Registry {
    // Hourly rather than daily: a deadline set this afternoon for tomorrow is still warned of
    // today; each reminder is written once (a unique key), however often the sweep runs.
    registry.register(DEADLINES, deadline::run).every(DEADLINES, Duration::from_secs(3600), DEADLINES, serde_json::Value::Null)
}
