use axum::http::{Method, StatusCode};

use crate::support::TestApp;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");

/// `openapi/openapi.json` must be what the server serves. After changing the API, refresh it with
/// `UPDATE_OPENAPI=1 cargo test -p petpixel-server --test api openapi` (or `petpixel openapi`).
#[test]
fn the_checked_in_spec_matches_the_code() {
    let generated = petpixel_server::openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(CHECKED_IN, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/openapi.json is out of date; run `UPDATE_OPENAPI=1 cargo test -p petpixel-server --test api openapi` and commit it"
    );
}

#[test]
fn the_spec_lists_every_endpoint() {
    let spec = petpixel_server::openapi();
    let expected = [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/auth/me", "get"),
        ("/api/v1/api-tokens", "get"),
        ("/api/v1/api-tokens", "post"),
        ("/api/v1/api-tokens/{id}", "delete"),
        ("/api/v1/users", "get"),
        ("/api/v1/users", "post"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users/{id}", "patch"),
        ("/api/v1/users/{id}/role", "put"),
        ("/api/v1/projects", "get"),
        ("/api/v1/projects", "post"),
        ("/api/v1/projects/stats", "get"),
        ("/api/v1/projects/{id}", "get"),
        ("/api/v1/projects/{id}", "patch"),
        ("/api/v1/projects/{id}", "delete"),
        ("/api/v1/projects/{id}/status", "put"),
        ("/api/v1/projects/{id}/assignee", "put"),
        ("/api/v1/projects/{id}/activity", "get"),
        ("/api/v1/activity", "get"),
        ("/api/health", "get"),
        ("/api/health/deep", "get"),
        ("/api/health/cache", "get"),
        ("/api/health/storage", "get"),
        ("/metrics", "get"),
        ("/api/v1/webhooks", "get"),
        ("/api/v1/webhooks", "post"),
        ("/api/v1/webhooks/{id}", "get"),
        ("/api/v1/webhooks/{id}", "patch"),
        ("/api/v1/webhooks/{id}", "delete"),
        ("/api/v1/webhooks/{id}/rotate-secret", "post"),
        ("/api/v1/webhooks/{id}/test", "post"),
        ("/api/v1/webhooks/{id}/deliveries", "get"),
        ("/api/v1/webhooks/{id}/deliveries/{delivery_id}/resend", "post"),
    ];
    let json = serde_json::to_value(&spec).unwrap();
    for (path, method) in expected {
        let op = &json["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is missing from the spec");
        assert!(op["responses"]["500"].is_object(), "{method} {path} documents no 500");
        if path.starts_with("/api/v1") && path != "/api/v1/auth/login" && path != "/api/v1/auth/refresh" {
            assert!(op["security"].is_array(), "{method} {path} documents no security");
            assert!(op["responses"]["401"].is_object(), "{method} {path} documents no 401");
        }
    }
    assert!(json["components"]["securitySchemes"]["bearer"].is_object());
    assert!(json["components"]["schemas"]["Problem"].is_object());
}

/// Generated clients give every answer a named type: a page's items refer to their schema by name
/// (`Page_Project` holds `Project`s, not an anonymous `PageProjectItemsItem`), and every
/// reference resolves.
#[test]
fn pages_refer_to_named_item_schemas() {
    let json = serde_json::to_value(petpixel_server::openapi()).unwrap();
    let schemas = json["components"]["schemas"].as_object().unwrap();
    let pages: Vec<&String> = schemas.keys().filter(|k| k.starts_with("Page_")).collect();
    assert!(pages.len() >= 7, "{pages:?}");
    for page in pages {
        let items = &schemas[page]["properties"]["items"]["items"];
        let target = items["$ref"].as_str().unwrap_or_else(|| panic!("{page}'s items are inlined: {items}"));
        let name = target.trim_start_matches("#/components/schemas/");
        assert_eq!(format!("Page_{name}"), *page);
        assert!(schemas.contains_key(name), "{page} refers to a missing {name}");
    }
    let text = json.to_string();
    for reference in text.split("\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "a reference to a missing schema {name}");
    }
}

#[tokio::test]
async fn the_server_serves_the_spec_and_offline_docs() {
    let app = TestApp::new().await;
    let spec = app.request(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert_eq!(spec.body, serde_json::to_value(petpixel_server::openapi()).unwrap());
    let docs = app.request(Method::GET, "/api/docs/", None, None).await;
    assert_eq!(docs.status, StatusCode::OK);
    let html = docs.body.as_str().unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    // Every script and stylesheet comes from this server: the docs work with no internet.
    for needle in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!html.contains(needle), "the docs page loads something from elsewhere: {needle}");
    }
    let init = app.request(Method::GET, "/api/docs/swagger-initializer.js", None, None).await;
    assert_eq!(init.status, StatusCode::OK);
    assert!(init.body.as_str().unwrap().contains("/api/openapi.json"));
    let bundle = app.request(Method::GET, "/api/docs/swagger-ui-bundle.js", None, None).await;
    assert_eq!(bundle.status, StatusCode::OK);
}

#[tokio::test]
async fn the_docs_never_call_out_for_a_validator_badge() {
    let app = TestApp::new().await;
    let init = app.request(Method::GET, "/api/docs/swagger-initializer.js", None, None).await;
    let js = init.body.as_str().unwrap();
    assert!(js.replace(' ', "").contains(r#""validatorUrl":"none""#), "{js}");
}
