//! Notifications: what concerns one person, shown by the bell and, per kind as they choose, sent
//! by e-mail. `GET /api/v1/notifications`, `.../unread-count`, `.../{id}/read`, `.../read-all`,
//! `POST /api/v1/notifications` (a manager's message), `GET`/`PATCH .../preferences`; the outbox
//! as admins see it: `GET /api/v1/emails`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::page::{parse_limit, PageRequest};
use crate::validate::{optional_text, required_text};
use crate::ValidationErrors;

string_enum!(
    /// Why someone is told.
    NotificationKind {
        /// A project was given to you.
        Assigned = "assigned",
        /// A project of yours was given to someone else, or to no one.
        Unassigned = "unassigned",
        /// A project assigned to you changed status (by someone else).
        StatusChanged = "status_changed",
        /// Someone wrote `@you` in a project's notes.
        Mention = "mention",
        /// A project of yours is due within 48 hours.
        Deadline = "deadline",
        /// A manager wrote to you.
        Message = "message",
        /// A webhook endpoint kept failing and was switched off (admins).
        WebhookDisabled = "webhook_disabled",
        /// A mention you wrote reached no one: it names several people, or you reached the
        /// limit of mentions.
        MentionNotSent = "mention_not_sent",
    }
);

impl NotificationKind {
    /// Whether it is e-mailed when the person has not chosen.
    pub fn emailed_by_default(self) -> bool {
        matches!(self, Self::Assigned | Self::Mention | Self::Deadline | Self::Message | Self::WebhookDisabled)
    }

    /// How the preferences page names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Assigned => "A project is assigned to me",
            Self::Unassigned => "A project of mine is given to someone else",
            Self::StatusChanged => "A project of mine changes status",
            Self::Mention => "Someone mentions me in a project's notes",
            Self::Deadline => "A deadline of mine is 48 hours away",
            Self::Message => "A manager sends me a message",
            Self::WebhookDisabled => "A webhook endpoint is switched off after failing (admins)",
            Self::MentionNotSent => "A mention I wrote reached no one",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: Uuid,
    /// Whom it is for.
    pub user_id: Uuid,
    pub kind: NotificationKind,
    pub title: String,
    pub message: Option<String>,
    /// The project it is about, if any.
    pub project_id: Option<Uuid>,
    /// That project, named: "Buttercup for Sunny Lee".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_name: Option<String>,
    /// Who caused it (none for the server's own reminders).
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The query of `GET /api/v1/notifications`: newest first, paged by cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// `true` for unread ones only, `false` for read ones only.
    pub unread: Option<bool>,
    /// The `next_cursor` of the previous page.
    pub before: Option<Uuid>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
}

impl NotificationQuery {
    pub fn validate(&self) -> Result<u32, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let limit = parse_limit(&mut e, self.limit);
        e.finish(limit)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Pass as `before` for the next page; none on the last.
    pub next_cursor: Option<Uuid>,
    pub limit: u32,
    /// Unread in all, whatever the filter.
    pub unread_count: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub count: u64,
}

/// Told to a person's other tabs and devices when they read notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadReceipt {
    pub user_id: Uuid,
    /// Those marked read; none means all of them.
    pub ids: Option<Vec<Uuid>>,
    pub unread_count: u64,
}

/// `POST /api/v1/notifications`: a manager's direct message to one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendNotification {
    pub user_id: Uuid,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub message: Option<String>,
    /// The project it is about, if any.
    pub project_id: Option<Uuid>,
}

pub struct ValidMessage {
    pub title: String,
    pub message: Option<String>,
}

impl SendNotification {
    pub fn validate(&self) -> Result<ValidMessage, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let title = required_text(&mut e, "title", &self.title, 200);
        let message = optional_text(&mut e, "message", self.message.as_deref(), 2000);
        e.finish(ValidMessage { title, message })
    }
}

