use std::collections::HashSet;

use axum::http::StatusCode;
use petpixel_server::seed::{seed_demo, DEMO_DOMAIN, DEMO_PASSWORD};

use crate::support::TestApp;

#[tokio::test]
async fn the_demo_team_and_projects_cover_every_status_priority_and_package() {
    let app = TestApp::new().await;
    seed_demo(&app.state).await.unwrap();
    // Running it again changes nothing.
    seed_demo(&app.state).await.unwrap();

    let login = app.login(&format!("manager@{DEMO_DOMAIN}"), DEMO_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
    let token = login.body["access_token"].as_str().unwrap();
    let team = app.get("/api/v1/users?limit=100", token).await;
    assert_eq!(team.body["total"], 5);

    let projects = app.get("/api/v1/projects?limit=100", token).await;
    assert_eq!(projects.body["total"], 40);
    let items = projects.body["items"].as_array().unwrap();
    let set = |field: &str| items.iter().map(|p| p[field].as_str().unwrap().to_owned()).collect::<HashSet<_>>();
    assert_eq!(set("status").len(), 4);
    assert_eq!(set("priority").len(), 4);
    assert_eq!(set("package_type").len(), 3);
    assert!(items.iter().any(|p| p["overdue"] == true), "some projects are overdue");
    assert!(items.iter().any(|p| p["assigned_artist"].is_object()));
    let activity = app.get("/api/v1/activity?resource_type=project&limit=100", token).await;
    let created = activity.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "project.created").count();
    assert_eq!(created, 40, "every demo project has its history");

    // Eight projects come with pictures and sounds, which processing makes ready.
    let worker = petpixel_server::jobs::Worker::new(app.state.clone(), petpixel_server::app::job_registry());
    while worker.run_once().await.unwrap().is_some() {}
    let with_assets: Vec<serde_json::Value> = {
        let mut found = Vec::new();
        for p in items {
            let assets = app.get(&format!("/api/v1/projects/{}/assets", p["id"].as_str().unwrap()), token).await.body;
            if !assets.as_array().unwrap().is_empty() {
                found.push(assets);
            }
        }
        found
    };
    assert_eq!(with_assets.len(), 8);
    for assets in &with_assets {
        let types: Vec<&str> = assets.as_array().unwrap().iter().map(|a| a["asset_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["photo", "sprite", "background", "sound", "sound"]);
        assert!(assets.as_array().unwrap().iter().all(|a| a["processing_status"] == "ready"), "{assets}");
        assert_eq!(assets[1]["metadata"]["has_alpha"], true, "the sprite is a cut-out");
    }
}

#[tokio::test]
async fn seed_demo_refuses_a_database_that_has_real_users() {
    let app = TestApp::new().await;
    let admin = app.user(petpixel_types::Role::Admin).await;
    let err = seed_demo(&app.state).await.unwrap_err();
    assert!(err.to_string().contains("only fills an empty one"), "{err}");
    // Nobody with the published demo password got in.
    assert_eq!(app.login(&format!("admin@{DEMO_DOMAIN}"), DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    let team = app.get("/api/v1/users?limit=100", &admin.token).await;
    assert_eq!(team.body["total"], 1);
}
