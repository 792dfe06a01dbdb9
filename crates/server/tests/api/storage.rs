//! The file store, against both backends: the data dir's folder always, and a real S3 server when
//! `TEST_S3_ENDPOINT` is set (`.ci/run` starts s3s-fs; the bucket `TEST_S3_BUCKET`, default
//! `petpixel-test`, must exist). Each test works under a prefix of its own.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use petpixel_server::config::{S3Config, StorageConfig};
use petpixel_server::storage::{collect, once, ObjectKey, Storage, StorageError};
use secrecy::SecretString;

use crate::support::TestApp;

/// One app per backend under test.
pub async fn apps() -> Vec<TestApp> {
    let mut apps = vec![TestApp::new().await];
    if let Some(s3) = s3_config() {
        apps.push(TestApp::with_config(|c| c.storage = StorageConfig::S3(s3)).await);
    }
    apps
}

/// The S3 server CI runs (`TEST_S3_ENDPOINT`), if any, each call a part of its bucket of its own
/// (`S3_PREFIX`): a test that lists or copies the whole store sees only its own objects.
pub fn s3_config() -> Option<S3Config> {
    let endpoint = std::env::var("TEST_S3_ENDPOINT").ok()?;
    Some(S3Config {
        endpoint: Some(endpoint),
        bucket: std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "petpixel-test".into()),
        region: std::env::var("TEST_S3_REGION").unwrap_or_else(|_| "us-east-1".into()),
        access_key_id: std::env::var("TEST_S3_ACCESS_KEY_ID").unwrap_or_else(|_| "petpixel".into()),
        secret_access_key: SecretString::from(std::env::var("TEST_S3_SECRET_ACCESS_KEY").unwrap_or_else(|_| "petpixel-secret".into())),
        // Short: s3s-fs makes a file name of the whole key, and names have at most 255 bytes.
        prefix: format!("t{}/", &uuid::Uuid::now_v7().simple().to_string()[20..]),
    })
}

/// Objects under one app's S3 prefix are not seen by an app with another.
#[tokio::test]
async fn an_s3_prefix_keeps_two_installs_in_one_bucket_apart() {
    let (Some(a), Some(b)) = (s3_config(), s3_config()) else { return };
    let (a, b) = (
        TestApp::with_config(|c| c.storage = StorageConfig::S3(a)).await,
        TestApp::with_config(|c| c.storage = StorageConfig::S3(b)).await,
    );
    let k = ObjectKey::new("projects/shared-name/photo.jpg").unwrap();
    a.state.storage.put(&k, "image/jpeg", 5, once(&b"hello"[..])).await.unwrap();
    assert_eq!(a.state.storage.list("").await.unwrap().iter().map(|m| m.key.to_string()).collect::<Vec<_>>(), [k.to_string()]);
    assert!(b.state.storage.list("").await.unwrap().is_empty());
    assert_eq!(b.state.storage.head(&k).await.unwrap(), None);
    let link = a.state.storage.link_to_get(&k, Duration::from_secs(60)).await.unwrap();
    assert_eq!(fetch(&a, Method::GET, &link, &[], vec![]).await.1, b"hello");
}

fn prefix() -> String {
    format!("tests/{}", uuid::Uuid::now_v7().simple())
}

fn key(prefix: &str, rest: &str) -> ObjectKey {
    ObjectKey::new(format!("{prefix}/{rest}")).unwrap()
}

/// A body of `len` bytes in 64 KiB chunks, as an upload arrives.
fn chunked(len: usize) -> (Vec<u8>, petpixel_server::storage::ByteStream) {
    let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<std::io::Result<bytes::Bytes>> = data.chunks(64 * 1024).map(|c| Ok(bytes::Bytes::copy_from_slice(c))).collect();
    (data, Box::pin(futures::stream::iter(chunks)))
}

