//! Assets: uploads both ways, what is refused (and that it leaves nothing behind), processing,
//! versions, deletion and permissions; on the folder store always, and on S3 when
//! `TEST_S3_ENDPOINT` is set.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use futures::StreamExt;
use petpixel_server::assets::fixtures;
use petpixel_server::entities::{asset_uploads, asset_versions, project_assets};
use petpixel_server::jobs::Worker;
use petpixel_types::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::storage::{apps, fetch};
use crate::support::{Reply, TestApp, TestUser};

const BOUNDARY: &str = "petpixel-test-boundary";

/// A multipart body: `fields` as text, then the file.
fn form(fields: &[(&str, &str)], filename: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes());
    }
    body.extend_from_slice(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_form(app: &TestApp, path: &str, token: &str, body: Vec<u8>) -> Reply {
    let request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("content-length", body.len())
        .body(Body::from(body))
        .unwrap();
    app.send(request).await
}

pub async fn upload(app: &TestApp, project: &str, token: &str, asset_type: &str, filename: &str, bytes: &[u8]) -> Reply {
    post_form(app, &format!("/api/v1/projects/{project}/assets"), token, form(&[("asset_type", asset_type)], filename, bytes)).await
}

/// Runs every due job, as a worker would.
pub async fn process(app: &TestApp) {
    let worker = Worker::new(app.state.clone(), petpixel_server::app::job_registry());
    while worker.run_once().await.unwrap().is_some() {}
}

async fn setup(app: &TestApp) -> (TestUser, String) {
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    (manager, project["id"].as_str().unwrap().to_owned())
}

/// Rows and objects an asset refused must not leave.
async fn assert_nothing_left(app: &TestApp, project: &str, what: &str) {
    let conn = &app.state.db.conn;
    let id: uuid::Uuid = project.parse().unwrap();
    let assets = project_assets::Entity::find().filter(project_assets::Column::ProjectId.eq(id)).count(conn).await.unwrap();
    let uploads = asset_uploads::Entity::find().filter(asset_uploads::Column::ProjectId.eq(id)).count(conn).await.unwrap();
    let objects = app.state.storage.list(&format!("projects/{project}/")).await.unwrap();
    assert_eq!((assets, uploads, objects.len()), (0, 0, 0), "{what} ({}): {objects:?}", app.state.storage.backend_name());
}

fn link_url(link: &Value) -> &str {
    link["url"].as_str().unwrap()
}

#[tokio::test]
async fn every_type_taken_is_stored_then_processed() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let cases: [(&str, &str, Vec<u8>, &str); 7] = [
            ("photo", "rex.jpg", fixtures::jpeg(640, 480), "image/jpeg"),
            ("sprite", "rex.png", fixtures::png(64, 64), "image/png"),
            ("background", "park.webp", fixtures::webp(200, 100), "image/webp"),
            ("photo", "IMG_0001.HEIC", fixtures::HEIC.to_vec(), "image/heic"),
            ("sound", "bark.mp3", fixtures::mp3(40), "audio/mpeg"),
            ("sound", "jump.ogg", fixtures::ogg(48_000), "audio/ogg"),
            ("sound", "coin.wav", fixtures::wav(8000, 1), "audio/wav"),
        ];
        let mut ids = Vec::new();
        for (asset_type, name, bytes, mime) in &cases {
            let reply = upload(&app, &project, &manager.token, asset_type, name, bytes).await;
            assert_eq!(reply.status, StatusCode::CREATED, "{name}: {:?}", reply.body);
            assert_eq!(reply.body["mime_type"], *mime, "{name}");
            assert_eq!(reply.body["processing_status"], "pending");
            assert_eq!(reply.body["file_size"], bytes.len() as u64);
            assert_eq!(reply.headers["location"], format!("/api/v1/assets/{}", reply.body["id"].as_str().unwrap()));
            ids.push(reply.body["id"].as_str().unwrap().to_owned());
        }
        process(&app).await;
        let heic_decoder = which("heif-convert");
        for (id, (_, name, _, mime)) in ids.iter().zip(&cases) {
            let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
            if *mime == "image/heic" && !heic_decoder {
                assert_eq!(asset["processing_status"], "failed", "{name}");
                assert!(asset["processing_error"].as_str().unwrap().contains("heif-convert"), "{asset}");
                continue;
            }
            assert_eq!(asset["processing_status"], "ready", "{name}: {asset}");
            assert!(asset["processed_at"].is_string());
            if mime.starts_with("image/") {
                assert!(asset["metadata"]["width"].as_u64().unwrap() > 0, "{name}");
                let (status, bytes) = fetch(&app, Method::GET, asset["thumbnail_url"].as_str().unwrap(), &[], vec![]).await;
                assert_eq!(status, StatusCode::OK, "{name}");
                let thumb = image::load_from_memory(&bytes).unwrap();
                assert!(thumb.width().max(thumb.height()) <= 320, "{name}");
            } else {
                assert!(asset["metadata"]["duration_seconds"].as_f64().unwrap() > 0.9, "{name}: {asset}");
                assert!(asset["metadata"]["bitrate_kbps"].as_u64().is_some(), "{name}");
                assert!(asset["thumbnail_url"].is_null());
            }
            let link = app.get(&format!("/api/v1/assets/{id}/download"), &manager.token).await;
            assert_eq!(link.status, StatusCode::OK);
            let (status, bytes) = fetch(&app, Method::GET, link_url(&link.body), &[], vec![]).await;
            assert_eq!((status, bytes.len()), (StatusCode::OK, cases.iter().find(|c| c.1 == *name).unwrap().2.len()), "{name}");
        }
        let list = app.get(&format!("/api/v1/projects/{project}/assets"), &manager.token).await.body;
        let types: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["asset_type"].as_str().unwrap()).collect();
        assert_eq!(types, ["photo", "photo", "sprite", "background", "sound", "sound", "sound"], "grouped by type");
        let activity = app.get(&format!("/api/v1/projects/{project}/activity"), &manager.token).await.body;
        let actions: Vec<&str> = activity["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "asset.uploaded").count(), 7, "{actions:?}");
    }
}

