//! The game builder: builds of each template made from a project's assets, stored through the
//! storage seam and served sandboxed at a signed preview link; what makes a build fail (naming the
//! slot), what a request gets wrong (422 naming the field), permissions, and that no customer
//! data reaches a bundle. On both databases (per `TEST_DATABASE_URL`) and both stores.

use axum::http::{Method, StatusCode};
use petpixel_server::assets::demo;
use petpixel_server::assets::fixtures;
use petpixel_types::Role;
use serde_json::{json, Value};

use crate::assets::{process, upload};
use crate::storage::{apps, fetch};
use crate::support::{TestApp, TestUser};

pub(crate) struct Demo {
    pub manager: TestUser,
    pub project: String,
    pub hero: String,
    pub background: String,
    pub photo: String,
    pub sound: String,
}

/// A custom-package project with a cut-out, a backdrop, a photo and a sound, processed. The
/// customer's details are distinctive, so the bundle can be searched for them.
pub(crate) async fn demo_project(app: &TestApp) -> Demo {
    let manager = app.user(Role::Manager).await;
    let order = json!({
        "customer_name": "Zelda Quartermaine",
        "customer_email": "zelda.q@customer.example",
        "customer_phone": "+44 7700 900123",
        "notes": "SECRET-NOTE: gate code 4921",
        "pet_name": "Biscuit",
    });
    let project = app.project(&manager.token, order).await["id"].as_str().unwrap().to_owned();
    let mut ids = Vec::new();
    for (kind, name, bytes) in [
        ("sprite", "biscuit.png", demo::png(&demo::sprite([200, 140, 80], 256))),
        ("background", "park.jpg", demo::jpeg(&demo::backdrop([140, 200, 255], [90, 170, 90], 1280, 720))),
        ("photo", "biscuit-photo.jpg", demo::jpeg(&demo::photo([200, 140, 80], [140, 200, 255], [90, 170, 90], 800))),
        ("sound", "yip.wav", demo::chirp(600.0, 900.0, 300)),
    ] {
        let reply = upload(app, &project, &manager.token, kind, name, &bytes).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{name}: {:?}", reply.body);
        ids.push(reply.body["id"].as_str().unwrap().to_owned());
    }
    process(app).await;
    let [hero, background, photo, sound] = ids.try_into().unwrap();
    Demo { manager, project, hero, background, photo, sound }
}