/// Sends a request to a link: the app's own links go through its router, S3's to the S3 server.
pub async fn fetch(app: &TestApp, method: Method, url: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (StatusCode, Vec<u8>) {
    let public = &app.state.config.public_url;
    let mut builder = Request::builder().method(method);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    if let Some(path) = url.strip_prefix(public.as_str()) {
        let reply = app.router_response(builder.uri(path).body(Body::from(body)).unwrap()).await;
        let status = reply.status();
        (status, reply.into_body().collect().await.unwrap().to_bytes().to_vec())
    } else {
        use hyper_util::client::legacy::Client;
        use hyper_util::rt::TokioExecutor;
        let client: Client<_, http_body_util::Full<bytes::Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let request = builder.uri(url).body(http_body_util::Full::new(bytes::Bytes::from(body))).unwrap();
        let reply = client.request(request).await.expect("the S3 server answers");
        let status = reply.status();
        (status, reply.into_body().collect().await.unwrap().to_bytes().to_vec())
    }
}

#[tokio::test]
async fn objects_stream_in_and_out_and_are_listed_and_deleted() {
    for app in apps().await {
        let store: &Storage = &app.state.storage;
        let p = prefix();
        let big = key(&p, "assets/a/v1/original");
        let (data, body) = chunked(3 * 1024 * 1024 + 17);
        let meta = store.put(&big, "image/png", data.len() as u64, body).await.unwrap();
        assert_eq!(meta.size, data.len() as u64, "{}", store.backend_name());
        store.put(&key(&p, "assets/b/thumb"), "image/webp", 3, once(&b"abc"[..])).await.unwrap();
        store.put(&key(&p, "other/c"), "text/plain", 1, once(&b"x"[..])).await.unwrap();

        let object = store.get(&big).await.unwrap();
        assert_eq!(object.meta.content_type.as_deref(), Some("image/png"));
        assert_eq!(collect(object.body).await.unwrap(), data, "{}: the bytes come back as they went in", store.backend_name());
        let head = store.head(&big).await.unwrap().unwrap();
        assert_eq!((head.size, head.content_type.as_deref()), (data.len() as u64, Some("image/png")));

        let listed: Vec<String> = store.list(&format!("{p}/assets/")).await.unwrap().iter().map(|m| m.key.to_string()).collect();
        assert_eq!(listed, [format!("{p}/assets/a/v1/original"), format!("{p}/assets/b/thumb")]);

        store.delete(&big).await.unwrap();
        store.delete(&big).await.unwrap();
        assert_eq!(store.head(&big).await.unwrap(), None);
        assert!(matches!(store.get(&big).await, Err(StorageError::NotFound(_))));
    }
}

#[tokio::test]
async fn a_body_shorter_than_announced_leaves_nothing_behind() {
    for app in apps().await {
        let store = &app.state.storage;
        let p = prefix();
        let k = key(&p, "short");
        let result = store.put(&k, "image/png", 10, once(&b"only five"[..5])).await;
        assert!(result.is_err(), "{}", store.backend_name());
        assert_eq!(store.head(&k).await.unwrap(), None, "{}", store.backend_name());
        assert!(store.list(&p).await.unwrap().is_empty(), "{}: no temporary file left either", store.backend_name());
    }
}

#[tokio::test]
async fn a_download_link_works_until_it_expires_and_only_as_signed() {
    for app in apps().await {
        let store = &app.state.storage;
        let p = prefix();
        let k = key(&p, "photo.jpg");
        store.put(&k, "image/jpeg", 5, once(&b"hello"[..])).await.unwrap();

        let link = store.link_to_get(&k, Duration::from_secs(60)).await.unwrap();
        let (status, body) = fetch(&app, Method::GET, &link, &[], vec![]).await;
        assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"hello"[..]), "{}", store.backend_name());

        let tampered = link.replace("photo.jpg", "photo.jpX");
        assert_eq!(fetch(&app, Method::GET, &tampered, &[], vec![]).await.0, StatusCode::FORBIDDEN, "{}", store.backend_name());

        // Links are made per window (half their life), so a link lives at most 1.5 times as long
        // as asked, rounded up to whole seconds: three seconds for one.
        let short = store.link_to_get(&k, Duration::from_secs(1)).await.unwrap();
        assert_eq!(store.link_to_get(&k, Duration::from_secs(1)).await.unwrap(), short, "one window, one link");
        tokio::time::sleep(Duration::from_millis(3100)).await;
        let (status, body) = fetch(&app, Method::GET, &short, &[], vec![]).await;
        // The folder store answers 403; an S3 store its own refusal (AWS and s3s-fs 403, Garage
        // 400 "InvalidRequest"), and never the file.
        let refused = if store.backend_name() == "local" { status == StatusCode::FORBIDDEN } else { status.is_client_error() };
        assert!(refused && body != b"hello", "{}: an expired link answered {status}", store.backend_name());
    }
}

