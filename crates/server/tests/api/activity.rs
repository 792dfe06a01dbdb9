use axum::http::StatusCode;
use petpixel_types::Role;
use serde_json::{json, Value};

use crate::support::{TestApp, CLIENT_IP, USER_AGENT};

#[tokio::test]
async fn a_projects_activity_shows_every_step_with_actor_ip_and_changes() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({})).await;
    let id = project["id"].as_str().unwrap();
    let path = format!("/api/v1/projects/{id}");
    app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
    app.patch(&path, &artist.token, json!({ "pet_breed": "Beagle" })).await;
    app.put(&format!("{path}/status"), &artist.token, json!({ "status": "in_progress" })).await;
    // A refused move writes nothing.
    app.put(&format!("{path}/status"), &artist.token, json!({ "status": "complete" })).await;

    let reply = app.get(&format!("{path}/activity"), &artist.token).await;
    assert_eq!(reply.status, StatusCode::OK);
    let items = reply.body["items"].as_array().unwrap();
    let actions: Vec<&str> = items.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["project.status_changed", "project.updated", "project.assigned", "project.created"]);
    let actors: Vec<&str> = items.iter().map(|e| e["user_email"].as_str().unwrap()).collect();
    assert_eq!(actors, [&artist.email, &artist.email, &manager.email, &manager.email]);
    // Colleagues' addresses are for those who read the team (the manager), not for artists.
    let managers_view = app.get(&format!("{path}/activity"), &manager.token).await;
    for (entry, seen_by_manager) in items.iter().zip(managers_view.body["items"].as_array().unwrap()) {
        assert_eq!((&entry["ip_address"], &entry["user_agent"]), (&serde_json::Value::Null, &serde_json::Value::Null));
        assert_eq!(seen_by_manager["ip_address"], CLIENT_IP);
        assert_eq!(seen_by_manager["user_agent"], USER_AGENT);
        assert_eq!(entry["project_id"], id);
        assert_eq!(entry["resource_type"], "project");
    }
    assert_eq!(items[0]["details"]["changes"]["status"], json!({ "from": "backlog", "to": "in_progress" }));
    assert_eq!(items[1]["details"]["changes"], json!({ "pet_breed": { "from": null, "to": "Beagle" } }));
    assert_eq!(items[2]["details"]["changes"]["assigned_artist_id"], json!({ "from": null, "to": artist.id }));
    assert_eq!(items[3]["action_type"], "create");
    assert_eq!(reply.body["next_cursor"], Value::Null);
}

#[tokio::test]
async fn the_feed_pages_by_cursor_without_gaps_or_repeats() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for i in 0..7 {
        app.project(&manager.token, json!({ "pet_name": format!("Pet {i}") })).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("/api/v1/activity?resource_type=project&limit=3&before={c}"),
            None => "/api/v1/activity?resource_type=project&limit=3".to_owned(),
        };
        let page = app.get(&q, &manager.token).await;
        assert_eq!(page.status, StatusCode::OK);
        for e in page.body["items"].as_array().unwrap() {
            seen.push(e["details"]["project"]["pet_name"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("Pet {i}")).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_feed_shows_each_role_what_it_may_read() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let artist = app.user(Role::Artist).await;
    app.post("/api/v1/users", &admin.token, json!({ "email": "new@studio.example", "password": "a long password" })).await;
    app.project(&admin.token, json!({})).await;

    let artist_feed = app.get("/api/v1/activity", &artist.token).await;
    assert_eq!(artist_feed.status, StatusCode::OK);
    assert!(artist_feed.body["items"].as_array().unwrap().iter().all(|e| e["resource_type"] == "project"));
    assert_eq!(app.get("/api/v1/activity?resource_type=user", &artist.token).await.status, StatusCode::FORBIDDEN);

    let admin_feed = app.get("/api/v1/activity?resource_type=user", &admin.token).await;
    let actions: Vec<&str> = admin_feed.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"user.created"));
    assert!(actions.contains(&"user.logged_in"));

    let by_user = app.get(&format!("/api/v1/activity?user_id={}&resource_type=project", admin.id), &admin.token).await;
    assert_eq!(by_user.body["items"].as_array().unwrap().len(), 1);
    let bad = app.get("/api/v1/activity?resource_type=pet&limit=500", &admin.token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["resource_type"]);
    assert_eq!(app.get(&format!("/api/v1/projects/{}/activity", uuid::Uuid::now_v7()), &admin.token).await.status, StatusCode::NOT_FOUND);
}
