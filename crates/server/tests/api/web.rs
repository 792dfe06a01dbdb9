use axum::http::{Method, StatusCode};

use crate::support::TestApp;

#[tokio::test]
async fn client_side_routes_get_the_app_shell_and_server_paths_never_do() {
    let app = TestApp::new().await;
    let root = app.request(Method::GET, "/", None, None).await;
    // Built or not, the shell is HTML that is revalidated on every load.
    assert!(root.status == StatusCode::OK || root.status == StatusCode::SERVICE_UNAVAILABLE, "{}", root.status);
    assert!(root.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(root.headers["cache-control"], "no-cache");
    for route in ["/projects/0190c2a1-0000-7000-8000-000000000000", "/team?role=artist"] {
        let reply = app.request(Method::GET, route, None, None).await;
        assert_eq!((reply.status, reply.body.clone()), (root.status, root.body.clone()), "{route}");
    }
    // The login page opens with its form drawn before the app loads (when the app is built).
    let login = app.request(Method::GET, "/login", None, None).await;
    assert_eq!(login.status, root.status);
    assert!(login.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    for server_path in ["/api/v1/nothing", "/api", "/metrics/x"] {
        let reply = app.request(Method::GET, server_path, None, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{server_path}");
        assert!(reply.is_problem(), "{server_path}");
    }
    // The realtime hub answers its own path, a malformed handshake included.
    let hub = app.request(Method::GET, "/socket.io/x", None, None).await;
    assert_eq!(hub.status, StatusCode::BAD_REQUEST);
    assert!(!hub.headers.get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html")));
    // A game address no one has: the games' own page, sandboxed, never the studio's shell.
    let game = app.request(Method::GET, "/g/buttercup-sunny", None, None).await;
    assert_eq!(game.status, StatusCode::NOT_FOUND);
    assert_ne!(game.body, root.body);
    assert!(game.headers["content-security-policy"].to_str().unwrap().starts_with("sandbox"));
    let stale_asset = app.request(Method::GET, "/assets/app-0000000000.js", None, None).await;
    assert_eq!(stale_asset.status, StatusCode::NOT_FOUND);
    let post = app.request(Method::POST, "/login", None, None).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
}
