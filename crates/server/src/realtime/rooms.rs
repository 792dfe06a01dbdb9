//! Who hears what: the rooms a socket joins, and the deliveries an event makes. Plain functions,
//! so the routing is tested without sockets.

use petpixel_types::activity::{ActivityEntry, ResourceType};
use petpixel_types::event::{Event, Payload};
use petpixel_types::realtime as names;
use serde_json::Value;
use uuid::Uuid;

/// A person's own room: their notifications, and closing their sockets.
pub fn user(id: Uuid) -> String {
    format!("user:{id}")
}

/// The sockets of one login session (closed when it ends).
pub fn session(id: Uuid) -> String {
    format!("session:{id}")
}

/// The sockets of one API token (closed when it is revoked).
pub fn token(id: Uuid) -> String {
    format!("token:{id}")
}

/// A project's room, joined with `subscribe`: its assets', builds' and its own changes (the
/// project without its customer's contact details).
pub fn project(id: Uuid) -> String {
    format!("project:{id}")
}

/// The same room for those who see every customer's contact details: the project whole.
pub fn project_contact(id: Uuid) -> String {
    format!("project-contact:{id}")
}

/// A person's sockets that may read projects: the projects assigned to them reach these whole.
pub fn assigned(user_id: Uuid) -> String {
    format!("assigned:{user_id}")
}

/// The members of a project's room who may also read assets (`assets:read`).
pub fn project_assets(id: Uuid) -> String {
    format!("project-assets:{id}")
}

/// Everyone who reads every project: each project's changes, for the board (without the
/// customer's contact details).
pub const ALL_PROJECTS: &str = "projects";
/// Those of them who see every customer's contact details: each project whole.
pub const ALL_PROJECTS_CONTACT: &str = "projects:contact";

/// The live activity feed of one resource type, as the reader may see it: with or without the
/// actor's IP address and browser.
pub fn feed(resource_type: ResourceType, client_details: bool) -> String {
    if client_details {
        format!("feed:{}:details", resource_type.as_str())
    } else {
        format!("feed:{}", resource_type.as_str())
    }
}

/// One message to emit.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    /// `event` with `data` to every socket in any of `rooms` (once each), but those in `except`.
    Emit { event: &'static str, rooms: Vec<String>, except: Vec<String>, data: Value },
    /// Close the sockets in `room`: their credentials no longer hold, or grant something else.
    Disconnect { room: String },
}

/// What an event makes the hub do.
pub fn deliveries(event: &Event) -> Vec<Delivery> {
    let mut out = Vec::new();
    if let Some(entry) = &event.entry {
        out.push(emit(names::ACTIVITY, vec![feed(entry.resource_type, true)], entry));
        out.push(emit(names::ACTIVITY, vec![feed(entry.resource_type, false)], &without_client_details(entry)));
    }
    match &event.payload {
        Some(Payload::Project(p)) => {
            // Whole to those who see its customer's details (and to its artist), without them to
            // the other readers.
            let mut whole = vec![ALL_PROJECTS_CONTACT.into(), project_contact(p.id)];
            whole.extend(p.assigned_artist_id.map(assigned));
            out.push(emit(names::PROJECT_UPDATED, whole.clone(), p));
            out.push(Delivery::Emit {
                event: names::PROJECT_UPDATED,
                rooms: vec![ALL_PROJECTS.into(), project(p.id)],
                except: whole,
                data: serde_json::to_value(p.without_contact()).unwrap_or(Value::Null),
            });
        }
        Some(Payload::Asset(a)) => out.push(emit(names::ASSET_UPDATED, vec![project_assets(a.project_id)], a)),
        Some(Payload::Build(b)) => out.push(emit(names::BUILD_UPDATED, vec![project(b.project_id), project_contact(b.project_id)], b)),
        // Address changes reach the studio through their activity entries.
        Some(Payload::Url(_)) | None => {}
        Some(Payload::Notification(n)) => out.push(emit(names::NOTIFICATION, vec![user(n.user_id)], n)),
        Some(Payload::NotificationsRead(r)) => out.push(emit(names::NOTIFICATIONS_READ, vec![user(r.user_id)], r)),
    }
    out.extend(closures(event));
    out
}

/// Sockets whose credentials the event ended or changed. They reconnect (with a fresh token, if
/// they still have a session) and join the rooms their permissions now allow.
fn closures(event: &Event) -> Option<Delivery> {
    let id = event.resource_id?;
    let room = match event.action.as_str() {
        "user.deactivated" | "user.role_changed" | "user.admin_reset" | "session.refresh_token_reused" => user(id),
        "user.logged_out" => session(event.entry.as_ref()?.details.get("session_id")?.as_str()?.parse().ok()?),
        "api_token.revoked" => token(id),
        // A new password ends the other sessions, in case the old one leaked: their sockets too.
        "user.updated" if event.entry.as_ref()?.details.pointer("/changes/password").is_some() => user(id),
        _ => return None,
    };
    Some(Delivery::Disconnect { room })
}

fn emit<T: serde::Serialize>(event: &'static str, rooms: Vec<String>, data: &T) -> Delivery {
    Delivery::Emit { event, rooms, except: Vec::new(), data: serde_json::to_value(data).unwrap_or(Value::Null) }
}