fn which(program: &str) -> bool {
    std::process::Command::new(program).arg("--version").output().is_ok()
}

#[tokio::test]
async fn each_refused_kind_gets_its_4xx_and_leaves_nothing() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let exe = [b"MZ\x90\x00\x03".as_slice(), &[0u8; 200]].concat();
        let jpeg = fixtures::jpeg(64, 64);
        let cases: [(&str, &str, Vec<u8>, StatusCode, &str); 6] = [
            ("photo", "rex.jpg", exe, StatusCode::UNSUPPORTED_MEDIA_TYPE, "a program named .jpg"),
            ("photo", "big.png", vec![0u8; 10 * 1024 * 1024 + 1], StatusCode::PAYLOAD_TOO_LARGE, "10 MB + 1 byte"),
            ("photo", "bomb.png", fixtures::png_bomb(60_000, 60_000), StatusCode::UNPROCESSABLE_ENTITY, "an image bomb"),
            ("photo", "cut.jpg", jpeg[..jpeg.len() - 100].to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "a truncated JPEG"),
            ("sound", "cut.mp3", fixtures::mp3(10)[..3000].to_vec(), StatusCode::UNPROCESSABLE_ENTITY, "a truncated MP3"),
            ("sound", "rex.jpg", jpeg.clone(), StatusCode::UNPROCESSABLE_ENTITY, "a picture as a sound"),
        ];
        for (asset_type, name, bytes, status, what) in cases {
            let reply = upload(&app, &project, &manager.token, asset_type, name, &bytes).await;
            assert_eq!(reply.status, status, "{what}: {:?}", reply.body);
            assert!(reply.is_problem(), "{what}");
            if status == StatusCode::UNPROCESSABLE_ENTITY {
                assert!(!reply.error_fields().is_empty(), "{what} names its field: {:?}", reply.body);
            }
            assert_nothing_left(&app, &project, what).await;
        }
        // Without a type, or of a type that does not exist.
        let reply = post_form(&app, &format!("/api/v1/projects/{project}/assets"), &manager.token, form(&[], "a.jpg", &jpeg)).await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["asset_type".to_owned()]));
        let reply = upload(&app, &project, &manager.token, "movie", "a.jpg", &jpeg).await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["asset_type".to_owned()]));
        // Not a form at all.
        let reply = app.post(&format!("/api/v1/projects/{project}/assets"), &manager.token, json!({})).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_nothing_left(&app, &project, "forms without a usable file").await;
    }
}

