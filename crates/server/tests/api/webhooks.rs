//! Outgoing webhooks against a local receiver: signatures (as Standard Webhooks verifies them),
//! order, retries, rollbacks, private addresses, rotation, switching off, the log; on SQLite and
//! PostgreSQL.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use petpixel_server::entities::{activity_logs, webhook_deliveries, webhook_endpoints};
use petpixel_server::jobs::Worker;
use petpixel_server::webhooks::signature;
use petpixel_types::event::Payload;
use petpixel_types::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{TestApp, TestUser};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn verifies_with(&self, secret: &str) -> bool {
        let key = signature::key_of(secret).unwrap();
        signature::verify(&key, &self.id, self.timestamp, self.body.as_bytes(), &self.signature)
    }
}

/// What the receiver answers next (200 once the script runs out), and what it got.
#[derive(Clone, Default)]
struct Receiver {
    script: Arc<Mutex<VecDeque<(u16, &'static str)>>>,
    got: Arc<Mutex<Vec<Received>>>,
    url: String,
}

impl Receiver {
    async fn start() -> Self {
        let mut receiver = Receiver::default();
        let (script, got) = (receiver.script.clone(), receiver.got.clone());
        let hook = move |headers: HeaderMap, body: String| {
            let (script, got) = (script.clone(), got.clone());
            async move {
                let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                got.lock().unwrap().push(Received {
                    id: header("webhook-id"),
                    timestamp: header("webhook-timestamp").parse().unwrap_or(0),
                    signature: header("webhook-signature"),
                    body,
                });
                let (status, answer) = script.lock().unwrap().pop_front().unwrap_or((200, "thanks"));
                if status == 302 {
                    return (StatusCode::FOUND, [("location", "/elsewhere")], answer).into_response();
                }
                if answer == "slow" {
                    tokio::time::sleep(Duration::from_secs(3)).await;
                }
                if answer == "huge" {
                    return (StatusCode::from_u16(status).unwrap(), "x".repeat(1 << 20)).into_response();
                }
                (StatusCode::from_u16(status).unwrap(), answer).into_response()
            }
        };
        let elsewhere = {
            let got = receiver.got.clone();
            move || async move {
                got.lock().unwrap().push(Received { id: "redirected".into(), timestamp: 0, signature: String::new(), body: String::new() });
                "followed"
            }
        };
        let router = Router::new().route("/hook", post(hook)).route("/elsewhere", post(elsewhere.clone()).get(elsewhere));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        receiver.url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        receiver
    }

