//! Writing a message into the outbox, on the caller's transaction.

use chrono::Utc;
use petpixel_types::notification::EmailStatus;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

use super::{ATTEMPTS, SEND};
use crate::entities::email_outbox;
use crate::error::ApiResult;
use crate::jobs::{self, NewJob};

pub struct Message {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub notification_id: Option<Uuid>,
}

/// Queues `message`: it is sent only if, and once, the caller's transaction commits.
pub async fn queue(conn: &impl ConnectionTrait, message: Message) -> ApiResult<Uuid> {
    let id = Uuid::now_v7();
    email_outbox::ActiveModel {
        id: Set(id),
        to_address: Set(message.to),
        subject: Set(message.subject.chars().take(255).collect()),
        body: Set(message.body),
        status: Set(EmailStatus::Pending.as_str().into()),
        attempts: Set(0),
        last_error: Set(None),
        notification_id: Set(message.notification_id),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
    }
    .insert(conn)
    .await?;
    jobs::enqueue(conn, NewJob::new(SEND, json!({ "email_id": id })).dedupe(id.to_string()).max_attempts(ATTEMPTS)).await?;
    Ok(id)
}
