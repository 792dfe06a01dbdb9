use axum::http::{Method, StatusCode};
use petpixel_types::Role;

use crate::support::TestApp;

#[tokio::test]
async fn health_endpoints_report_each_backend() {
    let app = TestApp::new().await;
    let basic = app.request(Method::GET, "/api/health", None, None).await;
    assert_eq!(basic.status, StatusCode::OK);
    assert_eq!(basic.body["status"], "ok");
    let deep = app.request(Method::GET, "/api/health/deep", None, None).await;
    assert_eq!(deep.status, StatusCode::OK);
    assert_eq!(deep.body["database"]["status"], "ok");
    let expected_db = if std::env::var("TEST_DATABASE_URL").is_ok() { "postgres" } else { "sqlite" };
    assert_eq!(deep.body["database"]["backend"], expected_db);
    assert_eq!(deep.body["cache"]["backend"], "memory");
    assert_eq!(deep.body["storage"]["backend"], "local");
    assert_eq!(deep.body["storage"]["status"], "ok");
    assert_eq!(app.request(Method::GET, "/api/health/cache", None, None).await.status, StatusCode::OK);
    assert_eq!(app.request(Method::GET, "/api/health/storage", None, None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn storage_health_fails_when_the_data_dir_is_unwritable() {
    let app = TestApp::with_config(|c| {
        c.data_dir = "/proc/petpixel-cannot-write-here".into();
        c.storage = petpixel_server::config::StorageConfig::Local { dir: "/proc/petpixel-cannot-write-here/files".into() };
    })
    .await;
    let reply = app.request(Method::GET, "/api/health/storage", None, None).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.body["status"], "error");
    let deep = app.request(Method::GET, "/api/health/deep", None, None).await;
    assert_eq!(deep.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(deep.body["status"], "degraded");
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_and_show_the_pool() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let admin = app.user(Role::Admin).await;
    app.get("/api/v1/projects", &manager.token).await;
    app.get(&format!("/api/v1/projects/{}", uuid::Uuid::now_v7()), &manager.token).await;
    let reply = app.get("/metrics", &admin.token).await;
    assert_eq!(reply.status, StatusCode::OK);
    let text = reply.body.as_str().unwrap();
    assert!(text.contains(r#"http_requests_total{method="GET",route="/api/v1/projects",status="200"}"#), "{text}");
    assert!(text.contains(r#"route="/api/v1/projects/{id}",status="404""#), "{text}");
    assert!(text.contains("http_request_duration_seconds_bucket"));
    assert!(text.contains(r#"db_pool_connections{state="idle"}"#));
}
