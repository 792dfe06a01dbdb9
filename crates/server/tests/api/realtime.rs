//! The realtime hub through the official Socket.IO client: the handshake's token, rooms by
//! permission, events after commit with full payloads, none for a failed change, sockets closed
//! when their credentials end.

use std::time::Duration;

use axum::http::StatusCode;
use petpixel_types::Role;
use serde_json::{json, Value};

use crate::probe;
use crate::support::TestApp;

const QUIET: Duration = Duration::from_millis(600);

#[tokio::test]
async fn the_handshake_token_is_checked() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };

    let missing = probe.connect("none", None).await.unwrap_err();
    assert!(missing.contains("auth.token"), "{missing}");
    let bad = probe.connect("bad", Some("not-a-token")).await.unwrap_err();
    assert!(bad.contains("invalid or has expired"), "{bad}");
    let forged = probe.connect("forged", Some("pp_0123456789abcdef0123456789abcdef_nope")).await.unwrap_err();
    assert!(forged.contains("API token"), "{forged}");
    probe.connect("artist", Some(&artist.token)).await.unwrap();

    // An API token works too, and is closed the moment it is revoked.
    let manager = app.user(Role::Manager).await;
    let created =
        app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "shop", "scopes": ["projects:read"], "expires_in_days": 30 })).await;
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    probe.connect("shop", Some(&secret)).await.unwrap();
    let revoked = app.delete(&format!("/api/v1/api-tokens/{}", created.body["id"].as_str().unwrap()), &manager.token).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(probe.disconnected("shop").await.as_deref(), Some("io server disconnect"));
    assert!(probe.connect("shop-again", Some(&secret)).await.unwrap_err().contains("revoked"));
    probe.close().await;
}

#[tokio::test]
async fn a_project_room_is_joined_only_where_the_user_may_read() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    let id = project["id"].as_str().unwrap();
    // A token for the shop that may read users, not projects.
    let created =
        app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "hr", "scopes": ["users:read"], "expires_in_days": 1 })).await;
    let hr = created.body["secret"].as_str().unwrap().to_owned();
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    probe.connect("manager", Some(&manager.token)).await.unwrap();
    probe.connect("hr", Some(&hr)).await.unwrap();

    assert_eq!(probe.subscribe("manager", id).await, json!({ "ok": true }));
    let refused = probe.subscribe("hr", id).await;
    assert_eq!(refused["ok"], false);
    assert!(refused["error"].as_str().unwrap().contains("projects:read"), "{refused}");
    let unknown = probe.subscribe("manager", &uuid::Uuid::now_v7().to_string()).await;
    assert_eq!(unknown["ok"], false);
    let malformed = probe.emit("manager", "subscribe", json!({ "project_id": "nope" })).await;
    assert_eq!(malformed["ok"], false);

    // A change reaches the room's member, not the refused socket, and not another project's room.
    let renamed = app.patch(&format!("/api/v1/projects/{id}"), &manager.token, json!({ "pet_name": "Biscuit" })).await;
    assert_eq!(renamed.status, StatusCode::OK);
    let heard = probe.event("manager", "project:updated", |p| p["pet_name"] == "Biscuit").await.expect("the member hears it");
    assert_eq!(heard, renamed.body, "the payload is the project as the API answers it");
    assert!(!probe.hears("hr", "project:updated", QUIET, |_| true).await);
    // The feed: user-scoped readers see user activity, not project activity.
    assert!(!probe.hears("hr", "activity", QUIET, |e| e["action"] == "project.updated").await);
    probe.close().await;
}

