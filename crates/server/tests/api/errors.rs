use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use petpixel_types::Role;
use serde_json::json;

use crate::support::TestApp;

fn raw(method: Method, path: &str, token: &str, content_type: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path).header("authorization", format!("Bearer {token}"));
    if let Some(ct) = content_type {
        b = b.header("content-type", ct);
    }
    b.body(body.into()).unwrap()
}

#[tokio::test]
async fn malformed_json_and_wrong_content_types_are_400_problems() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for (ct, body) in [
        (Some("application/json"), "{\"customer_name\": "),
        (Some("application/json"), "not json"),
        (Some("application/json"), ""),
        (Some("text/plain"), "{}"),
        (None, "{}"),
    ] {
        let reply = app.send(raw(Method::POST, "/api/v1/projects", &manager.token, ct, body)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{ct:?} {body}");
        assert!(reply.is_problem(), "{:?}", reply.body);
    }
    let array = app.send(raw(Method::POST, "/api/v1/projects", &manager.token, Some("application/json"), "[1,2]")).await;
    assert_eq!(array.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(array.is_problem());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::with_config(|c| c.max_json_body_bytes = 1024).await;
    let manager = app.user(Role::Manager).await;
    let body = serde_json::to_vec(&TestApp::order(json!({ "notes": "x".repeat(4096) }))).unwrap();
    let reply = app.send(raw(Method::POST, "/api/v1/projects", &manager.token, Some("application/json"), body)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(reply.is_problem());
}

#[tokio::test]
async fn unknown_addresses_methods_and_malformed_ids_answer_problems() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let nowhere = app.get("/api/v1/nowhere", &manager.token).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(nowhere.is_problem());
    let wrong_method = app.request(Method::PUT, "/api/v1/projects", Some(&manager.token), Some(json!({}))).await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.is_problem());
    let bad_id = app.get("/api/v1/projects/not-a-uuid", &manager.token).await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.error_fields(), ["id"]);
    let unknown = app.get(&format!("/api/v1/projects/{}", uuid::Uuid::now_v7()), &manager.token).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn hostile_input_never_makes_a_500() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let nasty = [
        json!({ "customer_name": "'; DROP TABLE projects; --", "pet_name": "\u{0000}\u{202e}", "notes": "😀".repeat(100) }),
        json!({ "pet_age": 1e308 }),
        json!({ "pet_age": 9_223_372_036_854_775_807i64 }),
        json!({ "estimated_hours": -9_223_372_036_854_775_807i64 }),
        json!({ "game_config": null }),
        json!({ "game_config": [] }),
        json!({ "game_config": { "theme": "x", "difficulty": "easy", "features": vec!["f"; 50] } }),
        json!({ "deadline": "2024-02-30" }),
        json!({ "customer_email": "a@b.c".repeat(100) }),
    ];
    for overrides in nasty {
        let reply = app.post("/api/v1/projects", &manager.token, TestApp::order(overrides.clone())).await;
        assert!(reply.status.is_success() || reply.status.is_client_error(), "{overrides}: {}", reply.status);
    }
    for q in ["q=%00%ff", "q=%27%20OR%201=1%20--", "sort=-", "limit=99999999999999999999", "offset=-0", "status=,,,"] {
        let reply = app.get(&format!("/api/v1/projects?{q}"), &manager.token).await;
        assert!(reply.status.is_success() || reply.status.is_client_error(), "{q}: {}", reply.status);
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let app = TestApp::new().await;
    let reply = app.request(Method::GET, "/api/health", None, None).await;
    assert_eq!(reply.headers["x-request-id"].len(), 36);
    let given = app.send(Request::get("/api/health").header("x-request-id", "abc-123").body(Body::empty()).unwrap()).await;
    assert_eq!(given.headers["x-request-id"], "abc-123");
}
