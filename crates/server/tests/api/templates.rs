//! The game templates' manifests, as the API serves them.

use axum::http::StatusCode;
use petpixel_types::template::Template;
use petpixel_types::Role;

use crate::support::TestApp;

#[tokio::test]
async fn the_templates_are_listed_with_their_slots_parameters_and_presets() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.get("/api/v1/templates", &artist.token).await;
    assert_eq!(reply.status, StatusCode::OK);
    let templates: Vec<Template> = serde_json::from_value(reply.body).unwrap();
    assert_eq!(templates, petpixel_types::template::catalogue());
    assert_eq!(templates.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["runner", "catcher", "memory"]);

    let memory = app.get("/api/v1/templates/memory", &artist.token).await;
    assert_eq!(memory.status, StatusCode::OK);
    assert_eq!(memory.body["slots"][0]["key"], "photo");
    assert_eq!(memory.body["presets"].as_array().unwrap().len(), 3);

    let missing = app.get("/api/v1/templates/tetris", &artist.token).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.is_problem());
    assert_eq!(app.request(axum::http::Method::GET, "/api/v1/templates", None, None).await.status, StatusCode::UNAUTHORIZED);
}
