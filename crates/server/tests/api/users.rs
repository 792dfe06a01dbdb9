use axum::http::StatusCode;
use petpixel_types::Role;
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn admins_create_members_who_can_then_log_in() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let reply = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({ "email": "Mia@Studio.Example", "password": "a long password", "first_name": "Mia", "role": "manager" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["email"], "mia@studio.example");
    assert_eq!(reply.body["role"], "manager");
    assert_eq!(reply.body["display_name"], "Mia");
    assert_eq!(app.login("mia@studio.example", "a long password").await.status, StatusCode::OK);

    let dup = app.post("/api/v1/users", &admin.token, json!({ "email": "mia@studio.example", "password": "another password" })).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert!(dup.is_problem());

    let bad = app.post("/api/v1/users", &admin.token, json!({ "email": "not-an-email", "password": "short", "role": "owner" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["role"]);
    let bad = app.post("/api/v1/users", &admin.token, json!({ "email": "not-an-email", "password": "short" })).await;
    assert_eq!(bad.error_fields(), ["email", "password"]);
}

#[tokio::test]
async fn only_admins_create_users() {
    let app = TestApp::new().await;
    for role in [Role::Manager, Role::Artist] {
        let user = app.user(role).await;
        let reply = app.post("/api/v1/users", &user.token, json!({ "email": "x@studio.example", "password": "a long password" })).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{role}");
        assert!(reply.is_problem());
    }
}

#[tokio::test]
async fn users_see_their_own_profile_and_managers_see_everyone() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let other = app.user(Role::Artist).await;
    let manager = app.user(Role::Manager).await;
    assert_eq!(app.get(&format!("/api/v1/users/{}", artist.id), &artist.token).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/users/{}", other.id), &artist.token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/users", &artist.token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/users/{}", other.id), &manager.token).await.status, StatusCode::OK);
    let list = app.get("/api/v1/users?role=artist&limit=1", &manager.token).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let search = app.get(&format!("/api/v1/users?q={}", &manager.email[..12]), &manager.token).await;
    assert_eq!(search.body["total"], 1);
    assert_eq!(app.get(&format!("/api/v1/users/{}", uuid::Uuid::now_v7()), &manager.token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn everyone_edits_their_own_profile_but_only_admins_edit_others() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let manager = app.user(Role::Manager).await;
    let me = format!("/api/v1/users/{}", artist.id);
    let reply = app
        .patch(&me, &artist.token, json!({ "first_name": "Iris", "last_name": "Inkwell", "avatar_url": "https://img.example/iris.png" }))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["display_name"], "Iris Inkwell");
    assert_eq!(app.patch(&me, &manager.token, json!({ "first_name": "X" })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.patch(&me, &artist.token, json!({ "active": false })).await.status, StatusCode::FORBIDDEN);
    let bad = app.patch(&me, &artist.token, json!({ "avatar_url": "javascript:alert(1)", "role": "admin" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["role"]);
}

#[tokio::test]
async fn changing_your_password_needs_the_current_one_and_ends_other_sessions() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let other_session = app.login(&artist.email, PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    let me = format!("/api/v1/users/{}", artist.id);
    let missing = app.patch(&me, &artist.token, json!({ "password": "a brand new password" })).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing.error_fields(), ["current_password"]);
    let wrong = app.patch(&me, &artist.token, json!({ "password": "a brand new password", "current_password": "nope nope nope" })).await;
    assert_eq!(wrong.error_fields(), ["current_password"]);
    let ok = app.patch(&me, &artist.token, json!({ "password": "a brand new password", "current_password": PASSWORD })).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/auth/me", &artist.token).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/auth/me", &other_session).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&artist.email, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&artist.email, "a brand new password").await.status, StatusCode::OK);
}

#[tokio::test]
async fn admins_change_roles_and_grants_and_keep_one_admin() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let path = format!("/api/v1/users/{}/role", artist.id);
    assert_eq!(app.put(&path, &manager.token, json!({ "role": "manager" })).await.status, StatusCode::FORBIDDEN);
    let reply = app.put(&path, &admin.token, json!({ "role": "artist", "permissions": ["projects:create"] })).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["permissions"], json!(["projects:create"]));
    // The grant takes effect on the artist's live token.
    assert_eq!(app.post("/api/v1/projects", &artist.token, TestApp::order(json!({}))).await.status, StatusCode::CREATED);
    let bad = app.put(&path, &admin.token, json!({ "role": "artist", "permissions": ["projects:fly"] })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["permissions[0]"]);

    let last = app.put(&format!("/api/v1/users/{}/role", admin.id), &admin.token, json!({ "role": "manager" })).await;
    assert_eq!(last.status, StatusCode::CONFLICT);
    let self_off = app.patch(&format!("/api/v1/users/{}", admin.id), &admin.token, json!({ "active": false })).await;
    assert_eq!(self_off.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_manager_granted_user_updates_still_cannot_grant_more_than_they_hold() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    app.put(&format!("/api/v1/users/{}/role", manager.id), &admin.token, json!({ "role": "manager", "permissions": ["users:update"] }))
        .await;
    let escalate = app.put(&format!("/api/v1/users/{}/role", artist.id), &manager.token, json!({ "role": "admin" })).await;
    assert_eq!(escalate.status, StatusCode::FORBIDDEN);
    let fine = app
        .put(&format!("/api/v1/users/{}/role", artist.id), &manager.token, json!({ "role": "artist", "permissions": ["projects:create"] }))
        .await;
    assert_eq!(fine.status, StatusCode::OK);
}