/// Which kinds are also e-mailed, as the person chose (or the default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailPreferences {
    pub assigned: bool,
    pub unassigned: bool,
    pub status_changed: bool,
    pub mention: bool,
    pub deadline: bool,
    pub message: bool,
    #[serde(default = "yes")]
    pub webhook_disabled: bool,
    #[serde(default)]
    pub mention_not_sent: bool,
}

fn yes() -> bool {
    true
}

impl EmailPreferences {
    pub fn get(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::Assigned => self.assigned,
            NotificationKind::Unassigned => self.unassigned,
            NotificationKind::StatusChanged => self.status_changed,
            NotificationKind::Mention => self.mention,
            NotificationKind::Deadline => self.deadline,
            NotificationKind::Message => self.message,
            NotificationKind::WebhookDisabled => self.webhook_disabled,
            NotificationKind::MentionNotSent => self.mention_not_sent,
        }
    }

    pub fn set(&mut self, kind: NotificationKind, email: bool) {
        let field = match kind {
            NotificationKind::Assigned => &mut self.assigned,
            NotificationKind::Unassigned => &mut self.unassigned,
            NotificationKind::StatusChanged => &mut self.status_changed,
            NotificationKind::Mention => &mut self.mention,
            NotificationKind::Deadline => &mut self.deadline,
            NotificationKind::Message => &mut self.message,
            NotificationKind::WebhookDisabled => &mut self.webhook_disabled,
            NotificationKind::MentionNotSent => &mut self.mention_not_sent,
        };
        *field = email;
    }
}

impl Default for EmailPreferences {
    fn default() -> Self {
        let mut p = EmailPreferences {
            assigned: false,
            unassigned: false,
            status_changed: false,
            mention: false,
            deadline: false,
            message: false,
            webhook_disabled: false,
            mention_not_sent: false,
        };
        for kind in NotificationKind::ALL {
            p.set(kind, kind.emailed_by_default());
        }
        p
    }
}

/// `PATCH /api/v1/notifications/preferences`: the kinds to change; the others stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateEmailPreferences {
    pub assigned: Option<bool>,
    pub unassigned: Option<bool>,
    pub status_changed: Option<bool>,
    pub mention: Option<bool>,
    pub deadline: Option<bool>,
    pub message: Option<bool>,
    pub webhook_disabled: Option<bool>,
    pub mention_not_sent: Option<bool>,
}

impl UpdateEmailPreferences {
    pub fn changes(&self) -> Vec<(NotificationKind, bool)> {
        use NotificationKind::*;
        [
            (Assigned, self.assigned),
            (Unassigned, self.unassigned),
            (StatusChanged, self.status_changed),
            (Mention, self.mention),
            (Deadline, self.deadline),
            (Message, self.message),
            (WebhookDisabled, self.webhook_disabled),
            (MentionNotSent, self.mention_not_sent),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

string_enum!(
    /// pending (queued to send) -> sent, or held (no SMTP server configured), or failed (gave up).
    EmailStatus { Pending = "pending", Sent = "sent", Held = "held", Failed = "failed" }
);

/// An e-mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxEmail {
    pub id: Uuid,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub status: EmailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub notification_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The query of `GET /api/v1/emails`, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct EmailQuery {
    pub status: Option<EmailStatus>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl EmailQuery {
    pub fn validate(&self) -> Result<PageRequest, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_default_per_kind_and_update_only_what_is_named() {
        let mut p = EmailPreferences::default();
        assert!(p.assigned && p.mention && p.deadline && p.message);
        assert!(!p.unassigned && !p.status_changed);
        let patch: UpdateEmailPreferences = serde_json::from_str(r#"{"status_changed": true, "assigned": false}"#).unwrap();
        for (k, v) in patch.changes() {
            p.set(k, v);
        }
        assert!(p.status_changed && !p.assigned && p.mention);
    }

    #[test]
    fn a_message_needs_a_title() {
        let m = SendNotification { user_id: Uuid::nil(), title: "  ".into(), message: None, project_id: None };
        assert_eq!(m.validate().err().unwrap().0[0].field, "title");
    }
}