#[tokio::test]
async fn a_path_in_a_filename_is_only_ever_a_name() {
    let app = TestApp::new().await;
    let (manager, project) = setup(&app).await;
    let reply = upload(&app, &project, &manager.token, "photo", "../../etc/passwd.jpg", &fixtures::jpeg(32, 32)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.body["filename"], "passwd.jpg");
    assert_eq!(reply.body["original_filename"], "../../etc/passwd.jpg", "kept as metadata");
    let windows = upload(&app, &project, &manager.token, "photo", "..\\..\\CON.jpg", &fixtures::jpeg(32, 32)).await;
    assert_eq!(windows.body["filename"], "_CON.jpg", "{:?}", windows.body);
    let id: uuid::Uuid = reply.body["id"].as_str().unwrap().parse().unwrap();
    let row = project_assets::Entity::find_by_id(id).one(&app.state.db.conn).await.unwrap().unwrap();
    assert!(row.file_path.starts_with(&format!("projects/{project}/assets/{}/", row.id)), "{}", row.file_path);
    assert!(row.file_path.ends_with("/original.jpg"));
}

#[tokio::test]
async fn a_photo_loses_its_location_in_the_preview() {
    let app = TestApp::new().await;
    let (manager, project) = setup(&app).await;
    let original = fixtures::jpeg_with_location(1800, 1200);
    let id = upload(&app, &project, &manager.token, "photo", "walk.jpg", &original).await.body["id"].as_str().unwrap().to_owned();
    process(&app).await;
    let preview = app.get(&format!("/api/v1/assets/{id}/preview"), &manager.token).await;
    assert_eq!(preview.status, StatusCode::OK, "{:?}", preview.body);
    assert_eq!(preview.body["content_type"], "image/jpeg");
    let (_, bytes) = fetch(&app, Method::GET, link_url(&preview.body), &[], vec![]).await;
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "the preview carries no EXIF");
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (1600, 1067));
    // The original is kept as it came.
    let link = app.get(&format!("/api/v1/assets/{id}/download"), &manager.token).await;
    let (_, bytes) = fetch(&app, Method::GET, link_url(&link.body), &[], vec![]).await;
    assert_eq!(bytes, original);
}

#[tokio::test]
async fn a_presigned_upload_becomes_an_asset_only_once_checked() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let png = fixtures::png(48, 48);
        let size = png.len().to_string();
        let presign = |content_type: &str, size: usize| json!({ "filename": "rex.png", "asset_type": "sprite", "size": size, "content_type": content_type });
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, presign("image/png", png.len())).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        let (id, url) = (reply.body["asset_id"].as_str().unwrap().to_owned(), reply.body["url"].as_str().unwrap().to_owned());
        assert_eq!(reply.body["headers"]["Content-Type"], "image/png");
        // Not visible, and not completable, before the file is there.
        assert_eq!(app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.status, StatusCode::NOT_FOUND);
        let early = app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);

        let (status, _) = fetch(&app, Method::PUT, &url, &[("content-type", "image/png"), ("content-length", &size)], png.clone()).await;
        assert!(status.is_success(), "{}: {status}", app.state.storage.backend_name());
        let done = app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await;
        assert_eq!(done.status, StatusCode::CREATED, "{:?}", done.body);
        assert_eq!((done.body["id"].as_str(), done.body["mime_type"].as_str()), (Some(id.as_str()), Some("image/png")));
        let again = app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);

        // Declared a PNG, sent a JPEG of the same length: refused at completion and removed.
        let jpeg = fixtures::jpeg(16, 16);
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, presign("image/png", jpeg.len())).await;
        let (id, url) = (reply.body["asset_id"].as_str().unwrap().to_owned(), reply.body["url"].as_str().unwrap().to_owned());
        let len = jpeg.len().to_string();
        let (status, _) = fetch(&app, Method::PUT, &url, &[("content-type", "image/png"), ("content-length", &len)], jpeg).await;
        assert!(status.is_success());
        let refused = app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await;
        assert_eq!(refused.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{:?}", refused.body);
        let objects = app.state.storage.list(&format!("projects/{project}/assets/{id}/")).await.unwrap();
        assert!(objects.is_empty(), "the refused object is removed: {objects:?}");

        // Declarations refused before any link is made.
        let reply = app
            .post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, presign("image/png", 10 * 1024 * 1024 + 1))
            .await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["size".to_owned()]));
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, presign("application/pdf", 10)).await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["content_type".to_owned()]));
    }
}

