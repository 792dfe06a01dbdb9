//! Who is told of what. Each notification is written on the transaction of the change that
//! causes it, with its live event and, if its reader wants one, its e-mail: all of it commits
//! with the change, or none of it.

use chrono::Utc;
use petpixel_types::activity::{project_name, ResourceType};
use petpixel_types::event::Payload;
use petpixel_types::notification::{Notification, NotificationKind};
use petpixel_types::project::ProjectStatus;
use petpixel_types::user::display_name;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::mentions;
use super::model::{self, About};
use super::preferences::email_wanted;
use crate::actor::Actor;
use crate::db::WriteTxn;
use crate::email::outbox::{self, Message};
use crate::entities::{notifications, projects, users};
use crate::error::ApiResult;
use crate::state::AppState;

pub struct NewNotification {
    pub user_id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub message: Option<String>,
    pub about: About,
    /// Holds it to once per key (a deadline reminder per project and date).
    pub dedupe_key: Option<String>,
}

/// Writes the notification, stages its event and queues its e-mail. `None` when its reader is
/// gone or deactivated, or one with the same key exists.
pub async fn notify(state: &AppState, txn: &WriteTxn, new: NewNotification) -> ApiResult<Option<Notification>> {
    let Some(reader) = users::Entity::find_by_id(new.user_id).filter(users::Column::Active.eq(true)).one(&**txn).await? else {
        return Ok(None);
    };
    // The row as written, for the event: nothing to read back.
    let written = notifications::Model {
        id: Uuid::now_v7(),
        user_id: new.user_id,
        kind: new.kind.as_str().into(),
        title: new.title.chars().take(255).collect(),
        message: new.message,
        read: false,
        read_at: None,
        data: Some(new.about.to_json()),
        created_at: Utc::now(),
        dedupe_key: new.dedupe_key,
        actor_id: new.about.actor_id,
    };
    let row = notifications::ActiveModel::from(written.clone()).reset_all();
    let inserted = notifications::Entity::insert(row)
        .on_conflict(OnConflict::column(notifications::Column::DedupeKey).do_nothing().to_owned())
        .exec_without_returning(&**txn)
        .await?;
    if inserted == 0 {
        return Ok(None);
    }
    let id = written.id;
    let wire = model::to_wire(written)?;
    txn.stage(crate::events::about(
        "notification.created",
        ResourceType::Notification,
        wire.project_id,
        wire.actor_id,
        Payload::Notification(wire.clone()),
    ));
    if email_wanted(&**txn, new.user_id, new.kind).await? {
        outbox::queue(
            &**txn,
            Message { to: reader.email, subject: wire.title.clone(), body: body(state, &wire), notification_id: Some(id) },
        )
        .await?;
    }
    Ok(Some(wire))
}

fn body(state: &AppState, n: &Notification) -> String {
    let mut text = String::new();
    if let Some(message) = &n.message {
        text.push_str(message);
        text.push_str("\n\n");
    }
    if let Some(project) = n.project_id {
        text.push_str(&format!("Open the project: {}/projects/{project}\n\n", state.config.public_url.trim_end_matches('/')));
    }
    text.push_str(&format!(
        "-- \nPetPixel Studio. You get this e-mail for \"{}\"; choose which e-mails you get on your profile page: {}/profile\n",
        n.kind.label(),
        state.config.public_url.trim_end_matches('/')
    ));
    text
}

