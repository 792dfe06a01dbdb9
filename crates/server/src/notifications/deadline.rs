//! The deadline sweep: whoever a project is assigned to hears, once, that it is due within 48
//! hours.

use chrono::{Duration, Utc};
use petpixel_types::notification::NotificationKind;
use petpixel_types::project::ProjectStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use super::model::About;
use super::rules::{self, NewNotification};
use crate::entities::projects;
use crate::state::AppState;

pub async fn run(state: AppState, _payload: Value) -> anyhow::Result<()> {
    let reminded = remind(&state, Utc::now()).await?;
    if reminded > 0 {
        tracing::info!(reminded, "deadline reminders written");
    }
    Ok(())
}

/// Writes the reminders due at `now`; answers how many were new.
pub async fn remind(state: &AppState, now: chrono::DateTime<Utc>) -> anyhow::Result<usize> {
    // A deadline is a day: it is "within 48 hours" from two days before it.
    let (today, horizon) = (now.date_naive(), (now + Duration::hours(48)).date_naive());
    let due = projects::Entity::find()
        .filter(projects::Column::DeletedAt.is_null())
        .filter(projects::Column::AssignedArtistId.is_not_null())
        .filter(projects::Column::Deadline.between(today, horizon))
        .filter(projects::Column::Status.ne(ProjectStatus::Complete.as_str()))
        .all(&state.db.conn)
        .await?;
    let mut reminded = 0;
    for project in due {
        let (Some(artist), Some(deadline)) = (project.assigned_artist_id, project.deadline) else { continue };
        let when = if deadline == today {
            "today".to_owned()
        } else if deadline == today.succ_opt().unwrap_or(today) {
            "tomorrow".to_owned()
        } else {
            deadline.format("on %A").to_string()
        };
        let txn = state.db.begin_write().await?;
        let new = NewNotification {
            user_id: artist,
            kind: NotificationKind::Deadline,
            title: format!("{}'s game is due {when}", project.pet_name),
            message: Some(format!("{}'s order is due {}.", project.customer_name, deadline.format("%A %e %B"))),
            about: About {
                project_id: Some(project.id),
                project_name: Some(petpixel_types::activity::project_name(&project.pet_name, &project.customer_name)),
                ..About::default()
            },
            // Once per project, deadline and artist: a moved deadline, or a new artist, is
            // reminded of again.
            dedupe_key: Some(format!("deadline:{}:{deadline}:{artist}", project.id)),
        };
        if rules::notify(state, &txn, new).await?.is_some() {
            reminded += 1;
        }
        txn.commit().await?;
    }
    Ok(reminded)
}