pub(crate) async fn build(app: &TestApp, token: &str, project: &str, body: Value) -> Value {
    let reply = app.post(&format!("/api/v1/projects/{project}/builds"), token, body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{:?}", reply.body);
    assert_eq!(reply.body["status"], "queued");
    process(app).await;
    let id = reply.body["id"].as_str().unwrap();
    let reply = app.get(&format!("/api/v1/builds/{id}"), token).await;
    assert_eq!(reply.status, StatusCode::OK);
    reply.body
}

/// The preview link's path and the file named `name` beside it.
fn preview_path(app: &TestApp, build: &Value, name: &str) -> String {
    let url = build["preview_url"].as_str().expect("a ready build has a preview link");
    format!("{}{name}", url.strip_prefix(app.state.config.public_url.as_str()).expect("served by the studio"))
}

#[tokio::test]
async fn each_template_builds_from_the_project_assets_into_a_sandboxed_preview() {
    for app in apps().await {
        let d = demo_project(&app).await;
        let store = app.state.storage.backend_name();
        for (template, slots) in [
            ("runner", json!({ "hero": d.hero, "background": d.background, "jump_sound": d.sound })),
            ("catcher", json!({ "hero": d.hero, "background": d.background, "treat": d.hero, "catch_sound": d.sound })),
            ("memory", json!({ "photo": d.photo, "flip_sound": d.sound })),
        ] {
            let b = build(&app, &d.manager.token, &d.project, json!({ "template": template, "slots": slots, "params": {} })).await;
            assert_eq!(b["status"], "ready", "{template} on {store}: {b}");
            assert!(b["log"].as_array().unwrap().len() >= 3, "{b}");
            assert_eq!(b["resolved"]["values"].as_object().map(|v| !v.is_empty()), Some(true));
            let files: Vec<&str> = b["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
            assert!(files.contains(&"index.html"));
            for stem in [template.to_owned(), format!("{template}_bg"), "manifest".into()] {
                assert!(files.iter().any(|f| f.starts_with(&format!("{stem}.")) && f.len() > stem.len() + 17), "{stem} hashed: {files:?}");
            }
            let objects = app.state.storage.list(&format!("builds/{}/", b["id"].as_str().unwrap())).await.unwrap();
            let copies: usize = b["files"].as_array().unwrap().iter().map(|f| f["compressed"].as_array().map_or(0, Vec::len)).sum();
            assert_eq!(objects.len(), files.len() + copies, "every file and its compressed copies stored on {store}");

            // The page: sandboxed, never cached without asking.
            let page =
                app.router_response(axum::http::Request::get(preview_path(&app, &b, "")).body(axum::body::Body::empty()).unwrap()).await;
            assert_eq!(page.status(), StatusCode::OK);
            let header = |name: &str| page.headers().get(name).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(header("content-security-policy").as_deref(), Some("sandbox allow-scripts"));
            assert_eq!(header("cache-control").as_deref(), Some("no-cache"));
            assert!(header("content-type").unwrap().starts_with("text/html"));

            // Every file: its type, cached for a year, readable from the sandbox's opaque origin,
            // and none of the customer's details in any of them.
            let mut manifest = Value::Null;
            for name in &files {
                let (status, bytes) =
                    fetch(&app, Method::GET, &format!("{}{}", b["preview_url"].as_str().unwrap(), name), &[], vec![]).await;
                assert_eq!(status, StatusCode::OK, "{name}");
                let text = String::from_utf8_lossy(&bytes);
                for secret in ["Zelda", "Quartermaine", "zelda.q@customer.example", "7700 900123", "SECRET-NOTE", "gate code"] {
                    assert!(!text.contains(secret), "{secret} in {name}");
                }
                if name.starts_with("manifest.") {
                    manifest = serde_json::from_slice(&bytes).unwrap();
                }
            }
            let wasm = files.iter().find(|f| f.ends_with(".wasm")).unwrap();
            let reply =
                app.router_response(axum::http::Request::get(preview_path(&app, &b, wasm)).body(axum::body::Body::empty()).unwrap()).await;
            assert_eq!(reply.headers()["content-type"], "application/wasm");
            assert_eq!(reply.headers()["cache-control"], "public, max-age=31536000, immutable");
            assert_eq!(reply.headers()["access-control-allow-origin"], "*");
            assert_eq!(reply.headers()["content-security-policy"], "sandbox allow-scripts");

            assert_eq!(manifest["pet_name"], "Biscuit");
            assert_eq!(
                manifest["title"],
                format!(
                    "Biscuit's {}",
                    ["Runner", "Treat catcher", "Memory match"]
                        [["runner", "catcher", "memory"].iter().position(|t| *t == template).unwrap()]
                )
            );
            for slot in slots.as_object().unwrap().keys() {
                let file = manifest["files"][slot].as_str().unwrap_or_else(|| panic!("{slot} in {manifest}"));
                assert!(files.contains(&file), "{file}");
            }
        }
        // Cut-outs stay PNG (transparency) and small; backdrops become WebP.
        let runner = app.get(&format!("/api/v1/projects/{}/builds?limit=5", d.project), &d.manager.token).await;
        assert_eq!(runner.body["total"], 3);
        let newest_first: Vec<&str> = runner.body["items"].as_array().unwrap().iter().map(|b| b["template"].as_str().unwrap()).collect();
        assert_eq!(newest_first, ["memory", "catcher", "runner"]);
        let runner_files = &runner.body["items"][2]["files"];
        let names: Vec<&str> = runner_files.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
        assert!(names.iter().any(|n| n.starts_with("hero.") && n.ends_with(".png")), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("background.") && n.ends_with(".webp")), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("jump_sound.") && n.ends_with(".wav")), "{names:?}");
    }
}

