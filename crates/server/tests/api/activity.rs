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

/// Entries written before the security review kept a webhook's full address and customers'
/// contact details; the migration that came with it leaves the scheme and host of the one and
/// none of the other.
#[tokio::test]
async fn the_migration_takes_webhook_paths_and_contact_details_out_of_old_entries() {
    use petpixel_migrations::{Migrator, MigratorTrait};
    use petpixel_server::entities::activity_logs;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};

    let app = TestApp::new().await;
    let conn = &app.state.db.conn;
    // Back to just before the security review's migration, however many have landed since.
    let names: Vec<String> = Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let review = names.iter().position(|n| n == "m20261207_000015_security_review").unwrap();
    Migrator::down(conn, Some(u32::try_from(names.len() - review).unwrap())).await.unwrap();
    let entry = |action: &str, resource_type: &str, details: Value| activity_logs::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        user_id: Set(None),
        user_email: Set(None),
        action: Set(action.into()),
        action_type: Set("update".into()),
        resource_type: Set(resource_type.into()),
        resource_id: Set(Some(uuid::Uuid::now_v7())),
        project_id: Set(None),
        details: Set(details),
        ip_address: Set(None),
        user_agent: Set(None),
        created_at: Set(chrono::Utc::now()),
    };
    let hook = "https://hooks.chat.example/services/T0/B0/s3cr3t-path";
    let rows = [
        entry("webhook.created", "webhook", json!({ "url": hook, "event_types": ["project.created"] })),
        entry("webhook.updated", "webhook", json!({ "changes": { "url": { "from": hook, "to": "http://10.1.2.3:8080/x?token=abc" } } })),
        entry(
            "project.created",
            "project",
            json!({ "project": { "pet_name": "Rex", "customer_email": "zelda@customer.example", "customer_phone": "+44 7700 900123" } }),
        ),
        entry(
            "project.updated",
            "project",
            json!({ "changes": { "customer_email": { "from": "a@customer.example", "to": "b@customer.example" }, "notes": { "from": null, "to": "hi" } } }),
        ),
    ];
    let mut ids = Vec::new();
    for row in rows {
        ids.push(row.insert(conn).await.unwrap().id);
    }
    Migrator::up(conn, None).await.unwrap();
    let details: Vec<Value> = futures::future::join_all(ids.iter().map(|id| activity_logs::Entity::find_by_id(*id).one(conn)))
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap().details)
        .collect();
    assert_eq!(details[0]["url"], "https://hooks.chat.example");
    assert_eq!(details[1]["changes"]["url"], json!({ "from": "https://hooks.chat.example", "to": "http://10.1.2.3:8080" }));
    assert_eq!(details[2], json!({ "project": { "pet_name": "Rex" } }));
    assert_eq!(details[3]["changes"]["customer_email"], json!({ "changed": true }));
    assert_eq!(details[3]["changes"]["notes"]["to"], "hi");
    let all = serde_json::to_string(&details).unwrap();
    assert!(!all.contains("s3cr3t") && !all.contains("customer.example") && !all.contains("7700"), "{all}");
}
