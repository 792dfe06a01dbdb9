//! Working through an endpoint's queue, oldest first: the next delivery is tried only once the
//! one before it has been delivered (or given up), so a receiver sees each endpoint's messages in
//! order. A failed try (no answer in time, no connection, an answer other than 2xx) waits its turn
//! on the retry schedule; an endpoint failing for `webhook_disable_after` without a success is
//! switched off, its pending deliveries failed, and the admins told.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::notification::NotificationKind;
use petpixel_types::webhook::DeliveryStatus;
use petpixel_types::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{json, Value};
use uuid::Uuid;

use super::http::Answer;
use super::{seal, signature};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::db::WriteTxn;
use crate::entities::{users, webhook_attempts, webhook_deliveries, webhook_endpoints};
use crate::error::ApiResult;
use crate::jobs::Next;
use crate::notifications::model::About;
use crate::notifications::rules::{notify, NewNotification};
use crate::state::AppState;

/// A job gives other jobs a turn after this long (and comes back at once).
const SLICE: Duration = Duration::from_secs(5);

/// The `webhooks.deliver` job: `{"endpoint_id": ...}`.
pub async fn run(state: AppState, payload: Value) -> anyhow::Result<Next> {
    let endpoint_id: Uuid = serde_json::from_value(payload["endpoint_id"].clone())?;
    let started = Instant::now();
    loop {
        let Some(endpoint) = webhook_endpoints::Entity::find_by_id(endpoint_id).one(&state.db.conn).await? else {
            return Ok(Next::Done);
        };
        if !endpoint.enabled {
            return Ok(Next::Done);
        }
        let head = webhook_deliveries::Entity::find()
            .filter(webhook_deliveries::Column::EndpointId.eq(endpoint_id))
            .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .order_by_asc(webhook_deliveries::Column::Id)
            .one(&state.db.conn)
            .await?;
        let Some(head) = head else { return Ok(Next::Done) };
        if let Some(due) = head.next_attempt_at.filter(|at| *at > Utc::now()) {
            return Ok(Next::At(due));
        }
        attempt(&state, &endpoint, &head).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        if started.elapsed() > SLICE {
            return Ok(Next::At(Utc::now()));
        }
    }
}

/// The secrets that sign now: the current one, and the one before a rotation for its last day.
fn signing_keys(state: &AppState, endpoint: &webhook_endpoints::Model, now: DateTime<Utc>) -> Vec<Vec<u8>> {
    let previous = endpoint.previous_secret.as_deref().filter(|_| endpoint.previous_secret_expires_at.is_some_and(|until| until > now));
    [Some(endpoint.secret.as_str()), previous]
        .into_iter()
        .flatten()
        .filter_map(|sealed| seal::open(&state.webhook_key, sealed))
        .filter_map(|secret| signature::key_of(&secret))
        .collect()
}

/// The Standard Webhooks headers of one try.
pub fn headers(keys: &[Vec<u8>], message_id: &str, at: DateTime<Utc>, body: &str) -> Vec<(&'static str, String)> {
    let timestamp = at.timestamp();
    let signatures: Vec<String> = keys.iter().map(|k| signature::sign(k, message_id, timestamp, body.as_bytes())).collect();
    vec![("webhook-id", message_id.to_owned()), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signatures.join(" "))]
}