/// Once `complete` has checked a file, nothing put through its link reaches the asset: the folder
/// store refuses the link, and what S3 still takes lands on a staging key nobody reads (and the
/// sweep removes). The asset's bytes stay the ones checked.
#[tokio::test]
async fn an_upload_link_changes_nothing_after_complete() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let checked = fixtures::png(48, 48);
        let body = json!({ "filename": "rex.png", "asset_type": "sprite", "size": checked.len(), "content_type": "image/png" });
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, body).await;
        let (id, url) = (reply.body["asset_id"].as_str().unwrap().to_owned(), reply.body["url"].as_str().unwrap().to_owned());
        let len = checked.len().to_string();
        let headers = [("content-type", "image/png"), ("content-length", len.as_str())];
        let (status, _) = fetch(&app, Method::PUT, &url, &headers, checked.clone()).await;
        assert!(status.is_success());
        let done = app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await;
        assert_eq!(done.status, StatusCode::CREATED, "{:?}", done.body);

        // The same link, other bytes of the same size and type.
        let mut swapped = checked.clone();
        let last = swapped.len() - 20;
        swapped[last] ^= 0xFF;
        let (status, body) = fetch(&app, Method::PUT, &url, &headers, swapped.clone()).await;
        match app.state.storage.backend_name() {
            "local" => assert_eq!(status, StatusCode::FORBIDDEN, "{}", String::from_utf8_lossy(&body)),
            _ => assert!(status.is_success(), "S3 takes it until the link expires"),
        }
        let link = app.get(&format!("/api/v1/assets/{id}/download"), &manager.token).await;
        let (_, bytes) = fetch(&app, Method::GET, link_url(&link.body), &[], vec![]).await;
        assert_eq!(bytes, checked, "the asset is the file that was checked ({})", app.state.storage.backend_name());
    }
}

/// Staged files whose upload is gone (put after `complete`, or left by a crash) are swept once
/// older than a link's life; one whose upload still waits stays.
#[tokio::test]
async fn staged_files_without_an_upload_are_swept() {
    use petpixel_server::storage::{once, ObjectKey};
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let png = fixtures::png(8, 8);
        let body = json!({ "filename": "wait.png", "asset_type": "sprite", "size": png.len(), "content_type": "image/png" });
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, body).await;
        let waiting = format!("staging/{}", reply.body["asset_id"].as_str().unwrap().replace('-', ""));
        let stray = format!("staging/{}", uuid::Uuid::now_v7().simple());
        for key in [&waiting, &stray] {
            app.state.storage.put(&ObjectKey::new(key.as_str()).unwrap(), "image/png", png.len() as u64, once(png.clone())).await.unwrap();
        }
        let mut state = app.state.clone();
        let mut config = (*state.config).clone();
        config.upload_link_ttl = std::time::Duration::ZERO;
        state.config = std::sync::Arc::new(config);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        petpixel_server::jobs::enqueue(&app.state.db.conn, petpixel_server::jobs::NewJob::new(petpixel_server::assets::SWEEP, Value::Null))
            .await
            .unwrap();
        let worker = Worker::new(state, petpixel_server::app::job_registry());
        while worker.run_once().await.unwrap().is_some() {}
        assert!(app.state.storage.list(&stray).await.unwrap().is_empty(), "{}", app.state.storage.backend_name());
        assert_eq!(app.state.storage.list(&waiting).await.unwrap().len(), 1, "its upload still waits");
    }
}