fn without_client_details(entry: &ActivityEntry) -> ActivityEntry {
    ActivityEntry { ip_address: None, user_agent: None, ..entry.clone() }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use petpixel_types::activity::ActionType;
    use petpixel_types::notification::{Notification, NotificationKind};
    use serde_json::json;

    use super::*;

    fn entry(action: &str, resource_type: ResourceType, resource_id: Uuid, details: Value) -> ActivityEntry {
        ActivityEntry {
            id: Uuid::now_v7(),
            user_id: Some(Uuid::now_v7()),
            user_email: Some("ann@example.com".into()),
            action: action.into(),
            action_type: ActionType::Update,
            resource_type,
            resource_id: Some(resource_id),
            project_id: None,
            details,
            ip_address: Some("10.0.0.7".into()),
            user_agent: Some("Firefox".into()),
            created_at: Utc::now(),
            project_name: None,
        }
    }

    #[test]
    fn activity_goes_to_the_feed_with_client_details_only_for_those_who_see_them() {
        let e = Event::from(&entry("project.updated", ResourceType::Project, Uuid::now_v7(), json!({})));
        let d = deliveries(&e);
        let Delivery::Emit { rooms, data, .. } = &d[0] else { panic!() };
        assert_eq!(rooms, &vec!["feed:project:details".to_string()]);
        assert_eq!(data["ip_address"], "10.0.0.7");
        let Delivery::Emit { rooms, data, .. } = &d[1] else { panic!() };
        assert_eq!(rooms, &vec!["feed:project".to_string()]);
        assert_eq!(data["ip_address"], Value::Null);
        assert_eq!(data["user_agent"], Value::Null);
        assert_eq!(d.len(), 2, "no payload, no closure: {d:?}");
    }

    #[test]
    fn a_notification_goes_to_its_reader_only() {
        let user_id = Uuid::now_v7();
        let n = Notification {
            id: Uuid::now_v7(),
            user_id,
            kind: NotificationKind::Message,
            title: "Hi".into(),
            message: None,
            project_id: None,
            project_name: None,
            actor_id: None,
            actor_name: None,
            read: false,
            read_at: None,
            created_at: Utc::now(),
        };
        let e = Event {
            id: n.id,
            action: "notification.created".into(),
            resource_type: ResourceType::Notification,
            resource_id: Some(n.id),
            project_id: None,
            actor_id: None,
            at: n.created_at,
            entry: None,
            payload: Some(Payload::Notification(n)),
        };
        let d = deliveries(&e);
        assert_eq!(d.len(), 1);
        let Delivery::Emit { event, rooms, data, .. } = &d[0] else { panic!() };
        assert_eq!((*event, rooms.clone()), (names::NOTIFICATION, vec![format!("user:{user_id}")]));
        assert_eq!(data["title"], "Hi");
    }

    #[test]
    fn a_project_goes_whole_to_those_who_see_contact_details_and_without_them_to_the_rest() {
        let artist = Uuid::now_v7();
        let whole: petpixel_types::project::Project = serde_json::from_value(json!({
            "id": Uuid::now_v7(), "customer_name": "Sunny Lee", "customer_email": "sunny@example.com", "customer_phone": "+1 555",
            "pet_name": "Rex", "pet_breed": null, "pet_age": null, "pet_personality": null, "package_type": "custom",
            "status": "backlog", "priority": "normal", "assigned_artist_id": artist, "assigned_artist": null, "deadline": null,
            "overdue": false, "estimated_hours": null, "actual_hours": null,
            "game_config": { "theme": "space", "difficulty": "medium", "features": [] }, "notes": null, "version": 1,
            "created_at": Utc::now(), "updated_at": Utc::now(), "completed_at": null
        }))
        .unwrap();
        let id = whole.id;
        let e = Event {
            id: Uuid::now_v7(),
            action: "project.updated".into(),
            resource_type: ResourceType::Project,
            resource_id: Some(id),
            project_id: Some(id),
            actor_id: None,
            at: Utc::now(),
            entry: None,
            payload: Some(Payload::Project(whole)),
        };
        let d = deliveries(&e);
        let Delivery::Emit { rooms, except, data, .. } = &d[0] else { panic!() };
        assert_eq!(rooms, &vec![ALL_PROJECTS_CONTACT.to_owned(), project_contact(id), assigned(artist)]);
        assert!(except.is_empty());
        assert_eq!((data["customer_email"].as_str(), data["contact_hidden"].as_bool()), (Some("sunny@example.com"), Some(false)));
        let Delivery::Emit { rooms: others, except, data, .. } = &d[1] else { panic!() };
        assert_eq!(others, &vec![ALL_PROJECTS.to_owned(), project(id)]);
        assert_eq!(except, rooms, "who got it whole does not get it twice");
        assert_eq!((&data["customer_email"], &data["customer_phone"], &data["contact_hidden"]), (&Value::Null, &Value::Null, &json!(true)));
        assert_eq!(data["pet_name"], "Rex");
    }

    #[test]
    fn ended_credentials_close_their_sockets() {
        let (user_id, session_id, token_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let close = |action: &str, id: Uuid, details: Value| {
            deliveries(&Event::from(&entry(action, ResourceType::User, id, details))).into_iter().find_map(|d| match d {
                Delivery::Disconnect { room } => Some(room),
                _ => None,
            })
        };
        assert_eq!(close("user.deactivated", user_id, json!({})), Some(user(user_id)));
        assert_eq!(close("user.role_changed", user_id, json!({})), Some(user(user_id)));
        assert_eq!(close("user.logged_out", user_id, json!({ "session_id": session_id })), Some(session(session_id)));
        assert_eq!(close("api_token.revoked", token_id, json!({})), Some(token(token_id)));
        assert_eq!(close("user.updated", user_id, json!({ "changes": { "password": "changed" } })), Some(user(user_id)));
        assert_eq!(close("user.updated", user_id, json!({ "changes": { "first_name": { "from": "A", "to": "B" } } })), None);
    }
}
