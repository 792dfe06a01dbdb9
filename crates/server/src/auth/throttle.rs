//! Failed-login throttling, kept in the database so that every server process shares it.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::entities::login_attempts;
use crate::error::{ApiResult, AppError};
use crate::AppState;

/// Refuses with 429 when `email` has had too many failures within the window.
pub async fn check(state: &AppState, email: &str, now: DateTime<Utc>) -> ApiResult<()> {
    let window = chrono::Duration::from_std(state.config.login_window).unwrap_or_default();
    let max = state.config.login_max_failures as usize;
    let recent = login_attempts::Entity::find()
        .filter(login_attempts::Column::Email.eq(email))
        .filter(login_attempts::Column::CreatedAt.gt(now - window))
        .order_by_desc(login_attempts::Column::CreatedAt)
        .all(&state.db.conn)
        .await?;
    if max > 0 && recent.len() >= max {
        // Logins open again once the oldest of the last `max` failures leaves the window.
        let reopens = recent[max - 1].created_at + window;
        let retry_after_secs = (reopens - now).num_seconds().max(1) as u64;
        return Err(AppError::TooManyRequests {
            detail: format!("Too many failed logins for this address; try again in {} minutes.", retry_after_secs.div_ceil(60)),
            retry_after_secs,
        });
    }
    Ok(())
}

pub async fn record_failure(
    conn: &impl ConnectionTrait,
    email: &str,
    ip: Option<String>,
    now: DateTime<Utc>,
    window: std::time::Duration,
) -> ApiResult<()> {
    login_attempts::ActiveModel { id: Set(Uuid::now_v7()), email: Set(email.to_owned()), ip_address: Set(ip), created_at: Set(now) }
        .insert(conn)
        .await?;
    let window = chrono::Duration::from_std(window).unwrap_or_default();
    login_attempts::Entity::delete_many().filter(login_attempts::Column::CreatedAt.lt(now - window)).exec(conn).await?;
    Ok(())
}

pub async fn clear(conn: &impl ConnectionTrait, email: &str) -> ApiResult<()> {
    login_attempts::Entity::delete_many().filter(login_attempts::Column::Email.eq(email)).exec(conn).await?;
    Ok(())
}