#[tokio::test]
async fn an_upload_never_completed_is_swept_with_its_object() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let png = fixtures::png(8, 8);
        let body = json!({ "filename": "late.png", "asset_type": "sprite", "size": png.len(), "content_type": "image/png" });
        let reply = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, body).await;
        let (id, url) = (reply.body["asset_id"].as_str().unwrap().to_owned(), reply.body["url"].as_str().unwrap().to_owned());
        let len = png.len().to_string();
        let (status, _) = fetch(&app, Method::PUT, &url, &[("content-type", "image/png"), ("content-length", &len)], png).await;
        assert!(status.is_success());
        let staged = format!("staging/{}", id.replace('-', ""));
        assert_eq!(app.state.storage.list(&staged).await.unwrap().len(), 1, "the link writes to its staging key");

        // Its time runs out.
        asset_uploads::Entity::update_many()
            .col_expr(asset_uploads::Column::ExpiresAt, sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)))
            .exec(&app.state.db.conn)
            .await
            .unwrap();
        petpixel_server::jobs::enqueue(&app.state.db.conn, petpixel_server::jobs::NewJob::new(petpixel_server::assets::SWEEP, Value::Null))
            .await
            .unwrap();
        process(&app).await;
        assert_nothing_left(&app, &project, "an expired upload").await;
        assert!(app.state.storage.list(&staged).await.unwrap().is_empty(), "its staged file went too");
        assert_eq!(app.post(&format!("/api/v1/assets/{id}/complete"), &manager.token, json!({})).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn versions_stay_listed_and_downloadable_and_delete_takes_everything() {
    for app in apps().await {
        let (manager, project) = setup(&app).await;
        let first = fixtures::png(40, 40);
        let id = upload(&app, &project, &manager.token, "sprite", "rex.png", &first).await.body["id"].as_str().unwrap().to_owned();
        let second = fixtures::jpeg(80, 60);
        let reply = post_form(&app, &format!("/api/v1/assets/{id}/versions"), &manager.token, form(&[], "rex-2.jpg", &second)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        assert_eq!((reply.body["version"].as_i64(), reply.body["mime_type"].as_str()), (Some(2), Some("image/jpeg")));
        assert_eq!(reply.body["filename"], "rex.png", "the asset keeps its name");
        process(&app).await;

        let versions = app.get(&format!("/api/v1/assets/{id}/versions"), &manager.token).await.body;
        let listed: Vec<(i64, bool, &str)> = versions
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].as_i64().unwrap(), v["current"].as_bool().unwrap(), v["processing_status"].as_str().unwrap()))
            .collect();
        assert_eq!(listed, [(2, true, "ready"), (1, false, "ready")]);
        let old = app.get(&format!("/api/v1/assets/{id}/download?version=1"), &manager.token).await;
        assert_eq!(old.body["filename"], "rex (v1).png");
        let (_, bytes) = fetch(&app, Method::GET, link_url(&old.body), &[], vec![]).await;
        assert_eq!(bytes, first);
        assert_eq!(app.get(&format!("/api/v1/assets/{id}/download?version=9"), &manager.token).await.status, StatusCode::NOT_FOUND);

        let renamed = app.patch(&format!("/api/v1/assets/{id}"), &manager.token, json!({ "filename": "hero/rex.png" })).await;
        assert_eq!((renamed.status, renamed.body["filename"].as_str()), (StatusCode::OK, Some("rex.png")));
        let renamed = app.patch(&format!("/api/v1/assets/{id}"), &manager.token, json!({ "filename": "Rex the hero.png" })).await;
        assert_eq!(renamed.body["filename"], "Rex the hero.png");

        assert_eq!(app.delete(&format!("/api/v1/assets/{id}"), &manager.token).await.status, StatusCode::NO_CONTENT);
        assert_eq!(app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.status, StatusCode::NOT_FOUND);
        let left = asset_versions::Entity::find()
            .filter(asset_versions::Column::AssetId.eq(id.parse::<uuid::Uuid>().unwrap()))
            .count(&app.state.db.conn)
            .await
            .unwrap();
        assert_eq!(left, 0);
        process(&app).await;
        assert_nothing_left(&app, &project, "a deleted asset").await;
        let activity = app.get(&format!("/api/v1/projects/{project}/activity"), &manager.token).await.body;
        let actions: Vec<&str> = activity["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for action in ["asset.uploaded", "asset.version_added", "asset.processed", "asset.updated", "asset.deleted"] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
    }
}

