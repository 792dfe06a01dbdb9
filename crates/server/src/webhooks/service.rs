//! Admins' management of webhook endpoints and their delivery log.

use std::collections::HashMap;

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::webhook::{
    CreateWebhookEndpoint, CreatedWebhookEndpoint, DeliveryQuery, DeliveryStatus, RotatedSecret, UpdateWebhookEndpoint, WebhookDelivery,
    WebhookEndpoint, WebhookEventType, WebhookTest,
};
use petpixel_types::Page;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::{address, deliver, model, outbox, seal, signature};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::db::WriteTxn;
use crate::entities::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

/// How long the secret before a rotation keeps signing beside the new one.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

async fn find(conn: &impl sea_orm::ConnectionTrait, id: Uuid) -> ApiResult<webhook_endpoints::Model> {
    webhook_endpoints::Entity::find_by_id(id).one(conn).await?.ok_or_else(|| AppError::not_found("webhook endpoint"))
}

/// Parsed and, unless private addresses are allowed, checked to lead outside.
async fn checked_url(state: &AppState, url: &str) -> ApiResult<String> {
    let parsed = address::parse("url", url)?;
    address::check("url", &parsed, state.config.webhook_allow_private).await?;
    Ok(url.to_owned())
}

/// Every endpoint, newest first.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<WebhookEndpoint>> {
    policy::require_admin(actor)?;
    let rows = webhook_endpoints::Entity::find()
        .order_by_desc(webhook_endpoints::Column::CreatedAt)
        .order_by_desc(webhook_endpoints::Column::Id)
        .all(&state.db.conn)
        .await?;
    rows.into_iter().map(model::endpoint).collect()
}

pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<WebhookEndpoint> {
    policy::require_admin(actor)?;
    model::endpoint(find(&state.db.conn, id).await?)
}

