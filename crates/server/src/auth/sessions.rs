//! Ending login sessions: one (logout, a reused refresh token) or all of a user's (deactivation,
//! a password change, which keeps the session that made it). Ending a session ends its refresh
//! token and every access token issued in it.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::sessions;
use crate::error::ApiResult;

/// Which sessions end.
pub enum Ended {
    One(Uuid),
    AllOf { user_id: Uuid, except: Option<Uuid> },
}

pub async fn end(conn: &impl ConnectionTrait, which: Ended, reason: &str) -> ApiResult<()> {
    let mut update = sessions::Entity::update_many()
        .col_expr(sessions::Column::RevokedAt, Expr::value(Utc::now()))
        .col_expr(sessions::Column::RevokedReason, Expr::value(reason))
        .filter(sessions::Column::RevokedAt.is_null());
    update = match which {
        Ended::One(id) => update.filter(sessions::Column::Id.eq(id)),
        Ended::AllOf { user_id, except: None } => update.filter(sessions::Column::UserId.eq(user_id)),
        Ended::AllOf { user_id, except: Some(keep) } => {
            update.filter(sessions::Column::UserId.eq(user_id)).filter(sessions::Column::Id.ne(keep))
        }
    };
    update.exec(conn).await?;
    Ok(())
}

/// Sessions (and their refresh tokens) that ended more than a day ago are of no further use:
/// the periodic `sessions.purge` job deletes them. Answers how many sessions went.
pub async fn purge_ended(conn: &impl ConnectionTrait, now: chrono::DateTime<Utc>) -> ApiResult<u64> {
    let cutoff = now - chrono::Duration::days(1);
    let ended = sea_orm::Condition::any().add(sessions::Column::ExpiresAt.lt(cutoff)).add(sessions::Column::RevokedAt.lt(cutoff));
    // Refresh tokens go with their session (ON DELETE CASCADE).
    Ok(sessions::Entity::delete_many().filter(ended).exec(conn).await?.rows_affected)
}