#[tokio::test]
async fn a_build_fails_naming_the_slot_that_keeps_it_from_being_made() {
    for app in apps().await {
        let d = demo_project(&app).await;
        // No pet for the runner: the one slot without a fallback.
        let b = build(&app, &d.manager.token, &d.project, json!({ "template": "runner", "slots": { "background": d.background } })).await;
        assert_eq!(b["status"], "failed", "{b}");
        assert_eq!(b["failures"][0]["slot"], "hero");
        assert!(b["error"].as_str().unwrap().contains("hero"), "{b}");
        assert!(b["preview_url"].is_null());

        // A photo too small for the memory cards, and a backdrop where a cut-out is needed.
        let small = upload(&app, &d.project, &d.manager.token, "photo", "tiny.jpg", &fixtures::jpeg(300, 300)).await;
        process(&app).await;
        let small = small.body["id"].as_str().unwrap();
        let b = build(&app, &d.manager.token, &d.project, json!({ "template": "memory", "slots": { "photo": small } })).await;
        assert_eq!(b["status"], "failed");
        assert_eq!(
            b["failures"],
            json!([{ "slot": "photo", "reason": "tiny.jpg: The picture is 300 × 300 px; this slot needs at least 600 × 600." }])
        );
        let b = build(&app, &d.manager.token, &d.project, json!({ "template": "catcher", "slots": { "hero": d.background } })).await;
        assert_eq!(b["status"], "failed");
        assert_eq!(b["failures"][0]["slot"], "hero");
        assert!(b["failures"][0]["reason"].as_str().unwrap().contains("transparent"), "{b}");
        // Nothing was stored for a failed build.
        let objects = app.state.storage.list(&format!("builds/{}/", b["id"].as_str().unwrap())).await.unwrap();
        assert!(objects.is_empty());
        // The activity says what happened.
        let activity = app.get(&format!("/api/v1/projects/{}/activity?limit=100", d.project), &d.manager.token).await;
        let actions: Vec<&str> = activity.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"build.queued") && actions.contains(&"build.failed"), "{actions:?}");
    }
}

