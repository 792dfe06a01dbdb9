//! The client crate's example program (`crates/client/examples/integration.rs`), run against the
//! server: its `order` flow over an API token, and its `receive` flow verifying real deliveries.

#[allow(dead_code)]
#[path = "../../../client/examples/integration.rs"]
mod program;

use axum::http::StatusCode;
use petpixel_server::entities::projects;
use petpixel_types::Role;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::support::TestApp;
use crate::webhooks::drain;

#[tokio::test]
async fn the_example_program_takes_an_order_and_verifies_deliveries() {
    let app = TestApp::new().await;
    let base = app.serve().await;
    let admin = app.user(Role::Admin).await;
    let token = app.post("/api/v1/api-tokens", &admin.token, json!({ "name": "shop", "scopes": ["*"] })).await;
    let token = token.body["secret"].as_str().unwrap().to_owned();

    // The receiver, registered for the project's events.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let endpoint = app
        .post("/api/v1/webhooks", &admin.token, json!({ "url": url, "event_types": ["project.created", "project.status_changed"] }))
        .await;
    assert_eq!(endpoint.status, StatusCode::CREATED);
    tokio::spawn(program::receive(listener, endpoint.body["secret"].as_str().unwrap().to_owned()));

    program::order(&base, &token, "ORDER-42").await.unwrap();
    program::order(&base, &token, "ORDER-42").await.unwrap();
    let made = projects::Entity::find().filter(projects::Column::Notes.eq("Shop order ORDER-42")).all(&app.state.db.conn).await.unwrap();
    assert_eq!(made.len(), 1, "one project however often the order is sent");
    assert_eq!(made[0].status, "in_progress");

    drain(&app).await;
    let id = endpoint.body["id"].as_str().unwrap();
    let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), &admin.token).await;
    let answers: Vec<(String, u64)> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["event_type"].as_str().unwrap().to_owned(), d["tries"][0]["status_code"].as_u64().unwrap_or(0)))
        .collect();
    let verified = [("project.status_changed".to_owned(), 204), ("project.created".to_owned(), 204)];
    assert_eq!(answers, verified, "the receiver verified both (it answers 400 to a bad signature)");
}