#[tokio::test]
async fn concurrent_uploads_each_become_an_asset_and_versions_get_their_own_numbers() {
    let app = TestApp::new().await;
    let (manager, project) = setup(&app).await;
    let uploads = (0..8).map(|i| {
        let (app, project, token) = (&app, project.clone(), manager.token.clone());
        async move { upload(app, &project, &token, "sprite", &format!("s{i}.png"), &fixtures::png(16 + i, 16)).await.status }
    });
    let statuses = futures::future::join_all(uploads).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    assert_eq!(app.get(&format!("/api/v1/projects/{project}/assets"), &manager.token).await.body.as_array().unwrap().len(), 8);

    let id =
        upload(&app, &project, &manager.token, "sprite", "base.png", &fixtures::png(8, 8)).await.body["id"].as_str().unwrap().to_owned();
    let versions = (0..4).map(|i| {
        let (app, id, token) = (&app, id.clone(), manager.token.clone());
        async move { post_form(app, &format!("/api/v1/assets/{id}/versions"), &token, form(&[], "v.png", &fixtures::png(9 + i, 9))).await }
    });
    let replies = futures::future::join_all(versions).await;
    let mut numbers: Vec<i64> =
        replies.iter().filter(|r| r.status == StatusCode::CREATED).map(|r| r.body["version"].as_i64().unwrap()).collect();
    assert!(
        replies.iter().all(|r| r.status == StatusCode::CREATED || r.status == StatusCode::CONFLICT),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    numbers.sort_unstable();
    numbers.dedup();
    assert_eq!(numbers.len(), replies.iter().filter(|r| r.status == StatusCode::CREATED).count(), "no number given twice");
}

#[tokio::test]
async fn artists_manage_assets_of_their_projects_and_read_the_others() {
    let app = TestApp::new().await;
    let (manager, theirs) = setup(&app).await;
    let artist = app.user(Role::Artist).await;
    let mine = app.project(&manager.token, json!({})).await["id"].as_str().unwrap().to_owned();
    let assigned = app.put(&format!("/api/v1/projects/{mine}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
    assert_eq!(assigned.status, StatusCode::OK);
    let png = fixtures::png(8, 8);

    assert_eq!(upload(&app, &theirs, &artist.token, "sprite", "a.png", &png).await.status, StatusCode::FORBIDDEN);
    let reply = app
        .post(
            &format!("/api/v1/projects/{theirs}/assets/presign"),
            &artist.token,
            json!({ "filename": "a.png", "asset_type": "sprite", "size": 10, "content_type": "image/png" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let other = upload(&app, &theirs, &manager.token, "sprite", "a.png", &png).await.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&format!("/api/v1/projects/{theirs}/assets"), &artist.token).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/assets/{other}/download"), &artist.token).await.status, StatusCode::OK);
    assert_eq!(
        app.patch(&format!("/api/v1/assets/{other}"), &artist.token, json!({ "filename": "b.png" })).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.delete(&format!("/api/v1/assets/{other}"), &artist.token).await.status, StatusCode::FORBIDDEN);
    let reply = post_form(&app, &format!("/api/v1/assets/{other}/versions"), &artist.token, form(&[], "v.png", &png)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_nothing_left_but(&app, &theirs, 1).await;

    let own = upload(&app, &mine, &artist.token, "sprite", "a.png", &png).await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    let own = own.body["id"].as_str().unwrap().to_owned();
    assert_eq!(app.patch(&format!("/api/v1/assets/{own}"), &artist.token, json!({ "filename": "b.png" })).await.status, StatusCode::OK);
    assert_eq!(app.delete(&format!("/api/v1/assets/{own}"), &artist.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/v1/assets/{other}"), &manager.token).await.status, StatusCode::NO_CONTENT);
}

async fn assert_nothing_left_but(app: &TestApp, project: &str, assets: u64) {
    let id: uuid::Uuid = project.parse().unwrap();
    let n = project_assets::Entity::find().filter(project_assets::Column::ProjectId.eq(id)).count(&app.state.db.conn).await.unwrap();
    let uploads = asset_uploads::Entity::find().count(&app.state.db.conn).await.unwrap();
    assert_eq!((n, uploads), (assets, 0));
}

#[tokio::test]
async fn a_failed_processing_says_why_and_can_be_retried() {
    let app = TestApp::with_config(|c| c.heif_convert = "/nonexistent/heif-convert".into()).await;
    let (manager, project) = setup(&app).await;
    let id = upload(&app, &project, &manager.token, "photo", "phone.heic", fixtures::HEIC).await.body["id"].as_str().unwrap().to_owned();
    process(&app).await;
    let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
    assert_eq!(asset["processing_status"], "failed");
    assert!(asset["processing_error"].as_str().unwrap().contains("cannot be converted"), "{asset}");
    let thumb = app.get(&format!("/api/v1/assets/{id}/thumbnail"), &manager.token).await;
    assert_eq!(thumb.status, StatusCode::NOT_FOUND);
    assert!(thumb.body["detail"].as_str().unwrap().contains("processing failed"), "{:?}", thumb.body);
    // The original is kept.
    assert_eq!(app.get(&format!("/api/v1/assets/{id}/download"), &manager.token).await.status, StatusCode::OK);
    let again = app.post(&format!("/api/v1/assets/{id}/process"), &manager.token, json!({})).await;
    assert_eq!((again.status, again.body["processing_status"].as_str()), (StatusCode::ACCEPTED, Some("pending")));
    let twice = app.post(&format!("/api/v1/assets/{id}/process"), &manager.token, json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn a_processing_job_whose_worker_died_is_finished_by_another() {
    let app = TestApp::new().await;
    let (manager, project) = setup(&app).await;
    let id =
        upload(&app, &project, &manager.token, "photo", "rex.jpg", &fixtures::jpeg(400, 300)).await.body["id"].as_str().unwrap().to_owned();
    // A worker took the job, marked the asset processing, and died: its lease is left to run out.
    use petpixel_server::entities::jobs as job_rows;
    job_rows::Entity::update_many()
        .col_expr(job_rows::Column::Status, sea_orm::sea_query::Expr::value("running"))
        .col_expr(job_rows::Column::LockedBy, sea_orm::sea_query::Expr::value("dead-worker"))
        .col_expr(job_rows::Column::LockedUntil, sea_orm::sea_query::Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)))
        .col_expr(job_rows::Column::Attempts, sea_orm::sea_query::Expr::value(1))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    asset_versions::Entity::update_many()
        .col_expr(asset_versions::Column::ProcessingStatus, sea_orm::sea_query::Expr::value("processing"))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    process(&app).await;
    let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
    assert_eq!(asset["processing_status"], "ready", "{asset}");
}

#[tokio::test]
async fn uploads_are_scanned_when_a_scanner_is_set() {
    let Ok(url) = std::env::var("TEST_CLAMAV_URL") else {
        eprintln!("TEST_CLAMAV_URL is not set: the virus-scan test is skipped (.ci/run starts clamd)");
        return;
    };
    let app = TestApp::with_config(|c| c.clamav_url = Some(url)).await;
    let (manager, project) = setup(&app).await;
    let infected = fixtures::png_with_text(16, 16, Some("PETPIXEL-TEST-MALWARE-SIGNATURE"));
    let reply = upload(&app, &project, &manager.token, "sprite", "cute.png", &infected).await;
    assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["file".to_owned()]), "{:?}", reply.body);
    assert!(reply.body["errors"][0]["code"] == "infected", "{:?}", reply.body);
    assert_nothing_left(&app, &project, "an infected file").await;
    let clean = upload(&app, &project, &manager.token, "sprite", "cute.png", &fixtures::png(16, 16)).await;
    assert_eq!(clean.status, StatusCode::CREATED, "{:?}", clean.body);

    let away = TestApp::with_config(|c| c.clamav_url = Some("127.0.0.1:1".into())).await;
    let (manager, project) = setup(&away).await;
    let reply = upload(&away, &project, &manager.token, "sprite", "cute.png", &fixtures::png(16, 16)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "a scanner that does not answer lets nothing through");
    assert_nothing_left(&away, &project, "an unscanned file").await;
}

#[tokio::test]
async fn a_version_whose_job_gave_up_is_marked_failed_by_the_sweep() {
    use petpixel_server::entities::jobs as job_rows;
    use sea_orm::sea_query::Expr;
    let app = TestApp::new().await;
    let (manager, project) = setup(&app).await;
    let id =
        upload(&app, &project, &manager.token, "photo", "rex.jpg", &fixtures::jpeg(64, 64)).await.body["id"].as_str().unwrap().to_owned();
    // Its job failed for good, and the version was left half-way, a while ago.
    job_rows::Entity::update_many()
        .col_expr(job_rows::Column::Status, Expr::value("failed"))
        .col_expr(job_rows::Column::Attempts, Expr::value(5))
        .col_expr(job_rows::Column::LastError, Expr::value("storage: connection refused"))
        .filter(job_rows::Column::Kind.eq(petpixel_server::assets::PROCESS))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    asset_versions::Entity::update_many()
        .col_expr(asset_versions::Column::ProcessingStatus, Expr::value("processing"))
        .col_expr(asset_versions::Column::UploadedAt, Expr::value(chrono::Utc::now() - chrono::Duration::minutes(10)))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    petpixel_server::jobs::enqueue(&app.state.db.conn, petpixel_server::jobs::NewJob::new(petpixel_server::assets::SWEEP, Value::Null))
        .await
        .unwrap();
    process(&app).await;
    let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
    assert_eq!(asset["processing_status"], "failed", "{asset}");
    assert_eq!(asset["processing_error"], "Processing gave up after 5 attempts: storage: connection refused");
    let activity = app.get(&format!("/api/v1/projects/{project}/activity"), &manager.token).await.body;
    assert_eq!(activity["items"][0]["action"], "asset.processing_failed", "{activity}");
}

#[tokio::test]
async fn a_slow_upload_has_the_upload_timeout_not_the_request_timeout() {
    let app = TestApp::with_config(|c| {
        c.request_timeout = std::time::Duration::from_millis(500);
        c.upload_timeout = std::time::Duration::from_secs(20);
    })
    .await;
    let (manager, project) = setup(&app).await;
    let body = form(&[("asset_type", "photo")], "slow.jpg", &fixtures::jpeg(64, 64));
    let (first, rest) = body.split_at(body.len() / 2);
    let (first, rest) = (bytes::Bytes::copy_from_slice(first), bytes::Bytes::copy_from_slice(rest));
    // Half the form, a pause longer than the request timeout, then the rest.
    let stream = futures::stream::iter([first, rest]).then(|chunk| async move {
        tokio::time::sleep(std::time::Duration::from_millis(600)).await;
        Ok::<_, std::io::Error>(chunk)
    });
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/projects/{project}/assets"))
        .header("authorization", format!("Bearer {}", manager.token))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(Body::from_stream(stream))
        .unwrap();
    let reply = app.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
}

/// A converter standing in for libheif: writes the picture, and the extra files libheif writes
/// beside it (a depth map, an auxiliary picture); first runs `before` (a shell command).
fn fake_converter(dir: &std::path::Path, before: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let png = dir.join("converted.png");
    std::fs::write(&png, fixtures::png(64, 48)).unwrap();
    let script = dir.join("heif-convert");
    let body = format!(
        "#!/bin/sh\nset -e\n{before}\ncp '{}' \"$2\"\necho depth > \"${{2%.png}}-depth.png\"\necho aux > \"$(dirname \"$2\")/auxiliary-1.png\"\n",
        png.display()
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

/// libheif's converter runs in a folder of its own, removed afterwards with whatever it wrote
/// beside its output, and under limits: one that tries to take 3 GB of memory is stopped and the
/// photo is marked failed with the reason, instead of taking the machine's memory.
#[tokio::test]
async fn the_heic_converter_runs_in_its_own_folder_under_limits() {
    let tools = tempfile::tempdir().unwrap();
    let converter = fake_converter(tools.path(), "true");
    let app = TestApp::with_config(|c| c.heif_convert = converter).await;
    let (manager, project) = setup(&app).await;
    let id = upload(&app, &project, &manager.token, "photo", "phone.heic", fixtures::HEIC).await.body["id"].as_str().unwrap().to_owned();
    process(&app).await;
    let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
    assert_eq!(asset["processing_status"], "ready", "{asset}");
    let tmp = app.state.config.data_dir.join("tmp");
    let left: Vec<_> = std::fs::read_dir(&tmp).map(|d| d.map(|e| e.unwrap().file_name()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "nothing left in {}: {left:?}", tmp.display());

    let hungry = fake_converter(tools.path(), "python3 -c 'x = bytearray(3 * 1024 ** 3); x[-1] = 1'");
    let app = TestApp::with_config(|c| c.heif_convert = hungry).await;
    let (manager, project) = setup(&app).await;
    let id = upload(&app, &project, &manager.token, "photo", "big.heic", fixtures::HEIC).await.body["id"].as_str().unwrap().to_owned();
    process(&app).await;
    let asset = app.get(&format!("/api/v1/assets/{id}"), &manager.token).await.body;
    assert_eq!(asset["processing_status"], "failed", "{asset}");
    assert!(asset["processing_error"].as_str().unwrap().contains("could not be decoded"), "{asset}");
}
