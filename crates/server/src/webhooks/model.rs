//! Rows to wire types.

use petpixel_types::webhook::{DeliveryAttempt, WebhookDelivery, WebhookEndpoint};

use crate::db::{stored, stored_json};
use crate::entities::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::error::ApiResult;

pub fn endpoint(e: webhook_endpoints::Model) -> ApiResult<WebhookEndpoint> {
    Ok(WebhookEndpoint {
        id: e.id,
        event_types: stored_json("webhook_endpoints.event_types", &e.event_types)?,
        url: e.url,
        description: e.description,
        enabled: e.enabled,
        disabled_reason: e.disabled_reason,
        failing_since: e.failing_since,
        previous_secret_expires_at: e.previous_secret.and(e.previous_secret_expires_at),
        created_at: e.created_at,
        updated_at: e.updated_at,
    })
}

pub fn attempt(a: webhook_attempts::Model) -> DeliveryAttempt {
    DeliveryAttempt {
        at: a.attempted_at,
        status_code: a.status_code.and_then(|s| u16::try_from(s).ok()),
        duration_ms: u64::try_from(a.duration_ms).unwrap_or(0),
        response_body: a.response_body,
        error: a.error,
    }
}

/// A delivery with its tries, newest first.
pub fn delivery(d: webhook_deliveries::Model, tries: Vec<webhook_attempts::Model>) -> ApiResult<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: d.id,
        endpoint_id: d.endpoint_id,
        event_type: stored("webhook_deliveries.event_type", &d.event_type)?,
        status: stored("webhook_deliveries.status", &d.status)?,
        payload: serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload.clone())),
        message_id: d.message_id,
        attempts: u32::try_from(d.attempts).unwrap_or(0),
        next_attempt_at: d.next_attempt_at,
        delivered_at: d.delivered_at,
        created_at: d.created_at,
        tries: tries.into_iter().map(attempt).collect(),
    })
}