#[tokio::test]
async fn a_request_with_something_wrong_is_a_422_naming_the_field() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let other = app.project(&d.manager.token, json!({ "package_type": "express" })).await["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/projects/{}/builds", d.project);
    for (body, field) in [
        (json!({ "template": "tetris" }), "template"),
        (json!({ "template": "runner", "slots": { "cape": d.hero } }), "slots.cape"),
        (json!({ "template": "runner", "slots": { "hero": uuid::Uuid::now_v7() } }), "slots.hero"),
        (json!({ "template": "runner", "params": { "lives": 9 } }), "params.lives"),
        (json!({ "template": "runner", "params": { "sky": "blue" } }), "params.sky"),
        (json!({ "template": "runner", "params": { "warp": true } }), "params.warp"),
        (json!({ "template": "runner", "texts": { "title": "" } }), "texts.title"),
        (json!({ "template": "runner", "texts": { "subtitle": "x" } }), "texts.subtitle"),
    ] {
        let reply = app.post(&path, &d.manager.token, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {:?}", reply.body);
        assert!(reply.error_fields().contains(&field.to_owned()), "{body}: {:?}", reply.body);
    }
    // Another project's asset, and a slot an express package plays with its own.
    let other_path = format!("/api/v1/projects/{other}/builds");
    let reply = app.post(&other_path, &d.manager.token, json!({ "template": "runner", "slots": { "hero": d.hero } })).await;
    assert_eq!(reply.error_fields(), ["slots.hero"]);
    let reply = app.post(&other_path, &d.manager.token, json!({ "template": "runner", "slots": { "background": d.background } })).await;
    assert!(reply.error_fields().contains(&"slots.background".to_owned()), "{:?}", reply.body);
    // Nothing was queued by any of them.
    let list = app.get(&format!("/api/v1/projects/{}/builds", d.project), &d.manager.token).await;
    assert_eq!(list.body["total"], 0);
    assert_eq!(app.get(&format!("/api/v1/projects/{}/builds", uuid::Uuid::now_v7()), &d.manager.token).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/builds/{}", uuid::Uuid::now_v7()), &d.manager.token).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn artists_build_their_own_projects_and_managers_delete_builds() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let artist = app.user(Role::Artist).await;
    let body = json!({ "template": "memory", "slots": { "photo": d.photo } });
    let path = format!("/api/v1/projects/{}/builds", d.project);
    assert_eq!(app.post(&path, &artist.token, body.clone()).await.status, StatusCode::FORBIDDEN, "not their project");
    let assign = app.put(&format!("/api/v1/projects/{}/assignee", d.project), &d.manager.token, json!({ "artist_id": artist.id })).await;
    assert_eq!(assign.status, StatusCode::OK, "{:?}", assign.body);
    let queued = app.post(&path, &artist.token, body).await;
    assert_eq!(queued.status, StatusCode::ACCEPTED);
    let id = queued.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("/api/v1/builds/{id}"), &d.manager.token).await.status, StatusCode::CONFLICT, "still queued");
    process(&app).await;
    let ready = app.get(&format!("/api/v1/builds/{id}"), &artist.token).await;
    assert_eq!(ready.body["status"], "ready", "{:?}", ready.body);
    assert_eq!(ready.body["created_by"], json!(artist.id));
    assert_eq!(app.delete(&format!("/api/v1/builds/{id}"), &artist.token).await.status, StatusCode::FORBIDDEN);

    // A tampered link plays nothing.
    let url = ready.body["preview_url"].as_str().unwrap().to_owned();
    let tampered = url.replace(&url[url.len() - 5..url.len() - 1], "0000");
    let (status, _) = fetch(&app, Method::GET, &tampered, &[], vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    assert_eq!(app.delete(&format!("/api/v1/builds/{id}"), &d.manager.token).await.status, StatusCode::NO_CONTENT);
    process(&app).await;
    assert!(app.state.storage.list(&format!("builds/{id}/")).await.unwrap().is_empty(), "its files went too");
    let (status, _) = fetch(&app, Method::GET, &url, &[], vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/builds/{id}"), &d.manager.token).await.status, StatusCode::NOT_FOUND);
}

/// A sound that lies about its length (ten minutes of silence whose pages claim one second) is
/// measured at upload, so the build refuses it for the slot; one recorded before the measure
/// existed (its stored length says one second) is measured again by the build and refused too,
/// never decoded past the slot's bound.
#[tokio::test]
async fn a_sound_that_lies_about_its_length_fails_the_build_naming_its_slot() {
    use petpixel_server::entities::{asset_versions, project_assets};
    use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};

    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let liar = upload(&app, &d.project, &d.manager.token, "sound", "liar.ogg", &fixtures::vorbis(600.0, 1.0)).await;
    assert_eq!(liar.status, StatusCode::CREATED, "{:?}", liar.body);
    process(&app).await;
    let id = liar.body["id"].as_str().unwrap().to_owned();
    let asset = app.get(&format!("/api/v1/assets/{id}"), &d.manager.token).await;
    let measured = asset.body["metadata"]["duration_seconds"].as_f64().unwrap();
    assert!((measured - 600.0).abs() < 0.1, "measured from its packets, not its pages: {}", asset.body);

    let slots = json!({ "hero": d.hero, "background": d.background, "jump_sound": id });
    let b = build(&app, &d.manager.token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    assert_eq!(b["status"], "failed", "{b}");
    assert_eq!(b["failures"][0]["slot"], "jump_sound", "{b}");
    assert!(b["error"].as_str().unwrap().contains("jump_sound"), "{b}");

    // As an upload from before measuring would have left it: one second, by its own account.
    let claims = json!({ "duration_seconds": 1.0, "sample_rate": 44_100, "channels": 2 });
    let uuid: uuid::Uuid = id.parse().unwrap();
    project_assets::Entity::update_many()
        .col_expr(project_assets::Column::Metadata, Expr::value(claims.clone()))
        .filter(project_assets::Column::Id.eq(uuid))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    asset_versions::Entity::update_many()
        .col_expr(asset_versions::Column::Metadata, Expr::value(claims))
        .filter(asset_versions::Column::AssetId.eq(uuid))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    let b = build(&app, &d.manager.token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    assert_eq!(b["status"], "failed", "{b}");
    assert_eq!(b["failures"][0]["slot"], "jump_sound", "{b}");
    let error = b["error"].as_str().unwrap();
    assert!(error.contains("jump_sound") && error.contains("600.0 s") && error.contains("at most 3 s"), "{error}");
}

/// Sounds reach a game without their tags: an MP3's ID3 tags (a title, a cover picture) and a
/// WAV's INFO chunk are not in the bundle.
#[tokio::test]
async fn sounds_are_published_without_their_tags() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x20".to_vec();
    mp3.extend_from_slice(b"TIT2\x00\x00\x00\x16\x00\x00\x03Grandma's secret song");
    mp3.resize(10 + 0x20, 0);
    mp3.extend_from_slice(&fixtures::mp3(20)[10..]);
    mp3.extend_from_slice(b"TAGOwner: Zelda Quartermaine");
    mp3.resize(mp3.len() + 128 - 28, 0);
    let bark = upload(&app, &d.project, &d.manager.token, "sound", "bark.mp3", &mp3).await;
    assert_eq!(bark.status, StatusCode::CREATED, "{:?}", bark.body);
    process(&app).await;
    let slots = json!({ "hero": d.hero, "background": d.background, "jump_sound": bark.body["id"] });
    let b = build(&app, &d.manager.token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    assert_eq!(b["status"], "ready", "{b}");
    let sound = b["files"].as_array().unwrap().iter().find_map(|f| f["name"].as_str().filter(|n| n.ends_with(".mp3"))).unwrap().to_owned();
    let (status, bytes) = fetch(&app, Method::GET, &format!("{}{sound}", b["preview_url"].as_str().unwrap()), &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, fixtures::mp3(20)[10..].to_vec(), "the frames alone");
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("Grandma") && !text.contains("Zelda") && !text.contains("TIT2"));
}