#[tokio::test]
async fn an_upload_link_takes_exactly_the_declared_type_and_size() {
    for app in apps().await {
        let store = &app.state.storage;
        // A link the API gave for an upload that waits (the folder store takes no other).
        let manager = app.user(petpixel_types::Role::Manager).await;
        let project = app.project(&manager.token, serde_json::json!({})).await["id"].as_str().unwrap().to_owned();
        let body = serde_json::json!({ "filename": "upload.png", "asset_type": "sprite", "size": 4, "content_type": "image/png" });
        let presigned = app.post(&format!("/api/v1/projects/{project}/assets/presign"), &manager.token, body).await;
        let link = presigned.body["url"].as_str().unwrap().to_owned();
        let k = ObjectKey::new(format!("staging/{}", presigned.body["asset_id"].as_str().unwrap().replace('-', ""))).unwrap();

        let (wrong_type, _) = fetch(&app, Method::PUT, &link, &[("content-type", "text/html")], b"<h1>".to_vec()).await;
        assert!(wrong_type.is_client_error(), "{}: {wrong_type}", store.backend_name());
        let (too_big, _) = fetch(&app, Method::PUT, &link, &[("content-type", "image/png")], b"12345".to_vec()).await;
        assert!(too_big.is_client_error(), "{}: {too_big}", store.backend_name());
        assert_eq!(store.head(&k).await.unwrap(), None, "{}: nothing was stored", store.backend_name());

        let (ok, _) = fetch(&app, Method::PUT, &link, &[("content-type", "image/png")], b"\x89PNG".to_vec()).await;
        assert!(ok.is_success(), "{}: {ok}", store.backend_name());
        let head = store.head(&k).await.unwrap().unwrap();
        assert_eq!((head.size, head.content_type.as_deref()), (4, Some("image/png")), "{}", store.backend_name());
        // A download link does not upload.
        let get_link = store.link_to_get(&k, Duration::from_secs(60)).await.unwrap();
        let (status, _) = fetch(&app, Method::PUT, &get_link, &[("content-type", "image/png")], b"nope".to_vec()).await;
        assert!(status.is_client_error(), "{}: {status}", store.backend_name());
    }
}

#[tokio::test]
async fn storage_health_names_the_backend_and_writes_nothing() {
    for app in apps().await {
        let reply = app.request(Method::GET, "/api/health/storage", None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        assert_eq!(reply.body["backend"], app.state.storage.backend_name());
        if app.state.storage.backend_name() == "local" {
            let dir = app.state.config.data_dir.join("files");
            assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0, "no probe file");
        }
    }
}

/// Unmounts what a test mounted, however it ends.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

/// The folder store's disk full: an upload is refused with 507 problem+json, leaves no partial
/// file and no asset, and the next one that fits is stored. The store gets a filesystem of its
/// own, a 1 MB tmpfs, which only root may mount (CI runs as root); elsewhere the test says so and
/// checks nothing.
#[tokio::test]
async fn a_full_disk_refuses_uploads_cleanly_and_takes_them_again_once_there_is_room() {
    let mount = tempfile::tempdir().unwrap();
    let mounted = std::process::Command::new("mount").args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"]).arg(mount.path()).status();
    if !mounted.is_ok_and(|s| s.success()) {
        eprintln!("SKIPPED: a tmpfs could not be mounted (this needs root)");
        return;
    }
    let _unmount = Mounted(mount.path().to_owned());
    let files = mount.path().join("files");
    let store = files.clone();
    let app = TestApp::with_config(move |c| c.storage = StorageConfig::Local { dir: store }).await;
    let (manager, project) = {
        let manager = app.user(petpixel_types::Role::Manager).await;
        let project = app.project(&manager.token, serde_json::json!({})).await;
        (manager, project["id"].as_str().unwrap().to_owned())
    };
    // A 2 MB photo: noise does not compress.
    let mut seed = 7u32;
    let noise = image::RgbImage::from_fn(820, 820, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        image::Rgb([(seed >> 24) as u8, (seed >> 16) as u8, (seed >> 8) as u8])
    });
    let mut big = std::io::Cursor::new(Vec::new());
    noise.write_to(&mut big, image::ImageFormat::Png).unwrap();
    assert!(big.get_ref().len() > 1_500_000);
    let refused = crate::assets::upload(&app, &project, &manager.token, "photo", "big.png", big.get_ref()).await;
    assert_eq!(refused.status, StatusCode::INSUFFICIENT_STORAGE, "{:?}", refused.body);
    assert!(refused.is_problem());
    assert!(refused.body["type"].as_str().unwrap().ends_with("insufficient-storage"), "{:?}", refused.body);
    let left: Vec<_> = walk(&files);
    assert!(left.is_empty(), "partial files left: {left:?}");
    let assets = app.get(&format!("/api/v1/projects/{project}/assets"), &manager.token).await;
    assert_eq!(assets.body, serde_json::json!([]), "no asset for the refused upload");
    // One that fits is stored.
    let small =
        petpixel_server::assets::demo::jpeg(&petpixel_server::assets::demo::photo([200, 140, 60], [120, 180, 240], [80, 170, 70], 64));
    let stored = crate::assets::upload(&app, &project, &manager.token, "photo", "small.jpg", &small).await;
    assert_eq!(stored.status, StatusCode::CREATED, "{:?}", stored.body);
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