pub async fn create(state: &AppState, actor: &Actor, request: &CreateWebhookEndpoint) -> ApiResult<CreatedWebhookEndpoint> {
    policy::require_admin(actor)?;
    let valid = request.validate()?;
    let url = checked_url(state, valid.url.as_deref().unwrap_or_default()).await?;
    let event_types = valid.event_types.unwrap_or_default();
    let secret = signature::new_secret();
    let now = Utc::now();
    let row = webhook_endpoints::Model {
        id: Uuid::now_v7(),
        url,
        description: valid.description.flatten(),
        event_types: json!(event_types),
        enabled: request.enabled.unwrap_or(true),
        secret: seal::seal(&state.webhook_key, &secret),
        previous_secret: None,
        previous_secret_expires_at: None,
        failing_since: None,
        disabled_reason: None,
        created_by: Some(actor.user_id),
        created_at: now,
        updated_at: now,
    };
    let txn = state.db.begin_write().await?;
    webhook_endpoints::Entity::insert(webhook_endpoints::ActiveModel::from(row.clone())).exec_without_returning(&*txn).await?;
    let entry = NewEntry::new("webhook.created", ActionType::Create, ResourceType::Webhook, row.id)
        .details(json!({ "url": address::logged(&row.url), "event_types": event_types, "enabled": row.enabled }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(CreatedWebhookEndpoint { endpoint: model::endpoint(row)?, secret })
}

/// Changes what is given. Switching on clears the failure record; switching off gives up the
/// pending deliveries.
pub async fn update(state: &AppState, actor: &Actor, id: Uuid, request: &UpdateWebhookEndpoint) -> ApiResult<WebhookEndpoint> {
    policy::require_admin(actor)?;
    let valid = request.validate()?;
    let url = match &valid.url {
        Some(u) => Some(checked_url(state, u).await?),
        None => None,
    };
    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    let mut row: webhook_endpoints::ActiveModel = before.clone().into();
    let mut changes = serde_json::Map::new();
    if let Some(url) = url.filter(|u| *u != before.url) {
        changes.insert("url".into(), json!({ "from": address::logged(&before.url), "to": address::logged(&url) }));
        row.url = Set(url);
    }
    if let Some(description) = valid.description.filter(|d| *d != before.description) {
        changes.insert("description".into(), json!({ "from": before.description, "to": description }));
        row.description = Set(description);
    }
    if let Some(types) = valid.event_types.map(|t| json!(t)).filter(|t| *t != before.event_types) {
        changes.insert("event_types".into(), json!({ "from": before.event_types, "to": types }));
        row.event_types = Set(types);
    }
    if let Some(enabled) = request.enabled.filter(|e| *e != before.enabled) {
        changes.insert("enabled".into(), json!({ "from": before.enabled, "to": enabled }));
        row.enabled = Set(enabled);
        if enabled {
            row.failing_since = Set(None);
            row.disabled_reason = Set(None);
        } else {
            deliver::fail_pending(&txn, id).await?;
        }
    }
    if changes.is_empty() {
        return model::endpoint(before);
    }
    row.updated_at = Set(Utc::now());
    let after = webhook_endpoints::Entity::update(row).exec(&*txn).await?;
    let entry = NewEntry::new("webhook.updated", ActionType::Update, ResourceType::Webhook, id).details(json!({ "changes": changes }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    model::endpoint(after)
}

/// Removes the endpoint with its delivery log.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    policy::require_admin(actor)?;
    let txn = state.db.begin_write().await?;
    let endpoint = find(&*txn, id).await?;
    webhook_endpoints::Entity::delete_by_id(id).exec(&*txn).await?;
    let entry = NewEntry::new("webhook.deleted", ActionType::Delete, ResourceType::Webhook, id)
        .details(json!({ "url": address::logged(&endpoint.url) }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(())
}

/// A new secret, shown once; the old one signs beside it for 24 hours.
pub async fn rotate_secret(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<RotatedSecret> {
    policy::require_admin(actor)?;
    let secret = signature::new_secret();
    let now = Utc::now();
    let until = now + ROTATION_OVERLAP;
    let txn = state.db.begin_write().await?;
    let endpoint = find(&*txn, id).await?;
    webhook_endpoints::Entity::update_many()
        .filter(webhook_endpoints::Column::Id.eq(id))
        .col_expr(webhook_endpoints::Column::PreviousSecret, Expr::value(endpoint.secret))
        .col_expr(webhook_endpoints::Column::PreviousSecretExpiresAt, Expr::value(until))
        .col_expr(webhook_endpoints::Column::Secret, Expr::value(seal::seal(&state.webhook_key, &secret)))
        .col_expr(webhook_endpoints::Column::UpdatedAt, Expr::value(now))
        .exec(&*txn)
        .await?;
    let entry = NewEntry::new("webhook.secret_rotated", ActionType::Update, ResourceType::Webhook, id)
        .details(json!({ "previous_secret_expires_at": until }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(RotatedSecret { secret, previous_secret_expires_at: until })
}

fn require_enabled(endpoint: &webhook_endpoints::Model) -> ApiResult<()> {
    if endpoint.enabled {
        Ok(())
    } else {
        Err(AppError::conflict("This endpoint is switched off; switch it on first."))
    }
}

/// Queues `row` behind the endpoint's other deliveries, recorded as `action`.
async fn queue(txn: &WriteTxn, actor: &Actor, row: webhook_deliveries::ActiveModel, action: &'static str) -> ApiResult<WebhookDelivery> {
    let inserted = webhook_deliveries::Entity::insert(row).exec_with_returning(&**txn).await?;
    outbox::wake(&**txn, inserted.endpoint_id).await?;
    let entry = NewEntry::new(action, ActionType::Create, ResourceType::Webhook, inserted.endpoint_id)
        .details(json!({ "delivery_id": inserted.id, "message_id": inserted.message_id, "type": inserted.event_type }));
    activity::record(txn, &Audit::from(actor), entry).await?;
    model::delivery(inserted, Vec::new())
}

/// Sends a `webhook.test` message, whatever the endpoint subscribes to.
pub async fn test(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<WebhookDelivery> {
    policy::require_admin(actor)?;
    let txn = state.db.begin_write().await?;
    let endpoint = find(&*txn, id).await?;
    require_enabled(&endpoint)?;
    let data = WebhookTest { endpoint_id: id, message: "A test delivery from PetPixel Studio: your receiver is wired up.".into() };
    let data = serde_json::to_string(&data).map_err(anyhow::Error::from)?;
    let body = outbox::body(WebhookEventType::WebhookTest, Utc::now(), &data);
    let row = outbox::delivery(id, outbox::message_id(Uuid::now_v7()), WebhookEventType::WebhookTest, body);
    let delivery = queue(&txn, actor, row, "webhook.test_sent").await?;
    txn.commit().await?;
    Ok(delivery)
}

/// Sends a delivery's message again (same `webhook-id` and body), behind the pending ones.
pub async fn resend(state: &AppState, actor: &Actor, id: Uuid, delivery_id: Uuid) -> ApiResult<WebhookDelivery> {
    policy::require_admin(actor)?;
    let txn = state.db.begin_write().await?;
    let endpoint = find(&*txn, id).await?;
    let original = webhook_deliveries::Entity::find_by_id(delivery_id)
        .filter(webhook_deliveries::Column::EndpointId.eq(id))
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("delivery"))?;
    require_enabled(&endpoint)?;
    let event_type = crate::db::stored("webhook_deliveries.event_type", &original.event_type)?;
    let row = outbox::delivery(id, original.message_id, event_type, original.payload);
    let delivery = queue(&txn, actor, row, "webhook.delivery_resent").await?;
    txn.commit().await?;
    Ok(delivery)
}

/// The endpoint's deliveries, newest first, each with its tries.
pub async fn deliveries(state: &AppState, actor: &Actor, id: Uuid, query: &DeliveryQuery) -> ApiResult<Page<WebhookDelivery>> {
    policy::require_admin(actor)?;
    let page = query.validate()?;
    find(&state.db.conn, id).await?;
    let mut select = webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::EndpointId.eq(id));
    if let Some(status) = query.status {
        select = select.filter(webhook_deliveries::Column::Status.eq(status.as_str()));
    }
    if let Some(t) = query.event_type {
        select = select.filter(webhook_deliveries::Column::EventType.eq(t.as_str()));
    }
    let total = select.clone().count(&state.db.conn).await?;
    let rows =
        select.order_by_desc(webhook_deliveries::Column::Id).limit(u64::from(page.limit)).offset(page.offset).all(&state.db.conn).await?;
    let mut tries: HashMap<Uuid, Vec<webhook_attempts::Model>> = HashMap::new();
    let ids: Vec<Uuid> = rows.iter().map(|d| d.id).collect();
    if !ids.is_empty() {
        let attempts = webhook_attempts::Entity::find()
            .filter(webhook_attempts::Column::DeliveryId.is_in(ids))
            .order_by_desc(webhook_attempts::Column::AttemptedAt)
            .order_by_desc(webhook_attempts::Column::Id)
            .all(&state.db.conn)
            .await?;
        for a in attempts {
            tries.entry(a.delivery_id).or_default().push(a);
        }
    }
    let items = rows
        .into_iter()
        .map(|d| {
            let t = tries.remove(&d.id).unwrap_or_default();
            model::delivery(d, t)
        })
        .collect::<ApiResult<_>>()?;
    Ok(Page { items, total, limit: page.limit, offset: page.offset })
}

/// Deletes the delivery log older than `days` (tries go with their deliveries); pending
/// deliveries stay until they are delivered or given up.
pub async fn purge(state: &AppState, days: i64) -> ApiResult<u64> {
    let before = Utc::now() - chrono::Duration::days(days);
    let txn = state.db.begin_write().await?;
    let gone = webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::CreatedAt.lt(before))
        .filter(webhook_deliveries::Column::Status.ne(DeliveryStatus::Pending.as_str()))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(gone.rows_affected)
}
