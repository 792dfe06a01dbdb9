//! The `email.send` job: one message over SMTP.

use chrono::Utc;
use petpixel_types::notification::EmailStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::ATTEMPTS;
use crate::entities::email_outbox;
use crate::state::AppState;

#[derive(Deserialize)]
struct Job {
    email_id: Uuid,
}

/// Sends once the job's worker holds it (one worker at a time holds a job). The try is counted
/// (`sending`) before the message goes, so a try that dies half-way (a crash, a lost lease) is
/// still counted, and the job's next try sends again: at least once, never silently dropped.
pub async fn run(state: AppState, payload: Value) -> anyhow::Result<()> {
    let Job { email_id } = serde_json::from_value(payload)?;
    let Some(row) = email_outbox::Entity::find_by_id(email_id).one(&state.db.conn).await? else { return Ok(()) };
    let unsent = [EmailStatus::Pending.as_str(), SENDING];
    if !unsent.contains(&row.status.as_str()) {
        return Ok(());
    }
    let Some(mailer) = &state.mailer else {
        return mark(&state, email_id, EmailStatus::Held.as_str(), row.attempts, None).await;
    };
    let attempts = row.attempts + 1;
    mark(&state, email_id, SENDING, attempts, row.last_error.as_deref()).await?;
    match mailer.send(&row).await {
        Ok(()) => mark(&state, email_id, EmailStatus::Sent.as_str(), attempts, None).await,
        Err(e) => {
            let error = format!("{e:#}");
            let status = if attempts >= ATTEMPTS { EmailStatus::Failed } else { EmailStatus::Pending };
            mark(&state, email_id, status.as_str(), attempts, Some(&error)).await?;
            // The job's retry (with its backoff) tries again.
            Err(anyhow::anyhow!("sending e-mail {email_id} failed: {error}"))
        }
    }
}

/// A try under way; shown to admins as `pending` (the wire knows no `sending`).
const SENDING: &str = "sending";

async fn mark(state: &AppState, id: Uuid, status: &str, attempts: i32, error: Option<&str>) -> anyhow::Result<()> {
    let txn = state.db.begin_write().await?;
    let mut update = email_outbox::Entity::update_many()
        .col_expr(email_outbox::Column::Status, Expr::value(status))
        .col_expr(email_outbox::Column::Attempts, Expr::value(attempts))
        .col_expr(email_outbox::Column::LastError, Expr::value(error.map(str::to_owned)));
    if status == EmailStatus::Sent.as_str() {
        update = update.col_expr(email_outbox::Column::SentAt, Expr::value(Some(Utc::now())));
    }
    update.filter(email_outbox::Column::Id.eq(id)).exec(&*txn).await?;
    txn.commit().await?;
    Ok(())
}