#[tokio::test]
async fn events_come_after_commit_with_full_payloads_and_none_for_a_failed_change() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Mochi" })).await;
    let id = project["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await.status, StatusCode::OK);
    let base = app.serve().await;
    let Some(mut probe) = probe::start(&base).await else { return };
    probe.connect("artist", Some(&artist.token)).await.unwrap();
    probe.connect("manager", Some(&manager.token)).await.unwrap();
    assert_eq!(probe.subscribe("artist", &id).await["ok"], true);

    let moved = app.put(&format!("{path}/status"), &manager.token, json!({ "status": "in_progress" })).await;
    assert_eq!(moved.status, StatusCode::OK);
    let heard = probe.event("artist", "project:updated", |p| p["status"] == "in_progress").await.expect("project:updated");
    assert_eq!(heard["pet_name"], "Mochi");
    assert_eq!(heard["version"], moved.body["version"]);
    assert_eq!(heard["assigned_artist"]["id"], artist.id.to_string());
    // The board hears it without subscribing.
    assert!(probe.event("manager", "project:updated", |p| p["status"] == "in_progress").await.is_some());
    let entry = probe.event("artist", "activity", |e| e["action"] == "project.status_changed").await.expect("activity");
    assert_eq!(entry["details"]["changes"]["status"], json!({ "from": "backlog", "to": "in_progress" }));
    assert_eq!(entry["ip_address"], Value::Null, "an artist does not see where the manager works from");
    let full = probe.event("manager", "activity", |e| e["action"] == "project.status_changed").await.unwrap();
    assert_eq!(full["ip_address"], "203.0.113.7", "a manager does");
    // The artist is told: someone else moved their project.
    let told = probe.event("artist", "notification", |n| n["kind"] == "status_changed").await.expect("a notification");
    assert_eq!(told["project_id"], id.as_str());
    assert!(told["title"].as_str().unwrap().contains("Mochi"), "{told}");

    // Refused changes commit nothing and tell no one.
    let stale = app
        .send(
            axum::http::Request::builder()
                .method("PATCH")
                .uri(&path)
                .header("authorization", format!("Bearer {}", manager.token))
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(axum::body::Body::from(r#"{"pet_name":"Stale"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let invalid = app.patch(&path, &manager.token, json!({ "customer_email": "not an address" })).await;
    assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
    let skipped = app.put(&format!("{path}/status"), &manager.token, json!({ "status": "complete" })).await;
    assert_eq!(skipped.status, StatusCode::CONFLICT);
    assert!(!probe.hears("artist", "project:updated", QUIET, |_| true).await, "no event for a refused change");
    assert!(!probe.hears("manager", "activity", QUIET, |_| true).await);
    probe.close().await;
}

#[tokio::test]
async fn a_deactivated_users_sockets_are_closed_and_stay_out() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let artist = app.user(Role::Artist).await;
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    probe.connect("tab1", Some(&artist.token)).await.unwrap();
    probe.connect("tab2", Some(&artist.token)).await.unwrap();
    let off = app.patch(&format!("/api/v1/users/{}", artist.id), &admin.token, json!({ "active": false })).await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    assert_eq!(probe.disconnected("tab1").await.as_deref(), Some("io server disconnect"));
    assert_eq!(probe.disconnected("tab2").await.as_deref(), Some("io server disconnect"));
    let again = probe.connect("tab3", Some(&artist.token)).await.unwrap_err();
    assert!(again.contains("deactivated"), "{again}");
    probe.close().await;
}

#[tokio::test]
async fn an_event_is_told_when_its_transaction_commits_and_never_when_it_rolls_back() {
    use petpixel_server::activity::{self, Audit, NewEntry};
    use petpixel_server::actor::ClientInfo;
    use petpixel_types::activity::{ActionType, ResourceType};

    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    let id: uuid::Uuid = project["id"].as_str().unwrap().parse().unwrap();
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    probe.connect("manager", Some(&manager.token)).await.unwrap();
    let client = ClientInfo::system("test");
    let audit = Audit::new(Some(manager.id), Some(&manager.email), &client);
    let change = || NewEntry::new("project.updated", ActionType::Update, ResourceType::Project, id);

    let txn = app.state.db.begin_write().await.unwrap();
    let entry = activity::record(&txn, &audit, change()).await.unwrap();
    let this = |e: &Value| e["id"] == entry.id.to_string();
    assert!(!probe.hears("manager", "activity", QUIET, this).await, "not while the transaction is open");
    txn.commit().await.unwrap();
    assert!(probe.event("manager", "activity", this).await.is_some(), "once it has committed");

    let txn = app.state.db.begin_write().await.unwrap();
    let entry = activity::record(&txn, &audit, change()).await.unwrap();
    drop(txn);
    let this = |e: &Value| e["id"] == entry.id.to_string();
    assert!(!probe.hears("manager", "activity", QUIET, this).await, "never for a rolled-back change");
    probe.close().await;
}

#[tokio::test]
async fn a_logout_or_a_new_password_closes_the_sessions_sockets() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let second = app.login(&artist.email, crate::support::PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let third = app.login(&artist.email, crate::support::PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    probe.connect("here", Some(&artist.token)).await.unwrap();
    probe.connect("second", Some(&second)).await.unwrap();
    probe.connect("third", Some(&third)).await.unwrap();

    assert_eq!(app.request(axum::http::Method::POST, "/api/v1/auth/logout", Some(&third), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(probe.disconnected("third").await.as_deref(), Some("io server disconnect"), "the ended session's socket");
    let changed = app
        .patch(
            &format!("/api/v1/users/{}", artist.id),
            &artist.token,
            json!({ "password": "a brand new passphrase 42", "current_password": crate::support::PASSWORD }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{:?}", changed.body);
    assert_eq!(probe.disconnected("second").await.as_deref(), Some("io server disconnect"), "another session's socket");
    assert!(probe.connect("second-again", Some(&second)).await.unwrap_err().contains("session"));
    // The session that changed it goes on (its page reconnects at once).
    probe.connect("here-again", Some(&artist.token)).await.unwrap();
    probe.close().await;
}

/// A session that reaches its maximum lifetime ends everywhere at that moment: its socket is
/// closed (not left open until some later check), and HTTP refuses its still-unexpired access
/// token, as it refuses its refresh token.
#[tokio::test]
async fn a_socket_ends_when_its_session_reaches_its_lifetime() {
    let app = TestApp::with_config(|c| c.session_max_lifetime = Duration::from_secs(3)).await;
    let manager = app.user(Role::Manager).await;
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    probe.connect("manager", Some(&manager.token)).await.unwrap();
    assert_eq!(app.get("/api/v1/auth/me", &manager.token).await.status, StatusCode::OK);
    let started = std::time::Instant::now();
    assert_eq!(probe.disconnected("manager").await.as_deref(), Some("io server disconnect"), "closed within five seconds of connecting");
    assert!(started.elapsed() >= Duration::from_secs(1), "not before its time");
    let me = app.get("/api/v1/auth/me", &manager.token).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{:?}", me.body);
    assert!(me.body["detail"].as_str().unwrap().contains("expired"), "{:?}", me.body);
    assert!(probe.connect("again", Some(&manager.token)).await.unwrap_err().contains("expired"));
    probe.close().await;
}

/// On the board's live feed an artist reads other artists' projects without their customers'
/// details, his own whole, and a manager every one whole; each hears a change once. Webhook
/// changes (where the studio's data goes) reach admins' feeds only, with the address's host.
#[tokio::test]
async fn live_projects_carry_contact_details_only_to_whom_they_concern_and_webhooks_to_admins() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let iris = app.user(Role::Artist).await;
    let theo = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Wren", "customer_phone": "+44 7700 900123" })).await;
    let id = project["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": theo.id })).await.status, StatusCode::OK);
    let Some(mut probe) = probe::start(&app.serve().await).await else { return };
    for (name, token) in [("admin", &admin.token), ("manager", &manager.token), ("iris", &iris.token), ("theo", &theo.token)] {
        probe.connect(name, Some(token)).await.unwrap();
    }
    assert_eq!(probe.subscribe("iris", &id).await["ok"], true);
    assert_eq!(probe.subscribe("theo", &id).await["ok"], true);
    assert_eq!(app.patch(&path, &manager.token, json!({ "pet_name": "Wren II" })).await.status, StatusCode::OK);
    let renamed = |p: &Value| p["pet_name"] == "Wren II";
    let seen = probe.event("iris", "project:updated", renamed).await.unwrap();
    assert_eq!((&seen["customer_email"], &seen["customer_phone"], &seen["contact_hidden"]), (&Value::Null, &Value::Null, &json!(true)));
    for whole in ["theo", "manager"] {
        let seen = probe.event(whole, "project:updated", renamed).await.unwrap();
        assert_eq!(
            (seen["customer_email"].as_str(), seen["customer_phone"].as_str()),
            (Some("sunny@example.com"), Some("+44 7700 900123")),
            "{whole}"
        );
    }
    assert!(!probe.hears("theo", "project:updated", QUIET, renamed).await, "once, not once per room");
    assert!(!probe.hears("iris", "project:updated", QUIET, renamed).await, "once");

    // A webhook with a secret in its path: the admin's feed has its host, the manager's nothing.
    let hook = app
        .post(
            "/api/v1/webhooks",
            &admin.token,
            json!({ "url": "http://127.0.0.1:9/services/T0/B0/hook-secret", "event_types": ["project.created"] }),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{:?}", hook.body);
    let entry = probe.event("admin", "activity", |e| e["action"] == "webhook.created").await.expect("the admin hears it");
    assert_eq!(entry["details"]["url"], "http://127.0.0.1:9");
    assert!(!probe.hears("manager", "activity", QUIET, |e| e["action"] == "webhook.created").await);
    let feed = app.get("/api/v1/activity", &manager.token).await;
    assert!(!feed.body.to_string().contains("webhook."), "{:?}", feed.body);
    let admin_feed = app.get("/api/v1/activity", &admin.token).await.body.to_string();
    assert!(admin_feed.contains("webhook.created") && !admin_feed.contains("hook-secret"), "{admin_feed}");
    probe.close().await;
}
