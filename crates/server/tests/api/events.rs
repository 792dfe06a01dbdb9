//! Events after commit: published once the change's transaction commits, never for a rolled-back
//! one; in one process through memory, across processes through Redis (`TEST_REDIS_URL`, which
//! `.ci/run` sets for the machine's Redis).

use std::time::Duration;

use axum::http::{Method, StatusCode};
use petpixel_server::activity::{self, Audit, NewEntry};
use petpixel_server::actor::ClientInfo;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::event::Event;
use petpixel_types::Role;
use secrecy::SecretString;
use serde_json::json;
use tokio::sync::broadcast::Receiver;

use crate::support::TestApp;

/// The next event on `rx`, if one comes within a second.
async fn next(rx: &mut Receiver<Event>) -> Option<Event> {
    tokio::time::timeout(Duration::from_secs(1), rx.recv()).await.ok().and_then(Result::ok)
}

/// Records an activity entry on a transaction, then commits it or rolls it back.
async fn change(app: &TestApp, commit: bool) -> uuid::Uuid {
    let resource = uuid::Uuid::now_v7();
    let client = ClientInfo::system("events test");
    let txn = app.state.db.begin_write().await.unwrap();
    let entry = NewEntry::new("project.updated", ActionType::Update, ResourceType::Project, resource);
    activity::record(&txn, &Audit::new(None, None, &client), entry).await.unwrap();
    if commit {
        txn.commit().await.unwrap();
    }
    resource
}

#[tokio::test]
async fn a_committed_change_is_told_once_and_a_rolled_back_one_never() {
    let app = TestApp::new().await;
    let mut rx = app.state.db.bus.subscribe();
    let gone = change(&app, false).await;
    let kept = change(&app, true).await;
    let event = next(&mut rx).await.expect("the committed change's event");
    assert_eq!((event.action.as_str(), event.project_id), ("project.updated", Some(kept)));
    assert_ne!(event.resource_id, Some(gone));
    assert!(next(&mut rx).await.is_none(), "nothing for the rolled-back change, nothing twice");
}

#[tokio::test]
async fn an_api_change_is_told_with_who_and_which_project() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let mut rx = app.state.db.bus.subscribe();
    let project = app.project(&manager.token, json!({})).await;
    let event = next(&mut rx).await.unwrap();
    assert_eq!(event.action, "project.created");
    assert_eq!(event.project_id.map(|id| id.to_string()), project["id"].as_str().map(str::to_owned));
    assert_eq!(event.actor_id, Some(manager.id));
    // A refused change tells nothing.
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    assert_eq!(app.patch(&path, &manager.token, json!({ "pet_age": 99 })).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(next(&mut rx).await.is_none());
}

#[tokio::test]
async fn through_redis_another_process_hears_committed_changes_only() {
    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("TEST_REDIS_URL is not set: the Redis bus is tested in .ci/run");
        return;
    };
    // Two app instances share a database only through Redis's channel here: each has its own
    // in-process bus, as two `petpixel serve` processes do.
    let channel = format!("petpixel:test:{}", uuid::Uuid::now_v7().simple());
    let with_redis = |c: &mut petpixel_server::Config| {
        c.redis_url = Some(SecretString::from(url.clone()));
        c.events_channel = channel.clone();
    };
    let a = TestApp::with_config(with_redis).await;
    let b = TestApp::with_config(with_redis).await;
    let mut heard_by_b = b.state.db.bus.subscribe();
    let mut heard_by_a = a.state.db.bus.subscribe();

    change(&a, false).await;
    let kept = change(&a, true).await;
    let event = next(&mut heard_by_b).await.expect("process B hears process A's change");
    assert_eq!(event.project_id, Some(kept));
    assert!(next(&mut heard_by_b).await.is_none(), "nothing for the rolled-back change");
    let own = next(&mut heard_by_a).await.expect("process A hears its own change, once");
    assert_eq!(own.project_id, Some(kept));
    assert!(next(&mut heard_by_a).await.is_none());

    let health = a.request(Method::GET, "/api/health/cache", None, None).await;
    assert_eq!((health.status, health.body["backend"].as_str()), (StatusCode::OK, Some("redis")));
}