    fn answer(&self, replies: &[(u16, &'static str)]) {
        self.script.lock().unwrap().extend(replies.iter().copied());
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn types(&self) -> Vec<String> {
        self.got().iter().map(|r| r.json()["type"].as_str().unwrap_or("").to_owned()).collect()
    }
}

/// What the Standard Webhooks reference library (Python's `standardwebhooks`) says of each
/// `(secret, delivery)`; `None` where it is not installed (CI installs it).
fn reference_verifies(deliveries: &[(&str, &Received)]) -> Option<Vec<bool>> {
    use std::io::Write;
    let have = std::process::Command::new("python3").args(["-c", "import standardwebhooks"]).output().is_ok_and(|o| o.status.success());
    if !have {
        assert!(std::env::var_os("CI_REQUIRE_TOOLS").is_none(), "the reference check needs Python's standardwebhooks");
        eprintln!("skipped: the reference check needs Python's standardwebhooks (pip install standardwebhooks)");
        return None;
    }
    let input: Vec<Value> = deliveries
        .iter()
        .map(|(secret, r)| json!({ "secret": secret, "id": r.id, "timestamp": r.timestamp, "signature": r.signature, "body": r.body }))
        .collect();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/webhooks/verify.py");
    let mut child = std::process::Command::new("python3")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(serde_json::to_string(&input).unwrap().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

/// Runs due jobs until none is left.
pub async fn drain(app: &TestApp) {
    let worker = Worker::new(app.state.clone(), petpixel_server::app::job_registry());
    for _ in 0..100 {
        if worker.run_once().await.unwrap().is_none() {
            return;
        }
    }
    panic!("jobs kept coming");
}

/// Retries at once, so a test sees a whole schedule.
async fn app() -> TestApp {
    TestApp::with_config(|c| c.webhook_retry_schedule = vec![Duration::ZERO]).await
}

async fn register(app: &TestApp, admin: &TestUser, url: &str, types: &[&str]) -> (String, String) {
    let created = app.post("/api/v1/webhooks", &admin.token, json!({ "url": url, "event_types": types, "description": "The shop" })).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    (created.body["id"].as_str().unwrap().to_owned(), created.body["secret"].as_str().unwrap().to_owned())
}

async fn deliveries(app: &TestApp, admin: &TestUser, endpoint: &str) -> Value {
    let page = app.get(&format!("/api/v1/webhooks/{endpoint}/deliveries"), &admin.token).await;
    assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
    page.body
}

#[tokio::test]
async fn admins_register_endpoints_and_see_the_secret_once() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let created = app
        .post(
            "/api/v1/webhooks",
            &admin.token,
            json!({ "url": "http://127.0.0.1:9/hook", "event_types": ["project.updated", "project.created", "project.updated"] }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let secret = created.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && signature::key_of(secret).unwrap().len() == 32);
    assert_eq!(created.body["event_types"], json!(["project.created", "project.updated"]));
    assert_eq!(created.body["enabled"], true);
    let id = created.body["id"].as_str().unwrap();

    let read = app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(read.body.get("secret").is_none(), "shown once");
    let row = webhook_endpoints::Entity::find().one(&app.state.db.conn).await.unwrap().unwrap();
    assert!(!row.secret.contains(&secret[6..]), "sealed at rest");
    let list = app.get("/api/v1/webhooks", &admin.token).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    for path in ["/api/v1/webhooks".to_owned(), format!("/api/v1/webhooks/{id}")] {
        assert_eq!(app.get(&path, &manager.token).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    let refused =
        app.post("/api/v1/webhooks", &manager.token, json!({ "url": "https://a.example/", "event_types": ["build.ready"] })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let bad = app.post("/api/v1/webhooks", &admin.token, json!({ "url": "ftp://a.example/", "event_types": [] })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.is_problem());
    assert_eq!(bad.error_fields(), ["url", "event_types"]);
    let unknown =
        app.post("/api/v1/webhooks", &admin.token, json!({ "url": "https://a.example/", "event_types": ["project.exploded"] })).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.is_problem());
    let credentials =
        app.post("/api/v1/webhooks", &admin.token, json!({ "url": "https://u:p@a.example/", "event_types": ["build.ready"] })).await;
    assert_eq!((credentials.status, credentials.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["url".to_owned()]));

    let changed = app.patch(&format!("/api/v1/webhooks/{id}"), &admin.token, json!({ "description": "Shop", "enabled": false })).await;
    assert_eq!((changed.body["description"].as_str(), changed.body["enabled"].as_bool()), (Some("Shop"), Some(false)));
    assert_eq!(app.delete(&format!("/api/v1/webhooks/{id}"), &admin.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await.status, StatusCode::NOT_FOUND);
    let actions: Vec<String> = activity_logs::Entity::find()
        .filter(activity_logs::Column::ResourceType.eq("webhook"))
        .all(&app.state.db.conn)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["webhook.created", "webhook.updated", "webhook.deleted"]);
}

#[tokio::test]
async fn private_addresses_are_refused_unless_allowed_and_again_at_delivery() {
    let app = TestApp::with_config(|c| c.webhook_allow_private = false).await;
    let admin = app.user(Role::Admin).await;
    for url in ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest", "http://[::1]/", "http://10.0.0.7/"]
    {
        let refused = app.post("/api/v1/webhooks", &admin.token, json!({ "url": url, "event_types": ["project.created"] })).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert_eq!(refused.body["errors"][0]["code"], "private_address", "{url}: {:?}", refused.body);
    }
    // Saved while it was allowed (or a name that resolved elsewhere then): refused when sending.
    let receiver = Receiver::start().await;
    let manager = app.user(Role::Manager).await;
    let id = uuid::Uuid::now_v7();
    let row = webhook_endpoints::Model {
        id,
        url: receiver.url.clone(),
        description: None,
        event_types: json!(["project.created"]),
        enabled: true,
        secret: petpixel_server::webhooks::seal::seal(&app.state.webhook_key, &signature::new_secret()),
        previous_secret: None,
        previous_secret_expires_at: None,
        failing_since: None,
        disabled_reason: None,
        created_by: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
    };
    webhook_endpoints::Entity::insert(webhook_endpoints::ActiveModel::from(row)).exec_without_returning(&app.state.db.conn).await.unwrap();
    app.project(&manager.token, json!({ "pet_name": "Inside" })).await;
    drain(&app).await;
    assert!(receiver.got().is_empty(), "nothing reaches a private address");
    let log = deliveries(&app, &admin, &id.to_string()).await;
    let error = log["items"][0]["tries"][0]["error"].as_str().unwrap();
    assert!(error.contains("private address"), "{error}");
    assert_eq!(log["items"][0]["status"], "pending", "it waits for its retry");
}

#[tokio::test]
async fn changes_are_delivered_signed_in_order_with_full_resources() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let receiver = Receiver::start().await;
    let (id, secret) = register(&app, &admin, &receiver.url, &["project.created", "project.status_changed"]).await;
    let (_other, _) = register(&app, &admin, &receiver.url.replace("/hook", "/never"), &["build.ready"]).await;

    let project = app.project(&manager.token, json!({ "pet_name": "Buttercup" })).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    app.put(&format!("{path}/status"), &manager.token, json!({ "status": "in_progress" })).await;
    app.patch(&path, &manager.token, json!({ "notes": "not subscribed to updates" })).await;
    app.put(&format!("{path}/status"), &manager.token, json!({ "status": "review" })).await;
    drain(&app).await;

    let got = receiver.got();
    assert_eq!(receiver.types(), ["project.created", "project.status_changed", "project.status_changed"]);
    for r in &got {
        assert!(r.verifies_with(&secret), "signature of {}", r.id);
        assert!(r.id.starts_with("msg_"));
        assert!((Utc::now().timestamp() - r.timestamp).abs() < 60);
        assert!(!r.verifies_with(&signature::new_secret()));
    }
    let stranger = signature::new_secret();
    let checks = [(secret.as_str(), &got[0]), (secret.as_str(), &got[2]), (stranger.as_str(), &got[1])];
    if let Some(verdicts) = reference_verifies(&checks) {
        assert_eq!(verdicts, [true, true, false], "as the reference library verifies");
    }
    let last = got[2].json();
    assert_eq!(last["data"]["id"], project["id"], "the full project, not a bare id");
    assert_eq!(last["data"]["status"], "review");
    assert_eq!(last["data"]["pet_name"], "Buttercup");
    assert_eq!(got[1].json()["data"]["status"], "in_progress");
    assert!(last["timestamp"].is_string());

    let log = deliveries(&app, &admin, &id).await;
    assert_eq!(log["total"], 3);
    let newest = &log["items"][0];
    assert_eq!((newest["status"].as_str(), newest["attempts"].as_u64()), (Some("delivered"), Some(1)));
    assert_eq!(newest["message_id"].as_str(), Some(got[2].id.as_str()));
    assert_eq!(newest["tries"][0]["status_code"], 200);
    assert_eq!(newest["tries"][0]["response_body"], "thanks");
    assert!(newest["tries"][0]["duration_ms"].is_u64());
    assert_eq!(newest["payload"], last);
    let filtered = app.get(&format!("/api/v1/webhooks/{id}/deliveries?event_type=project.created"), &admin.token).await;
    assert_eq!(filtered.body["total"], 1);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_and_later_messages_wait_their_turn() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let receiver = Receiver::start().await;
    let (id, _) = register(&app, &admin, &receiver.url, &["project.created"]).await;
    receiver.answer(&[(500, "down"), (503, "still down"), (302, "moved")]);
    app.project(&manager.token, json!({ "pet_name": "First" })).await;
    app.project(&manager.token, json!({ "pet_name": "Second" })).await;
    drain(&app).await;

    let pets: Vec<String> = receiver.got().iter().map(|r| r.json()["data"]["pet_name"].as_str().unwrap_or("-").to_owned()).collect();
    assert_eq!(pets, ["First", "First", "First", "First", "Second"], "four tries of the first, redirects not followed, then the second");
    let ids: Vec<String> = receiver.got().iter().map(|r| r.id.clone()).collect();
    assert!(ids[..4].iter().all(|i| *i == ids[0]), "one webhook-id for every try");
    let log = deliveries(&app, &admin, &id).await;
    let first = &log["items"][1];
    assert_eq!((first["status"].as_str(), first["attempts"].as_u64()), (Some("delivered"), Some(4)));
    let codes: Vec<Value> = first["tries"].as_array().unwrap().iter().map(|t| t["status_code"].clone()).collect();
    assert_eq!(codes, [json!(200), json!(302), json!(503), json!(500)], "newest first");
    assert_eq!(first["tries"][3]["response_body"], "down");
    assert!(first["tries"][3]["error"].as_str().unwrap().contains("500"));
    let endpoint = app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert_eq!(endpoint.body["failing_since"], Value::Null, "a success clears the failure record");
}

#[tokio::test]
async fn answers_are_cut_short_and_slow_receivers_time_out() {
    let app = TestApp::with_config(|c| {
        c.webhook_retry_schedule = vec![Duration::from_secs(3600)];
        c.webhook_timeout = Duration::from_secs(1);
    })
    .await;
    let admin = app.user(Role::Admin).await;
    let receiver = Receiver::start().await;
    let (id, _) = register(&app, &admin, &receiver.url, &["project.created"]).await;
    receiver.answer(&[(200, "huge")]);
    assert_eq!(app.post(&format!("/api/v1/webhooks/{id}/test"), &admin.token, json!({})).await.status, StatusCode::ACCEPTED);
    drain(&app).await;
    let log = deliveries(&app, &admin, &id).await;
    assert_eq!(log["items"][0]["status"], "delivered");
    assert_eq!(log["items"][0]["event_type"], "webhook.test");
    assert_eq!(log["items"][0]["tries"][0]["response_body"].as_str().unwrap().len(), 1024);

    receiver.answer(&[(200, "slow")]);
    app.post(&format!("/api/v1/webhooks/{id}/test"), &admin.token, json!({})).await;
    drain(&app).await;
    let log = deliveries(&app, &admin, &id).await;
    let slow = &log["items"][0];
    assert_eq!(slow["status"], "pending");
    assert!(slow["tries"][0]["error"].as_str().unwrap().contains("No answer in time"), "{slow}");
    assert!(slow["tries"][0]["duration_ms"].as_u64().unwrap() < 2500);
    assert!(slow["next_attempt_at"].is_string());
    assert!(app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await.body["failing_since"].is_string());
}

#[tokio::test]
async fn a_rolled_back_change_sends_nothing() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let receiver = Receiver::start().await;
    register(&app, &admin, &receiver.url, &["project.created", "project.status_changed", "project.updated"]).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Steady" })).await;
    drain(&app).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    // Refused before or inside the transaction: no delivery.
    let skipped = app.put(&format!("{path}/status"), &manager.token, json!({ "status": "complete" })).await;
    assert_eq!(skipped.status, StatusCode::CONFLICT, "{:?}", skipped.body);
    let bad = app.patch(&path, &manager.token, json!({ "pet_name": "" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A transaction that staged an event and rolled back.
    let wire: petpixel_types::project::Project = serde_json::from_value(project.clone()).unwrap();
    let event = |wire: &petpixel_types::project::Project| {
        petpixel_server::events::about(
            "project.status_changed",
            petpixel_types::activity::ResourceType::Project,
            Some(wire.id),
            None,
            Payload::Project(wire.clone()),
        )
    };
    let txn = app.state.db.begin_write().await.unwrap();
    txn.stage(event(&wire));
    drop(txn);
    drain(&app).await;
    assert_eq!(webhook_deliveries::Entity::find().count(&app.state.db.conn).await.unwrap(), 1, "only the creation");
    assert_eq!(receiver.types(), ["project.created"]);

    let txn = app.state.db.begin_write().await.unwrap();
    txn.stage(event(&wire));
    txn.commit().await.unwrap();
    drain(&app).await;
    assert_eq!(receiver.types(), ["project.created", "project.status_changed"], "the same, committed");
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let app = app().await;
    let admin = app.user(Role::Admin).await;
    let receiver = Receiver::start().await;
    let (id, old) = register(&app, &admin, &receiver.url, &["project.created"]).await;
    let rotated = app.post(&format!("/api/v1/webhooks/{id}/rotate-secret"), &admin.token, json!({})).await;
    assert_eq!(rotated.status, StatusCode::OK, "{:?}", rotated.body);
    let new = rotated.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    let until: chrono::DateTime<Utc> = serde_json::from_value(rotated.body["previous_secret_expires_at"].clone()).unwrap();
    assert!((until - Utc::now() - chrono::Duration::hours(24)).num_seconds().abs() < 60);

    app.post(&format!("/api/v1/webhooks/{id}/test"), &admin.token, json!({})).await;
    drain(&app).await;
    let first = receiver.got().remove(0);
    assert_eq!(first.signature.split(' ').count(), 2);
    assert!(first.verifies_with(&old) && first.verifies_with(&new), "both verify during the overlap");
    if let Some(verdicts) = reference_verifies(&[(old.as_str(), &first), (new.as_str(), &first)]) {
        assert_eq!(verdicts, [true, true]);
    }

    // A day later: the new one only.
    webhook_endpoints::Entity::update_many()
        .col_expr(webhook_endpoints::Column::PreviousSecretExpiresAt, Expr::value(Utc::now() - chrono::Duration::minutes(1)))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    app.post(&format!("/api/v1/webhooks/{id}/test"), &admin.token, json!({})).await;
    drain(&app).await;
    let second = receiver.got().remove(1);
    assert!(second.verifies_with(&new) && !second.verifies_with(&old));
    assert_eq!(second.json()["data"]["endpoint_id"], id.as_str());
    let endpoint = app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert!(endpoint.body["previous_secret_expires_at"].is_string());
}

#[tokio::test]
async fn an_endpoint_failing_for_days_is_switched_off_and_the_admins_told() {
    let app = TestApp::with_config(|c| c.webhook_retry_schedule = vec![Duration::from_secs(3600)]).await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let receiver = Receiver::start().await;
    let (id, _) = register(&app, &admin, &receiver.url, &["project.created"]).await;
    receiver.answer(&[(500, "down"), (500, "down")]);
    app.project(&manager.token, json!({ "pet_name": "One" })).await;
    app.project(&manager.token, json!({ "pet_name": "Two" })).await;
    drain(&app).await;
    assert_eq!(receiver.got().len(), 1, "the second waits behind the first");
    let endpoint = app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert!(endpoint.body["failing_since"].is_string());
    assert_eq!(endpoint.body["enabled"], true);

    // Three days of failures later, the next try fails too.
    webhook_endpoints::Entity::update_many()
        .col_expr(webhook_endpoints::Column::FailingSince, Expr::value(Utc::now() - chrono::Duration::days(3)))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    webhook_deliveries::Entity::update_many()
        .col_expr(webhook_deliveries::Column::NextAttemptAt, Expr::value(Utc::now()))
        .filter(webhook_deliveries::Column::Status.eq("pending"))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    petpixel_server::entities::jobs::Entity::update_many()
        .col_expr(petpixel_server::entities::jobs::Column::RunAt, Expr::value(Utc::now()))
        .filter(petpixel_server::entities::jobs::Column::Status.eq("pending"))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    drain(&app).await;
    assert_eq!(receiver.got().len(), 2);
    let endpoint = app.get(&format!("/api/v1/webhooks/{id}"), &admin.token).await;
    assert_eq!(endpoint.body["enabled"], false);
    assert!(endpoint.body["disabled_reason"].as_str().unwrap().contains("3 days"), "{}", endpoint.body);
    let log = deliveries(&app, &admin, &id).await;
    let statuses: Vec<&str> = log["items"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["failed", "failed"]);
    let told = app.get("/api/v1/notifications", &admin.token).await;
    assert_eq!(told.body["items"][0]["kind"], "webhook_disabled");
    assert!(told.body["items"][0]["title"].as_str().unwrap().contains(&receiver.url));
    assert_eq!(app.get("/api/v1/notifications", &manager.token).await.body["items"], json!([]), "admins only");
    let entry = activity_logs::Entity::find().filter(activity_logs::Column::Action.eq("webhook.disabled")).count(&app.state.db.conn);
    assert_eq!(entry.await.unwrap(), 1);

    // Off: no new deliveries, no test, no resend; on again: a clean slate.
    app.project(&manager.token, json!({ "pet_name": "Three" })).await;
    assert_eq!(deliveries(&app, &admin, &id).await["total"], 2);
    assert_eq!(app.post(&format!("/api/v1/webhooks/{id}/test"), &admin.token, json!({})).await.status, StatusCode::CONFLICT);
    let delivery = log["items"][1]["id"].as_str().unwrap();
    let resend = format!("/api/v1/webhooks/{id}/deliveries/{delivery}/resend");
    assert_eq!(app.post(&resend, &admin.token, json!({})).await.status, StatusCode::CONFLICT);
    let on = app.patch(&format!("/api/v1/webhooks/{id}"), &admin.token, json!({ "enabled": true })).await;
    assert_eq!(
        (on.body["enabled"].as_bool(), on.body["disabled_reason"].is_null(), on.body["failing_since"].is_null()),
        (Some(true), true, true)
    );

    // Resending the first message: the same webhook-id and body, delivered now.
    let again = app.post(&resend, &admin.token, json!({})).await;
    assert_eq!(again.status, StatusCode::ACCEPTED, "{:?}", again.body);
    drain(&app).await;
    let got = receiver.got();
    assert_eq!(got.len(), 3);
    assert_eq!((got[2].id.as_str(), got[2].body.as_str()), (got[0].id.as_str(), got[0].body.as_str()));
    let missing = format!("/api/v1/webhooks/{id}/deliveries/{}/resend", uuid::Uuid::now_v7());
    assert_eq!(app.post(&missing, &admin.token, json!({})).await.status, StatusCode::NOT_FOUND);
}
