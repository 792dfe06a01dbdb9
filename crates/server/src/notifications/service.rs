//! A person's notifications: listed, counted, read; a manager's message; e-mail choices.

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::event::Payload;
use petpixel_types::notification::{
    EmailPreferences, Notification, NotificationKind, NotificationPage, NotificationQuery, ReadReceipt, SendNotification, UnreadCount,
    UpdateEmailPreferences,
};
use petpixel_types::user::display_name;
use petpixel_types::{Action, Resource};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::model::{self, About};
use super::preferences::read_preferences;
use super::rules::{self, NewNotification};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::db::WriteTxn;
use crate::entities::{notification_preferences, notifications, projects, users};
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

/// Mine, newest first, paged by cursor (ids are UUIDv7, so `id < before` is older).
pub async fn list(state: &AppState, actor: &Actor, query: &NotificationQuery) -> ApiResult<NotificationPage> {
    let limit = query.validate()?;
    let conn = &state.db.conn;
    let mut select = notifications::Entity::find().filter(notifications::Column::UserId.eq(actor.user_id));
    if let Some(unread) = query.unread {
        select = select.filter(notifications::Column::Read.eq(!unread));
    }
    if let Some(before) = query.before {
        select = select.filter(notifications::Column::Id.lt(before));
    }
    let mut rows = select.order_by_desc(notifications::Column::Id).limit(u64::from(limit) + 1).all(conn).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| r.id) } else { None };
    let items = rows.into_iter().map(model::to_wire).collect::<ApiResult<_>>()?;
    Ok(NotificationPage { items, next_cursor, limit, unread_count: unread(conn, actor.user_id).await? })
}

async fn unread(conn: &impl ConnectionTrait, user_id: Uuid) -> ApiResult<u64> {
    Ok(notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(user_id))
        .filter(notifications::Column::Read.eq(false))
        .count(conn)
        .await?)
}

pub async fn unread_count(state: &AppState, actor: &Actor) -> ApiResult<UnreadCount> {
    Ok(UnreadCount { count: unread(&state.db.conn, actor.user_id).await? })
}

/// Marks one of mine read (again is no change); my other tabs hear of it.
pub async fn mark_read(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Notification> {
    let txn = state.db.begin_write().await?;
    let row = notifications::Entity::find_by_id(id)
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .one(&*txn)
        .await?
        .ok_or_else(|| AppError::not_found("notification"))?;
    if row.read {
        return model::to_wire(row);
    }
    let now = Utc::now();
    notifications::Entity::update_many()
        .col_expr(notifications::Column::Read, Expr::value(true))
        .col_expr(notifications::Column::ReadAt, Expr::value(Some(now)))
        .filter(notifications::Column::Id.eq(id))
        .exec(&*txn)
        .await?;
    let count = unread(&*txn, actor.user_id).await?;
    receipt(&txn, actor, Some(vec![id]), count);
    txn.commit().await?;
    model::to_wire(notifications::Model { read: true, read_at: Some(now), ..row })
}

pub async fn read_all(state: &AppState, actor: &Actor) -> ApiResult<UnreadCount> {
    let txn = state.db.begin_write().await?;
    let marked = notifications::Entity::update_many()
        .col_expr(notifications::Column::Read, Expr::value(true))
        .col_expr(notifications::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(notifications::Column::UserId.eq(actor.user_id))
        .filter(notifications::Column::Read.eq(false))
        .exec(&*txn)
        .await?
        .rows_affected;
    if marked > 0 {
        receipt(&txn, actor, None, 0);
    }
    txn.commit().await?;
    Ok(UnreadCount { count: 0 })
}

fn receipt(txn: &WriteTxn, actor: &Actor, ids: Option<Vec<Uuid>>, unread_count: u64) {
    let receipt = ReadReceipt { user_id: actor.user_id, ids, unread_count };
    txn.stage(crate::events::about(
        "notification.read",
        ResourceType::Notification,
        None,
        Some(actor.user_id),
        Payload::NotificationsRead(receipt),
    ));
}

/// A manager's message to one active person, recorded in the activity log.
pub async fn send(state: &AppState, actor: &Actor, request: &SendNotification) -> ApiResult<Notification> {
    policy::require(actor, Resource::Notifications, Action::Create)?;
    let valid = request.validate()?;
    let txn = state.db.begin_write().await?;
    let reader = users::Entity::find_by_id(request.user_id).one(&*txn).await?;
    if !reader.as_ref().is_some_and(|u| u.active) {
        return Err(AppError::field("user_id", "not_found", "No active team member has that id."));
    }
    let mut named = None;
    if let Some(project_id) = request.project_id {
        let project = projects::Entity::find_by_id(project_id).filter(projects::Column::DeletedAt.is_null()).one(&*txn).await?;
        let Some(project) = project else {
            return Err(AppError::field("project_id", "not_found", "No project has that id."));
        };
        named = Some(petpixel_types::activity::project_name(&project.pet_name, &project.customer_name));
    }
    if rules::authored_left(state, &*txn, actor.user_id).await? == 0 {
        return Err(AppError::TooManyRequests {
            detail: format!(
                "You have sent {} mentions and messages in the last hour, the most one person may; try again later.",
                state.config.notifications_per_author_hour
            ),
            retry_after_secs: 3600,
        });
    }
    let me = users::Entity::find_by_id(actor.user_id).one(&*txn).await?;
    let actor_name = me.map(|u| display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email));
    let about = About { project_id: request.project_id, project_name: named, actor_id: Some(actor.user_id), actor_name };
    let new = NewNotification {
        user_id: request.user_id,
        kind: NotificationKind::Message,
        title: valid.title,
        message: valid.message,
        about,
        dedupe_key: None,
    };
    let sent = rules::notify(state, &txn, new)
        .await?
        .ok_or_else(|| AppError::field("user_id", "not_found", "No active team member has that id."))?;
    let mut entry = NewEntry::new("notification.sent", ActionType::Create, ResourceType::Notification, sent.id)
        .details(json!({ "to": request.user_id, "title": sent.title }));
    if let Some(project_id) = request.project_id {
        entry = entry.project(project_id);
    }
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(sent)
}

pub async fn preferences(state: &AppState, actor: &Actor) -> ApiResult<EmailPreferences> {
    read_preferences(&state.db.conn, actor.user_id).await
}

pub async fn update_preferences(state: &AppState, actor: &Actor, request: &UpdateEmailPreferences) -> ApiResult<EmailPreferences> {
    let txn = state.db.begin_write().await?;
    let before = read_preferences(&*txn, actor.user_id).await?;
    let now = Utc::now();
    for (kind, email) in request.changes() {
        let row = notification_preferences::ActiveModel {
            user_id: Set(actor.user_id),
            kind: Set(kind.as_str().into()),
            email: Set(email),
            updated_at: Set(now),
        };
        let upsert = OnConflict::columns([notification_preferences::Column::UserId, notification_preferences::Column::Kind])
            .update_columns([notification_preferences::Column::Email, notification_preferences::Column::UpdatedAt])
            .to_owned();
        notification_preferences::Entity::insert(row).on_conflict(upsert).exec_without_returning(&*txn).await?;
    }
    let after = read_preferences(&*txn, actor.user_id).await?;
    let changes = activity::diff(&json!(before), &json!(after), &[]);
    if !changes.is_empty() {
        let entry =
            NewEntry::new("user.notification_preferences_changed", ActionType::Update, ResourceType::User, actor.user_id).changes(changes);
        activity::record(&txn, &Audit::from(actor), entry).await?;
    }
    txn.commit().await?;
    Ok(after)
}