/// One try at `delivery`, recorded with its outcome.
async fn attempt(state: &AppState, endpoint: &webhook_endpoints::Model, delivery: &webhook_deliveries::Model) -> ApiResult<()> {
    let now = Utc::now();
    let keys = signing_keys(state, endpoint, now);
    let answer = if keys.is_empty() {
        // Never send unsigned: a receiver could not tell it from a forgery.
        Answer {
            status: None,
            body: None,
            error: Some("The endpoint's secret cannot be read with this server's key; rotate it.".into()),
            duration: Duration::ZERO,
        }
    } else {
        state.webhooks.post(&endpoint.url, &headers(&keys, &delivery.message_id, now, &delivery.payload), delivery.payload.clone()).await
    };
    let txn = state.db.begin_write().await?;
    record(&txn, delivery.id, now, &answer).await?;
    let tries = delivery.attempts + 1;
    let update = webhook_deliveries::Entity::update_many()
        .filter(webhook_deliveries::Column::Id.eq(delivery.id))
        .col_expr(webhook_deliveries::Column::Attempts, Expr::value(tries));
    if answer.succeeded() {
        update
            .col_expr(webhook_deliveries::Column::Status, Expr::value(DeliveryStatus::Delivered.as_str()))
            .col_expr(webhook_deliveries::Column::DeliveredAt, Expr::value(Utc::now()))
            .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(Option::<DateTime<Utc>>::None))
            .exec(&*txn)
            .await?;
        if endpoint.failing_since.is_some() {
            webhook_endpoints::Entity::update_many()
                .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
                .col_expr(webhook_endpoints::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
                .exec(&*txn)
                .await?;
        }
    } else {
        let failing_since = endpoint.failing_since.unwrap_or(now);
        let give_up = chrono::Duration::from_std(state.config.webhook_disable_after).unwrap_or(chrono::Duration::days(3));
        if now - failing_since >= give_up {
            update.exec(&*txn).await?;
            switch_off(state, &txn, endpoint, &answer).await?;
        } else {
            let next = now + chrono::Duration::from_std(retry_delay(&state.config.webhook_retry_schedule, tries)).unwrap_or_default();
            update.col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(next)).exec(&*txn).await?;
            if endpoint.failing_since.is_none() {
                webhook_endpoints::Entity::update_many()
                    .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
                    .col_expr(webhook_endpoints::Column::FailingSince, Expr::value(now))
                    .exec(&*txn)
                    .await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The wait after the `tries`-th failed try: the schedule's entry, its last repeating.
pub fn retry_delay(schedule: &[Duration], tries: i32) -> Duration {
    let i = usize::try_from(tries.max(1) - 1).unwrap_or(0);
    schedule.get(i).or(schedule.last()).copied().unwrap_or(Duration::from_secs(36_000))
}

async fn record(txn: &WriteTxn, delivery: Uuid, at: DateTime<Utc>, answer: &Answer) -> ApiResult<()> {
    let row = webhook_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery),
        attempted_at: Set(at),
        status_code: Set(answer.status.map(i32::from)),
        duration_ms: Set(i64::try_from(answer.duration.as_millis()).unwrap_or(i64::MAX)),
        response_body: Set(answer.body.clone()),
        error: Set(answer
            .error
            .clone()
            .or_else(|| answer.status.filter(|_| !answer.succeeded()).map(|s| format!("The endpoint answered {s}; a 2xx was expected.")))),
    };
    webhook_attempts::Entity::insert(row).exec_without_returning(&**txn).await?;
    Ok(())
}

/// Switches the endpoint off after failing too long: its pending deliveries fail, the change is
/// in the activity log and every admin is told.
async fn switch_off(state: &AppState, txn: &WriteTxn, endpoint: &webhook_endpoints::Model, last: &Answer) -> ApiResult<()> {
    let secs = state.config.webhook_disable_after.as_secs();
    let period = if secs.is_multiple_of(86_400) { format!("{} days", secs / 86_400) } else { format!("{} hours", secs.div_ceil(3600)) };
    let last = last.error.clone().or_else(|| last.status.map(|s| format!("last answer {s}"))).unwrap_or_else(|| "no answer".into());
    let reason = format!("Switched off after failing for {period} ({last}).");
    webhook_endpoints::Entity::update_many()
        .filter(webhook_endpoints::Column::Id.eq(endpoint.id))
        .col_expr(webhook_endpoints::Column::Enabled, Expr::value(false))
        .col_expr(webhook_endpoints::Column::DisabledReason, Expr::value(reason.clone()))
        .col_expr(webhook_endpoints::Column::UpdatedAt, Expr::value(Utc::now()))
        .exec(&**txn)
        .await?;
    fail_pending(txn, endpoint.id).await?;
    let client = ClientInfo::system("webhooks");
    let entry = NewEntry::new("webhook.disabled", ActionType::Update, ResourceType::Webhook, endpoint.id)
        .details(json!({ "url": super::address::logged(&endpoint.url), "reason": reason, "failing_since": endpoint.failing_since }));
    activity::record(txn, &Audit::new(None, None, &client), entry).await?;
    let admins = users::Entity::find()
        .filter(users::Column::Role.eq(Role::Admin.as_str()))
        .filter(users::Column::Active.eq(true))
        .all(&**txn)
        .await?;
    for admin in admins {
        let new = NewNotification {
            user_id: admin.id,
            kind: NotificationKind::WebhookDisabled,
            title: format!("Webhook switched off: {}", endpoint.url),
            message: Some(format!("{reason} Fix the receiver, then switch the endpoint on again from the Integrations page.")),
            about: About::default(),
            dedupe_key: None,
        };
        notify(state, txn, new).await?;
    }
    Ok(())
}

/// Gives up the endpoint's pending deliveries (it was switched off).
pub async fn fail_pending(txn: &WriteTxn, endpoint: Uuid) -> ApiResult<()> {
    webhook_deliveries::Entity::update_many()
        .filter(webhook_deliveries::Column::EndpointId.eq(endpoint))
        .filter(webhook_deliveries::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .col_expr(webhook_deliveries::Column::Status, Expr::value(DeliveryStatus::Failed.as_str()))
        .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(Option::<DateTime<Utc>>::None))
        .exec(&**txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_and_its_last_step_repeats() {
        let s: Vec<Duration> = [5, 300, 1800].map(Duration::from_secs).to_vec();
        assert_eq!(retry_delay(&s, 1), Duration::from_secs(5));
        assert_eq!(retry_delay(&s, 3), Duration::from_secs(1800));
        assert_eq!(retry_delay(&s, 9), Duration::from_secs(1800));
    }
}
