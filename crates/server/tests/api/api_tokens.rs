use axum::http::StatusCode;
use chrono::{Duration, Utc};
use petpixel_server::entities::api_tokens;
use petpixel_types::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::support::TestApp;

#[tokio::test]
async fn a_token_is_shown_once_works_within_its_scopes_and_stops_when_revoked() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let created =
        app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "shop", "scopes": ["projects:read"], "expires_in_days": 30 })).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("pp_"));
    assert_eq!(created.body["scopes"], json!(["projects:read"]));
    let id = created.body["id"].as_str().unwrap().to_owned();

    let list = app.get("/api/v1/api-tokens", &manager.token).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert!(list.body[0].get("secret").is_none());

    // Stored hashed: the secret is nowhere in the row.
    let row = api_tokens::Entity::find().one(&app.state.db.conn).await.unwrap().unwrap();
    assert!(!secret.contains(&row.token_hash) && row.token_hash.len() == 64);

    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::OK);
    let me = app.get("/api/v1/auth/me", &secret).await;
    assert_eq!(me.body["auth_method"], "api_token");
    let write = app.post("/api/v1/projects", &secret, TestApp::order(json!({}))).await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    // A token does not manage tokens.
    assert_eq!(app.get("/api/v1/api-tokens", &secret).await.status, StatusCode::FORBIDDEN);

    assert_eq!(app.delete(&format!("/api/v1/api-tokens/{id}"), &manager.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.delete(&format!("/api/v1/api-tokens/{id}"), &manager.token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn scopes_beyond_the_owner_are_refused() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.post("/api/v1/api-tokens", &artist.token, json!({ "name": "x", "scopes": ["projects:read", "projects:create"] })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["scopes"]);
    assert_eq!(reply.body["errors"][0]["code"], "exceeds_permissions");
    let bad = app.post("/api/v1/api-tokens", &artist.token, json!({ "name": " ", "scopes": [], "expires_in_days": 0 })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["name", "scopes", "expires_in_days"]);
    let unknown = app.post("/api/v1/api-tokens", &artist.token, json!({ "name": "x", "scopes": ["pets:feed"] })).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), ["scopes[0]"]);
}

#[tokio::test]
async fn a_token_never_does_more_than_its_owner_can_now() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let created = app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "intake", "scopes": ["projects:*"] })).await;
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.post("/api/v1/projects", &secret, TestApp::order(json!({}))).await.status, StatusCode::CREATED);

    // The owner becomes an artist: the token loses what the owner lost.
    let demote = app.put(&format!("/api/v1/users/{}/role", manager.id), &admin.token, json!({ "role": "artist" })).await;
    assert_eq!(demote.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/projects", &secret, TestApp::order(json!({}))).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let created = app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "old", "scopes": ["projects:read"] })).await;
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    api_tokens::Entity::update_many()
        .col_expr(api_tokens::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .filter(api_tokens::Column::UserId.eq(manager.id))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::UNAUTHORIZED);
    assert!(app.get("/api/v1/api-tokens", &manager.token).await.body.as_array().unwrap().is_empty());
}

#[tokio::test]
async fn someone_elses_token_cannot_be_revoked_by_a_non_admin() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let admin = app.user(Role::Admin).await;
    let created = app.post("/api/v1/api-tokens", &manager.token, json!({ "name": "m", "scopes": ["projects:read"] })).await;
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/api-tokens/{id}"), &artist.token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&format!("/api/v1/api-tokens/{id}"), &admin.token).await.status, StatusCode::NO_CONTENT);
}
