//! Deliveries are written in the transaction of the change they tell (the database's
//! [`Outbox`](crate::db::Outbox)), one per subscribed endpoint, with a job for each endpoint
//! touched: a rolled-back change sends nothing, and a committed one is never forgotten, even if
//! the process stops right after the commit.

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use petpixel_types::event::{Event, Payload};
use petpixel_types::webhook::{DeliveryStatus, WebhookEventType};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::db::Outbox;
use crate::entities::{webhook_deliveries, webhook_endpoints};
use crate::jobs::queue::{enqueue, NewJob};

/// Works through one endpoint's queue: see `deliver`.
pub const DELIVER: &str = "webhooks.deliver";

/// The webhook an event makes, if any: its type and its data (the resource as it was left).
/// The data is JSON text written from the typed resource, so its fields keep the order the API
/// documents rather than a map's alphabetical one.
pub fn message_of(event: &Event) -> Option<(WebhookEventType, String)> {
    use WebhookEventType as T;
    let payload = event.payload.as_ref()?;
    let event_type = match (event.action.as_str(), payload) {
        ("project.created", Payload::Project(_)) => T::ProjectCreated,
        ("project.status_changed", Payload::Project(_)) => T::ProjectStatusChanged,
        ("project.updated" | "project.assigned" | "project.unassigned", Payload::Project(_)) => T::ProjectUpdated,
        ("asset.processed", Payload::Asset(_)) => T::AssetProcessed,
        ("build.ready", Payload::Build(_)) => T::BuildReady,
        ("build.failed", Payload::Build(_)) => T::BuildFailed,
        ("url.reserved", Payload::Url(_)) => T::UrlReserved,
        ("url.deployed", Payload::Url(_)) => T::UrlDeployed,
        ("url.expired", Payload::Url(_)) => T::UrlExpired,
        _ => return None,
    };
    let data = match payload {
        Payload::Project(p) => serde_json::to_string(p),
        Payload::Asset(a) => serde_json::to_string(a),
        Payload::Build(b) => serde_json::to_string(b),
        Payload::Url(u) => serde_json::to_string(u),
        Payload::Notification(_) | Payload::NotificationsRead(_) => return None,
    };
    Some((event_type, data.ok()?))
}

/// The `webhook-id` of the message an event makes: stable, so a receiver can drop a repeat.
pub fn message_id(event_id: Uuid) -> String {
    format!("msg_{}", event_id.simple())
}

/// The exact body that is signed and sent: a [`WebhookMessage`](petpixel_types::webhook::WebhookMessage)
/// around `data` (JSON text).
pub fn body(event_type: WebhookEventType, at: DateTime<Utc>, data: &str) -> String {
    // Event types are plain dotted names; the time is RFC 3339, quoted by its serializer.
    format!(r#"{{"type":"{}","timestamp":{},"data":{data}}}"#, event_type.as_str(), json!(at))
}

/// A pending delivery of `body` to `endpoint`, due now.
pub fn delivery(endpoint: Uuid, message_id: String, event_type: WebhookEventType, body: String) -> webhook_deliveries::ActiveModel {
    let now = Utc::now();
    webhook_deliveries::ActiveModel {
        id: Set(Uuid::now_v7()),
        endpoint_id: Set(endpoint),
        message_id: Set(message_id),
        event_type: Set(event_type.as_str().to_owned()),
        payload: Set(body),
        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(Some(now)),
        delivered_at: Set(None),
        created_at: Set(now),
    }
}

/// Makes sure the endpoint's queue is being worked through (one job per endpoint keeps its
/// deliveries in order).
pub async fn wake(conn: &impl ConnectionTrait, endpoint: Uuid) -> Result<(), DbErr> {
    let job = NewJob::new(DELIVER, json!({ "endpoint_id": endpoint })).dedupe(endpoint.to_string()).max_attempts(10);
    enqueue(conn, job).await.map_err(|e| DbErr::Custom(format!("queueing webhook deliveries: {e:?}")))?;
    Ok(())
}

/// The database outbox that turns committed events into deliveries.
pub struct Writer;

impl Outbox for Writer {
    fn write<'a>(&'a self, txn: &'a DatabaseTransaction, events: &'a [Event]) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            let messages: Vec<(&Event, WebhookEventType, String)> =
                events.iter().filter_map(|e| message_of(e).map(|(t, data)| (e, t, data))).collect();
            if messages.is_empty() {
                return Ok(());
            }
            let endpoints = webhook_endpoints::Entity::find().filter(webhook_endpoints::Column::Enabled.eq(true)).all(txn).await?;
            let mut rows = Vec::new();
            let mut touched = Vec::new();
            for endpoint in &endpoints {
                let wanted: Vec<WebhookEventType> = serde_json::from_value(endpoint.event_types.clone()).unwrap_or_default();
                for (event, event_type, data) in &messages {
                    if wanted.contains(event_type) {
                        rows.push(delivery(endpoint.id, message_id(event.id), *event_type, body(*event_type, event.at, data)));
                        if !touched.contains(&endpoint.id) {
                            touched.push(endpoint.id);
                        }
                    }
                }
            }
            if rows.is_empty() {
                return Ok(());
            }
            webhook_deliveries::Entity::insert_many(rows).exec_without_returning(txn).await?;
            for endpoint in touched {
                wake(txn, endpoint).await?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_changes_make_webhooks() {
        let event = |action: &str, payload: Option<Payload>| Event {
            id: Uuid::now_v7(),
            action: action.into(),
            resource_type: petpixel_types::activity::ResourceType::Project,
            resource_id: None,
            project_id: None,
            actor_id: None,
            at: Utc::now(),
            entry: None,
            payload,
        };
        assert_eq!(message_of(&event("project.created", None)), None, "never bare ids");
        assert_eq!(message_of(&event("user.created", None)), None);
        assert_eq!(message_id(Uuid::nil()), "msg_00000000000000000000000000000000");
        let b = body(WebhookEventType::ProjectUpdated, DateTime::from_timestamp(0, 0).unwrap(), r#"{"id":1,"b":2,"a":3}"#);
        assert_eq!(b, r#"{"type":"project.updated","timestamp":"1970-01-01T00:00:00Z","data":{"id":1,"b":2,"a":3}}"#);
        let parsed: petpixel_types::webhook::WebhookMessage = serde_json::from_str(&b).unwrap();
        assert_eq!(parsed.event_type, WebhookEventType::ProjectUpdated);
    }
}