/// The notifications a project change makes: to the artist it was given to and the one it was
/// taken from, to its artist when someone else moves its status, and to whoever its notes newly
/// mention. Never to the person who made the change.
pub async fn project_changed(
    state: &AppState,
    txn: &WriteTxn,
    actor: &Actor,
    before: &projects::Model,
    after: &projects::Model,
) -> ApiResult<()> {
    let others = |id: Option<Uuid>| id.filter(|id| *id != actor.user_id);
    let reassigned = before.assigned_artist_id != after.assigned_artist_id;
    // A new artist hears of the assignment; the status is in it.
    let moved = before.status != after.status && !reassigned && others(after.assigned_artist_id).is_some();
    let old = before.notes.as_deref().map(mentions::handles).unwrap_or_default();
    let fresh: Vec<String> =
        after.notes.as_deref().map(mentions::handles).unwrap_or_default().into_iter().filter(|h| !old.contains(h)).collect();
    // Most saves concern no one else: they read nothing more.
    if !(reassigned || moved || !fresh.is_empty()) {
        return Ok(());
    }
    let me = users::Entity::find_by_id(actor.user_id).one(&**txn).await?;
    let actor_name = me.as_ref().map(|u| display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email));
    let who = actor_name.clone().unwrap_or_else(|| actor.email.clone());
    let project_name = Some(project_name(&after.pet_name, &after.customer_name));
    let about = || About {
        project_id: Some(after.id),
        project_name: project_name.clone(),
        actor_id: Some(actor.user_id),
        actor_name: actor_name.clone(),
    };
    let pet = &after.pet_name;

    if reassigned {
        if let Some(to) = others(after.assigned_artist_id) {
            let message = match after.deadline {
                Some(d) => format!("{}'s {} game, due {}.", after.customer_name, after.package_type, d.format("%e %B").to_string().trim()),
                None => format!("{}'s {} game.", after.customer_name, after.package_type),
            };
            let title = format!("{who} assigned {pet}'s game to you");
            notify(state, txn, new(to, NotificationKind::Assigned, title, Some(message), about())).await?;
        }
        if let Some(from) = others(before.assigned_artist_id) {
            let title = format!("{pet}'s game is no longer assigned to you");
            let message = format!("{who} changed who works on it.");
            notify(state, txn, new(from, NotificationKind::Unassigned, title, Some(message), about())).await?;
        }
    }
    if moved {
        if let Some(artist) = others(after.assigned_artist_id) {
            let label = |s: &str| s.parse::<ProjectStatus>().map(|s| s.label()).unwrap_or("another status");
            let title = format!("{pet}'s game moved to {}", label(&after.status));
            let message = format!("{who} moved it from {} to {}.", label(&before.status), label(&after.status));
            notify(state, txn, new(artist, NotificationKind::StatusChanged, title, Some(message), about())).await?;
        }
    }
    if !fresh.is_empty() {
        let line = after
            .notes
            .as_deref()
            .and_then(|notes| notes.lines().find(|l| mentions::handles(l).iter().any(|h| fresh.contains(h))))
            .unwrap_or_default();
        let excerpt: String = line.chars().take(300).collect();
        let resolved = mentioned(&**txn, &fresh).await?;
        let mut left = authored_left(state, &**txn, actor.user_id).await?.min(state.config.mentions_per_save as u64);
        let mut not_sent = Vec::new();
        for (handle, people) in resolved {
            match people.as_slice() {
                [] => {}
                [user] if Some(*user) != others(Some(*user)) => {}
                [user] if left > 0 => {
                    left -= 1;
                    let title = format!("{who} mentioned you in {pet}'s notes");
                    notify(state, txn, new(*user, NotificationKind::Mention, title, Some(excerpt.clone()), about())).await?;
                }
                [_] => not_sent.push(format!(
                    "@{handle} (over your limit of mentions: {} in a save, {} an hour)",
                    state.config.mentions_per_save, state.config.notifications_per_author_hour
                )),
                several => not_sent.push(format!("@{handle} (it names {} people; write their full name or e-mail address)", several.len())),
            }
        }
        if !not_sent.is_empty() {
            let title = format!("Your mention in {pet}'s notes reached no one");
            let message = format!("No one was told of {}.", not_sent.join(", "));
            let about = About { project_id: Some(after.id), project_name: project_name.clone(), ..About::default() };
            notify(state, txn, new(actor.user_id, NotificationKind::MentionNotSent, title, Some(message), about)).await?;
        }
    }
    Ok(())
}

/// How many more mentions and messages `author` may send this hour.
pub async fn authored_left(state: &AppState, conn: &impl ConnectionTrait, author: Uuid) -> ApiResult<u64> {
    use sea_orm::PaginatorTrait;
    let sent = notifications::Entity::find()
        .filter(notifications::Column::ActorId.eq(author))
        .filter(notifications::Column::Kind.is_in([NotificationKind::Mention.as_str(), NotificationKind::Message.as_str()]))
        .filter(notifications::Column::CreatedAt.gt(Utc::now() - chrono::Duration::hours(1)))
        .count(conn)
        .await?;
    Ok(state.config.notifications_per_author_hour.saturating_sub(sent))
}

fn new(user_id: Uuid, kind: NotificationKind, title: String, message: Option<String>, about: About) -> NewNotification {
    NewNotification { user_id, kind, title, message, about, dedupe_key: None }
}

/// Each handle with the active people it names: one for a mention that resolves, several for
/// an ambiguous one (which tells no one), none for a word that names nobody.
async fn mentioned(conn: &impl ConnectionTrait, handles: &[String]) -> ApiResult<Vec<(String, Vec<Uuid>)>> {
    let people = users::Entity::find().filter(users::Column::Active.eq(true)).all(conn).await?;
    Ok(handles
        .iter()
        .map(|h| {
            let named = people.iter().filter(|u| mentions::names(h, &u.email, u.first_name.as_deref(), u.last_name.as_deref()));
            (h.clone(), named.map(|u| u.id).collect())
        })
        .collect())
}
