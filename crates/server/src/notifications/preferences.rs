//! Each person's e-mail choices per kind of notification, as stored (or the kind's default).

use petpixel_types::notification::{EmailPreferences, NotificationKind};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::entities::notification_preferences;
use crate::error::ApiResult;

/// Whether `user_id` wants `kind` e-mailed (their choice, else the kind's default).
pub async fn email_wanted(conn: &impl ConnectionTrait, user_id: Uuid, kind: NotificationKind) -> ApiResult<bool> {
    let chosen = notification_preferences::Entity::find_by_id((user_id, kind.as_str().to_owned())).one(conn).await?;
    Ok(chosen.map_or(kind.emailed_by_default(), |p| p.email))
}

pub async fn read_preferences(conn: &impl ConnectionTrait, user_id: Uuid) -> ApiResult<EmailPreferences> {
    let mut prefs = EmailPreferences::default();
    let rows = notification_preferences::Entity::find().filter(notification_preferences::Column::UserId.eq(user_id)).all(conn).await?;
    for row in rows {
        // A kind a newer release added and this one does not know is skipped, not an error.
        if let Ok(kind) = row.kind.parse::<NotificationKind>() {
            prefs.set(kind, row.email);
        }
    }
    Ok(prefs)
}
