//! The outbox as admins read it.

use petpixel_types::notification::{EmailQuery, EmailStatus, OutboxEmail};
use petpixel_types::Page;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::actor::Actor;
use crate::db::stored;
use crate::entities::email_outbox;
use crate::error::ApiResult;
use crate::policy;
use crate::state::AppState;

fn to_wire(m: email_outbox::Model) -> ApiResult<OutboxEmail> {
    Ok(OutboxEmail {
        id: m.id,
        to: m.to_address,
        subject: m.subject,
        body: m.body,
        // A try under way is still waiting to have been sent.
        status: if m.status == "sending" { EmailStatus::Pending } else { stored::<EmailStatus>("email_outbox.status", &m.status)? },
        attempts: m.attempts,
        last_error: m.last_error,
        notification_id: m.notification_id,
        created_at: m.created_at,
        sent_at: m.sent_at,
    })
}

/// Newest first.
pub async fn list(state: &AppState, actor: &Actor, query: &EmailQuery) -> ApiResult<Page<OutboxEmail>> {
    policy::require_admin(actor)?;
    let page = query.validate()?;
    let mut select = email_outbox::Entity::find();
    if let Some(status) = query.status {
        select = match status {
            EmailStatus::Pending => select.filter(email_outbox::Column::Status.is_in(["pending", "sending"])),
            other => select.filter(email_outbox::Column::Status.eq(other.as_str())),
        };
    }
    let total = select.clone().count(&state.db.conn).await?;
    let rows = select.order_by_desc(email_outbox::Column::Id).limit(u64::from(page.limit)).offset(page.offset).all(&state.db.conn).await?;
    Ok(Page { items: rows.into_iter().map(to_wire).collect::<ApiResult<_>>()?, total, limit: page.limit, offset: page.offset })
}
