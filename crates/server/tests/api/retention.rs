//! What is kept, and for how long: a deleted project can be listed and restored by an admin until
//! the removal job purges it, with its assets, files and address, after the retention; old
//! activity and sent e-mails are pruned by their own limits.

use chrono::{Duration, Utc};
use petpixel_server::entities::{activity_logs, asset_versions, email_outbox, project_assets, projects};
use petpixel_server::projects::retention;
use petpixel_types::Role;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;

use crate::assets::{process, upload};
use crate::support::TestApp;
use petpixel_server::assets::fixtures;

#[tokio::test]
async fn an_admin_lists_deleted_projects_and_restores_one_before_it_is_purged() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let gone = app.project(&manager.token, json!({ "pet_name": "Gone" })).await;
    app.project(&manager.token, json!({ "pet_name": "Kept" })).await;
    let id = gone["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/projects/{id}"), &manager.token).await.status, 204);

    let deleted = app.get("/api/v1/projects?deleted=true", &admin.token).await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(deleted.body["total"], 1);
    assert_eq!(deleted.body["items"][0]["pet_name"], "Gone");
    assert!(deleted.body["items"][0]["deleted_at"].is_string());
    let refused = app.get("/api/v1/projects?deleted=true", &manager.token).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    let live = app.get("/api/v1/projects", &admin.token).await;
    assert_eq!(live.body["total"], 1);
    assert!(live.body["items"][0].get("deleted_at").is_none(), "{:?}", live.body);

    assert_eq!(app.post(&format!("/api/v1/projects/{id}/restore"), &manager.token, json!({})).await.status, 403);
    let restored = app.post(&format!("/api/v1/projects/{id}/restore"), &admin.token, json!({})).await;
    assert_eq!(restored.status, 200, "{:?}", restored.body);
    assert_eq!(restored.body["pet_name"], "Gone");
    assert!(restored.body.get("deleted_at").is_none(), "{:?}", restored.body);
    // Back in the (cached) list at once, out of the deleted one, and recorded.
    assert_eq!(app.get("/api/v1/projects", &admin.token).await.body["total"], 2);
    assert_eq!(app.get("/api/v1/projects?deleted=true", &admin.token).await.body["total"], 0);
    let history = app.get(&format!("/api/v1/projects/{id}/activity"), &admin.token).await;
    assert_eq!(history.body["items"][0]["action"], "project.restored", "{:?}", history.body);

    let again = app.post(&format!("/api/v1/projects/{id}/restore"), &admin.token, json!({})).await;
    assert_eq!(again.status, 409, "{:?}", again.body);
    let missing = app.post(&format!("/api/v1/projects/{}/restore", uuid::Uuid::now_v7()), &admin.token, json!({})).await;
    assert_eq!(missing.status, 404, "{:?}", missing.body);
}

#[tokio::test]
async fn a_deleted_project_is_purged_with_its_assets_and_files_after_the_retention() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({ "pet_name": "Purged" })).await;
    let id = project["id"].as_str().unwrap().to_owned();
    let uuid: uuid::Uuid = id.parse().unwrap();
    let photo = upload(&app, &id, &manager.token, "photo", "rex.jpg", &fixtures::jpeg(320, 240)).await;
    assert_eq!(photo.status, 201, "{:?}", photo.body);
    process(&app).await;
    let prefix = format!("projects/{id}/");
    assert!(!app.state.storage.list(&prefix).await.unwrap().is_empty());
    assert_eq!(app.delete(&format!("/api/v1/projects/{id}"), &manager.token).await.status, 204);

    // Within the 30 days nothing goes.
    let now = Utc::now();
    assert_eq!(retention::run(&app.state, now + Duration::days(29)).await.unwrap().projects, 0);
    assert_eq!(projects::Entity::find_by_id(uuid).count(&app.state.db.conn).await.unwrap(), 1);

    let done = retention::run(&app.state, now + Duration::days(31)).await.unwrap();
    assert_eq!(done.projects, 1);
    let conn = &app.state.db.conn;
    assert_eq!(projects::Entity::find_by_id(uuid).count(conn).await.unwrap(), 0);
    assert_eq!(project_assets::Entity::find().filter(project_assets::Column::ProjectId.eq(uuid)).count(conn).await.unwrap(), 0);
    assert_eq!(asset_versions::Entity::find().count(conn).await.unwrap(), 0);
    process(&app).await;
    assert!(app.state.storage.list(&prefix).await.unwrap().is_empty(), "its files are removed");
    let purged = activity_logs::Entity::find().filter(activity_logs::Column::Action.eq("project.purged")).one(conn).await.unwrap().unwrap();
    assert_eq!(purged.resource_id, Some(uuid));
    assert_eq!(purged.details["pet_name"], "Purged");
    assert_eq!(purged.details["assets"], 1);
    // Gone for good.
    let restore = app.post(&format!("/api/v1/projects/{id}/restore"), &admin.token, json!({})).await;
    assert_eq!(restore.status, 404);
    assert_eq!(app.get("/api/v1/projects?deleted=true", &admin.token).await.body["total"], 0);
}

#[tokio::test]
async fn old_activity_and_sent_emails_are_pruned_by_their_limits() {
    let app = TestApp::with_config(|c| {
        c.activity_retention_days = Some(10);
        c.email_retention_days = 5;
    })
    .await;
    let manager = app.user(Role::Manager).await;
    app.project(&manager.token, json!({})).await;
    let conn = &app.state.db.conn;
    for status in ["sent", "pending"] {
        email_outbox::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            to_address: Set("ann@example.com".into()),
            subject: Set("Hello".into()),
            body: Set("Hello".into()),
            status: Set(status.into()),
            attempts: Set(1),
            last_error: Set(None),
            notification_id: Set(None),
            created_at: Set(Utc::now()),
            sent_at: Set(None),
        }
        .insert(conn)
        .await
        .unwrap();
    }
    let now = Utc::now();
    let early = retention::run(&app.state, now + Duration::days(4)).await.unwrap();
    assert_eq!((early.activity, early.emails), (0, 0));
    let later = retention::run(&app.state, now + Duration::days(11)).await.unwrap();
    assert!(later.activity >= 1, "{later:?}");
    assert_eq!(later.emails, 1, "only the sent one: a pending e-mail is still to go");
    assert_eq!(activity_logs::Entity::find().count(conn).await.unwrap(), 0);
    assert_eq!(email_outbox::Entity::find().count(conn).await.unwrap(), 1);
}
