//! Several `petpixel serve` processes as one service: the real binary, twice, on one database and
//! one Redis channel. What one process changes, the other's caches forget at once.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use serde_json::{json, Value};

use crate::support::{TestApp, TestDatabase, PASSWORD};

const SECRET: &str = "processes-test-secret-processes-test-secret";

/// One `petpixel serve` child process, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn petpixel(env: &[(&str, String)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_petpixel"));
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("RUST_LOG", "warn");
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

async fn serve(env: &[(&str, String)]) -> Process {
    let port = free_port();
    let child = petpixel(env)
        .arg("serve")
        .env("PETPIXEL_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let process = Process { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = Instant::now() + Duration::from_secs(30);
    while call(&process, Method::GET, "/api/health", None, None).await.0 != StatusCode::OK {
        assert!(Instant::now() < deadline, "{} did not come up", process.base);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    process
}

async fn call(process: &Process, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> (StatusCode, Value) {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let mut request = hyper::Request::builder().method(method).uri(format!("{}{path}", process.base));
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(v) => {
            request = request.header("content-type", "application/json");
            Full::new(Bytes::from(serde_json::to_vec(&v).unwrap()))
        }
        None => Full::new(Bytes::new()),
    };
    let Ok(response) = client.request(request.body(body).unwrap()).await else { return (StatusCode::SERVICE_UNAVAILABLE, Value::Null) };
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn login(process: &Process, email: &str) -> String {
    let (status, body) =
        call(process, Method::POST, "/api/v1/auth/login", None, Some(json!({ "email": email, "password": PASSWORD }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

/// Two `petpixel serve` processes on one database (a SQLite file, or a PostgreSQL schema) and
/// one Redis channel, with an admin logged in on A; `extra` settings on both.
struct Pair {
    a: Process,
    b: Process,
    admin: String,
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

async fn two_processes(redis: String, extra: Vec<(&'static str, String)>) -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(Some(&dir.path().join("studio.db"))).await;
    let mut env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
        ("PETPIXEL_JWT_SECRET", SECRET.to_owned()),
        ("REDIS_URL", redis),
        ("PETPIXEL_EVENTS_CHANNEL", format!("petpixel:test:{}", uuid::Uuid::now_v7().simple())),
    ];
    env.extend(extra);
    let status = petpixel(&env).args(["create-admin", "--email", "admin@studio.example", "--password", PASSWORD]).status().unwrap();
    assert!(status.success());
    let a = serve(&env).await;
    let b = serve(&env).await;
    let admin = login(&a, "admin@studio.example").await;
    Pair { a, b, admin, _database: database, _dir: dir }
}

/// Iris, an artist, added through `process`.
async fn add_artist(process: &Process, admin: &str) -> Value {
    let (status, artist) = call(
        process,
        Method::POST,
        "/api/v1/users",
        Some(admin),
        Some(json!({ "email": "iris@studio.example", "password": PASSWORD, "first_name": "Iris", "role": "artist" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{artist}");
    artist
}

async fn total(process: &Process, token: &str) -> u64 {
    // A full first page: its total is counted (or taken from the cache), not seen.
    let (status, body) = call(process, Method::GET, "/api/v1/projects?limit=1", Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn what_one_process_changes_the_others_caches_forget_at_once() {
    let Ok(redis) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("TEST_REDIS_URL is not set: the two-process test runs in .ci/run");
        return;
    };
    let Pair { a, b, admin, _database, _dir } = two_processes(redis, vec![("PETPIXEL_WORKER", "false".to_owned())]).await;

    // The list's total, cached on A, follows a project made on B.
    for _ in 0..2 {
        assert_eq!(call(&b, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({})))).await.0, StatusCode::CREATED);
    }
    assert_eq!((total(&a, &admin).await, total(&a, &admin).await), (2, 2));
    assert_eq!(call(&b, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({})))).await.0, StatusCode::CREATED);
    assert_eq!(total(&a, &admin).await, 3, "A counts the project B made");

    // A project, cached on A, changed on B: A shows the change, in the project and in its list.
    let (_, page) = call(&a, Method::GET, "/api/v1/projects?limit=1", Some(&admin), None).await;
    let path = format!("/api/v1/projects/{}", page["items"][0]["id"].as_str().unwrap());
    assert_eq!(call(&a, Method::GET, &path, Some(&admin), None).await.1["pet_name"], "Buttercup");
    let (status, body) = call(&b, Method::PATCH, &path, Some(&admin), Some(json!({ "pet_name": "Biscuit" }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(call(&a, Method::GET, &path, Some(&admin), None).await.1["pet_name"], "Biscuit");
    let (_, page) = call(&a, Method::GET, "/api/v1/projects?limit=1", Some(&admin), None).await;
    assert_eq!(page["items"][0]["pet_name"], "Biscuit");

    // An artist with a session and an API token, each seen (so cached) by both processes.
    let artist = add_artist(&a, &admin).await;
    let session = login(&b, "iris@studio.example").await;
    let (status, created) =
        call(&b, Method::POST, "/api/v1/api-tokens", Some(&session), Some(json!({ "name": "sketchbook", "scopes": ["projects:read"] })))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let api_token = created["secret"].as_str().unwrap().to_owned();
    let other_session = login(&a, "iris@studio.example").await;
    for process in [&a, &b] {
        for token in [&session, &api_token, &other_session] {
            assert_eq!(call(process, Method::GET, "/api/v1/projects", Some(token), None).await.0, StatusCode::OK);
        }
    }

    // A logout on B: the very next request on A is refused; the other session goes on.
    assert_eq!(call(&b, Method::POST, "/api/v1/auth/logout", Some(&session), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&a, Method::GET, "/api/v1/projects", Some(&session), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call(&a, Method::GET, "/api/v1/projects", Some(&other_session), None).await.0, StatusCode::OK);

    // Deactivation on A: the next requests on B, with the session and with the API token, fail.
    let path = format!("/api/v1/users/{}", artist["id"].as_str().unwrap());
    let (status, body) = call(&a, Method::PATCH, &path, Some(&admin), Some(json!({ "active": false }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(&b, Method::GET, "/api/v1/projects", Some(&other_session), None).await;
    assert_eq!((status, body["detail"].as_str()), (StatusCode::UNAUTHORIZED, Some("This account has been deactivated.")));
    // Deactivation also revoked the token.
    let (status, body) = call(&b, Method::GET, "/api/v1/projects", Some(&api_token), None).await;
    assert_eq!((status, body["detail"].as_str()), (StatusCode::UNAUTHORIZED, Some("The API token is invalid, expired or revoked.")));

    // A game address A has looked up (and so keeps in memory) changes on B: A answers the change
    // at once, not when its memory expires.
    let (_, page) = call(&a, Method::GET, "/api/v1/projects?limit=1", Some(&admin), None).await;
    let project = page["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(call(&a, Method::GET, "/g/biscuit-elsewhere", None, None).await.0, StatusCode::NOT_FOUND);
    let (status, url) =
        call(&b, Method::POST, &format!("/api/v1/projects/{project}/urls"), Some(&admin), Some(json!({ "slug": "biscuit-elsewhere" })))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{url}");
    let path = format!("/api/v1/urls/{}", url["id"].as_str().unwrap());
    assert_eq!(call(&b, Method::DELETE, &path, Some(&admin), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(call(&a, Method::GET, "/g/biscuit-elsewhere", None, None).await.0, StatusCode::GONE, "A forgot what it knew");
    drop((a, b));
}

/// A multipart upload of one file to a process.
async fn upload(process: &Process, token: &str, path: &str, asset_type: &str, filename: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let boundary = "petpixel-process-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\n{asset_type}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    let request = hyper::Request::builder()
        .method(Method::POST)
        .uri(format!("{}{path}", process.base))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Waits until the asset's processing status is `want`.
async fn asset_reaches(process: &Process, token: &str, id: &str, want: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, asset) = call(process, Method::GET, &format!("/api/v1/assets/{id}"), Some(token), None).await;
        if asset["processing_status"] == want {
            return asset;
        }
        assert!(Instant::now() < deadline, "the asset never became {want}: {asset}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_server_killed_while_processing_an_asset_finishes_it_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(Some(&dir.path().join("studio.db"))).await;
    let png = dir.path().join("converted.png");
    std::fs::write(&png, petpixel_server::assets::fixtures::png(120, 90)).unwrap();
    // The first server's HEIC converter hangs, so it is surely mid-job when it is killed; the
    // second's "converts" by copying a PNG, so the test needs no libheif.
    let hangs = script(dir.path(), "hangs", "exec sleep 20");
    let converts = script(dir.path(), "converts", &format!("cp '{}' \"$2\"", png.display()));
    let env = |converter: &str| {
        vec![
            ("DATABASE_URL", database.url.clone()),
            ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
            ("PETPIXEL_JWT_SECRET", SECRET.to_owned()),
            ("PETPIXEL_HEIF_CONVERT", converter.to_owned()),
            ("PETPIXEL_JOB_LEASE_SECS", "2".to_owned()),
            ("PETPIXEL_JOB_POLL_MS", "100".to_owned()),
        ]
    };
    let status = petpixel(&env(&hangs)).args(["create-admin", "--email", "admin@studio.example", "--password", PASSWORD]).status().unwrap();
    assert!(status.success());

    let mut first = serve(&env(&hangs)).await;
    let admin = login(&first, "admin@studio.example").await;
    let (_, project) = call(&first, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({})))).await;
    let path = format!("/api/v1/projects/{}/assets", project["id"].as_str().unwrap());
    let (status, asset) = upload(&first, &admin, &path, "photo", "phone.heic", petpixel_server::assets::fixtures::HEIC).await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    let id = asset["id"].as_str().unwrap().to_owned();
    asset_reaches(&first, &admin, &id, "processing").await;

    // SIGKILL: no shutdown, no cleanup; the job stays claimed under a lease that runs out.
    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = serve(&env(&converts)).await;
    let asset = asset_reaches(&second, &admin, &id, "ready").await;
    assert_eq!((asset["metadata"]["width"].as_u64(), asset["metadata"]["height"].as_u64()), (Some(120), Some(90)), "{asset}");
    assert!(asset["thumbnail_url"].is_string());
}

/// Polls `path` until its `status` is one of `done`.
async fn until(process: &Process, token: &str, path: &str, done: &[&str]) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, body) = call(process, Method::GET, path, Some(token), None).await;
        if done.iter().any(|d| body["status"] == *d || body["processing_status"] == *d) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path} never got to {done:?}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn views_counted_in_memory_are_written_when_the_server_stops_gracefully() {
    use petpixel_server::assets::demo;
    use sea_orm::{ConnectionTrait, Statement};

    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(Some(&dir.path().join("studio.db"))).await;
    let env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
        ("PETPIXEL_JWT_SECRET", SECRET.to_owned()),
        ("PETPIXEL_JOB_POLL_MS", "100".to_owned()),
        // Only the stop writes them.
        ("PETPIXEL_VIEW_FLUSH_SECS", "3600".to_owned()),
    ];
    assert!(petpixel(&env).args(["create-admin", "--email", "admin@studio.example", "--password", PASSWORD]).status().unwrap().success());
    let mut server = serve(&env).await;
    let admin = login(&server, "admin@studio.example").await;
    let (_, project) = call(&server, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({})))).await;
    let project = project["id"].as_str().unwrap().to_owned();
    let assets = format!("/api/v1/projects/{project}/assets");
    let (_, hero) = upload(&server, &admin, &assets, "sprite", "rex.png", &demo::png(&demo::sprite([200, 140, 80], 256))).await;
    let backdrop = demo::jpeg(&demo::backdrop([140, 200, 255], [90, 170, 90], 1280, 720));
    let (_, background) = upload(&server, &admin, &assets, "background", "park.jpg", &backdrop).await;
    for asset in [&hero, &background] {
        asset_reaches(&server, &admin, asset["id"].as_str().unwrap(), "ready").await;
    }
    let slots = json!({ "hero": hero["id"], "background": background["id"] });
    let (status, build) = call(
        &server,
        Method::POST,
        &format!("/api/v1/projects/{project}/builds"),
        Some(&admin),
        Some(json!({ "template": "runner", "slots": slots })),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{build}");
    let build = until(&server, &admin, &format!("/api/v1/builds/{}", build["id"].as_str().unwrap()), &["ready", "failed"]).await;
    assert_eq!(build["status"], "ready", "{build}");
    let (_, url) =
        call(&server, Method::POST, &format!("/api/v1/projects/{project}/urls"), Some(&admin), Some(json!({ "slug": "rex-counted" })))
            .await;
    let deploy = format!("/api/v1/urls/{}/deploy", url["id"].as_str().unwrap());
    assert_eq!(call(&server, Method::POST, &deploy, Some(&admin), Some(json!({ "build_id": build["id"] }))).await.0, StatusCode::OK);

    let views = futures::future::join_all((0..37).map(|_| call(&server, Method::GET, "/g/rex-counted", None, None))).await;
    assert!(views.iter().all(|(status, _)| *status == StatusCode::OK));
    let conn = sea_orm::Database::connect(&database.url).await.unwrap();
    let count = |conn: &sea_orm::DatabaseConnection| {
        let sql = "SELECT view_count FROM game_urls WHERE url_slug = 'rex-counted'";
        let conn = conn.clone();
        async move {
            let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get_by_index::<i64>(0).unwrap()
        }
    };
    assert_eq!(count(&conn).await, 0, "nothing written per view");

    // SIGTERM: the server finishes what is in flight, then writes what it counted.
    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the server did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(count(&conn).await, 37, "every view written at the stop");
    let daily = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), "SELECT CAST(SUM(views) AS BIGINT) FROM url_daily_views"))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(daily, 37);
}

#[tokio::test]
async fn the_hub_and_the_outbox_act_as_one_service_across_processes() {
    let Ok(redis) = std::env::var("TEST_REDIS_URL") else {
        eprintln!("TEST_REDIS_URL is not set: the two-process test runs in .ci/run");
        return;
    };
    if !crate::smtp::available() {
        return;
    }
    let sink = crate::smtp::Sink::start(crate::smtp::free_port()).await;
    let extra = vec![
        ("PETPIXEL_JOB_POLL_MS", "20".to_owned()),
        ("SMTP_URL", format!("smtp://127.0.0.1:{}", sink.port)),
        // A retry (which could send twice) comes within the wait below.
        ("PETPIXEL_JOB_RETRY_BASE_SECS", "1".to_owned()),
    ];
    let Pair { a, b, admin, _database, _dir } = two_processes(redis, extra).await;
    let artist = add_artist(&a, &admin).await;
    let iris = login(&b, "iris@studio.example").await;
    let (_, project) = call(&a, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({ "pet_name": "Olive" })))).await;
    let project_id = project["id"].as_str().unwrap().to_owned();

    // Iris is connected to B; the admin works through A.
    let Some(mut probe) = crate::probe::start(&b.base).await else { return };
    probe.connect("iris", Some(&iris)).await.unwrap();
    assert_eq!(probe.subscribe("iris", &project_id).await["ok"], true);
    let path = format!("/api/v1/projects/{project_id}");
    let (status, _) = call(&a, Method::PUT, &format!("{path}/assignee"), Some(&admin), Some(json!({ "artist_id": artist["id"] }))).await;
    assert_eq!(status, StatusCode::OK);
    let told = probe.event("iris", "notification", |n| n["kind"] == "assigned").await.expect("B's client hears what A did");
    assert_eq!(told["project_id"], project_id.as_str());
    let (status, _) = call(&a, Method::PUT, &format!("{path}/status"), Some(&admin), Some(json!({ "status": "in_progress" }))).await;
    assert_eq!(status, StatusCode::OK);
    let moved = probe.event("iris", "project:updated", |p| p["status"] == "in_progress").await.expect("project:updated");
    assert_eq!(moved["pet_name"], "Olive");
    assert!(probe.event("iris", "activity", |e| e["action"] == "project.status_changed").await.is_some());
    // Once each, though both processes hear every event.
    assert!(!probe.hears("iris", "project:updated", Duration::from_millis(500), |p| p["status"] == "in_progress").await, "delivered once");

    // Messages sent through both processes: both workers race for the outbox, each e-mail goes
    // out once.
    for i in 0..12 {
        let through = if i % 2 == 0 { &a } else { &b };
        let (status, body) = call(
            through,
            Method::POST,
            "/api/v1/notifications",
            Some(&admin),
            Some(json!({ "user_id": artist["id"], "title": format!("Message {i}") })),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // The assignment's e-mail too (status changes are not e-mailed by default).
    let received = sink.wait_for(13, Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let received = if received.len() == 13 { sink.messages() } else { received };
    assert_eq!(received.len(), 13, "{received:#?}");
    let mut subjects: Vec<String> =
        received.iter().filter_map(|m| m.lines().find_map(|l| l.strip_prefix("Subject: ").map(str::to_owned))).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 13, "each message once: {subjects:?}");
    let (_, sent) = call(&b, Method::GET, "/api/v1/emails?status=sent", Some(&admin), None).await;
    assert_eq!(sent["total"], 13);
    probe.close().await;
    drop((a, b));
}

/// A process's resident memory and its peak so far, in bytes (Linux).
fn memory(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok()).unwrap() * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The acceptance of the pipeline's review: an hour of silence in a 7.8 MB OGG whose pages claim
/// one second, recorded as lasting one second (as an upload before measuring left it), fails its
/// build naming the slot, and the real server's peak memory stays within 200 MB of its idle size
/// (decoded, it is a 635 MB WAV, and was held twice).
#[tokio::test]
async fn a_lying_sound_fails_its_build_within_bounded_memory() {
    use petpixel_server::assets::{demo, fixtures};

    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(Some(&dir.path().join("studio.db"))).await;
    let env = vec![
        ("DATABASE_URL", database.url.clone()),
        ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
        ("PETPIXEL_JWT_SECRET", SECRET.to_owned()),
        ("PETPIXEL_JOB_POLL_MS", "100".to_owned()),
    ];
    assert!(petpixel(&env).args(["create-admin", "--email", "admin@studio.example", "--password", PASSWORD]).status().unwrap().success());
    let server = serve(&env).await;
    let admin = login(&server, "admin@studio.example").await;
    let (_, project) = call(&server, Method::POST, "/api/v1/projects", Some(&admin), Some(TestApp::order(json!({})))).await;
    let assets = format!("/api/v1/projects/{}/assets", project["id"].as_str().unwrap());
    let liar = fixtures::vorbis(3600.0, 1.0);
    assert!(liar.len() < 10 << 20, "{} bytes, under the upload limit", liar.len());
    let (status, sound) = upload(&server, &admin, &assets, "sound", "hour.ogg", &liar).await;
    assert_eq!(status, StatusCode::CREATED, "{sound}");
    let (_, hero) = upload(&server, &admin, &assets, "sprite", "rex.png", &demo::png(&demo::sprite([200, 140, 80], 256))).await;
    for asset in [&sound, &hero] {
        asset_reaches(&server, &admin, asset["id"].as_str().unwrap(), "ready").await;
    }
    // What an upload from before measuring recorded: the length the file declares.
    {
        use petpixel_server::entities::{asset_versions, project_assets};
        use sea_orm::{sea_query::Expr, ColumnTrait, EntityTrait, QueryFilter};
        let conn = sea_orm::Database::connect(&database.url).await.unwrap();
        let id: uuid::Uuid = sound["id"].as_str().unwrap().parse().unwrap();
        let claims = json!({ "duration_seconds": 1.0, "sample_rate": 44_100, "channels": 2 });
        let updated = project_assets::Entity::update_many()
            .col_expr(project_assets::Column::Metadata, Expr::value(claims.clone()))
            .filter(project_assets::Column::Id.eq(id))
            .exec(&conn)
            .await
            .unwrap();
        assert_eq!(updated.rows_affected, 1);
        asset_versions::Entity::update_many()
            .col_expr(asset_versions::Column::Metadata, Expr::value(claims))
            .filter(asset_versions::Column::AssetId.eq(id))
            .exec(&conn)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (idle, _) = memory(server.child.id());
    let slots = json!({ "hero": hero["id"], "jump_sound": sound["id"] });
    let body = json!({ "template": "runner", "slots": slots });
    let (status, build) =
        call(&server, Method::POST, &format!("/api/v1/projects/{}/builds", project["id"].as_str().unwrap()), Some(&admin), Some(body))
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{build}");
    let build = until(&server, &admin, &format!("/api/v1/builds/{}", build["id"].as_str().unwrap()), &["ready", "failed"]).await;
    let (_, peak) = memory(server.child.id());
    assert_eq!(build["status"], "failed", "{build}");
    assert_eq!(build["failures"][0]["slot"], "jump_sound", "{build}");
    assert!(build["error"].as_str().unwrap().contains("jump_sound"), "{build}");
    let above = peak.saturating_sub(idle);
    eprintln!("idle {} MB, peak {} MB, {} MB above idle", idle >> 20, peak >> 20, above >> 20);
    assert!(above < 200 << 20, "peak {} MB above an idle {} MB", above >> 20, idle >> 20);
}
