//! The game builder's figures: `cargo xtask bench builds` (release).
//!
//! Against a real `petpixel serve` (SQLite, the folder store, its worker running), a project with
//! ten assets (a 1024 px cut-out, a 12-megapixel backdrop, six 12-megapixel photos, two sounds):
//! the time from `POST /builds` to ready for each template (target: under 5 s), and each
//! template's bundle: the engine (WASM + glue) and everything, raw and gzipped.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use petpixel_server::assets::{demo, fixtures};
use serde_json::{json, Value};

const PASSWORD: &str = "bench password 1";
type Http = Client<HttpConnector, Full<Bytes>>;

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

async fn send(client: &Http, request: hyper::Request<Full<Bytes>>) -> (u16, Bytes) {
    let response = client.request(request).await.unwrap();
    let status = response.status().as_u16();
    (status, response.into_body().collect().await.unwrap().to_bytes())
}

async fn call(client: &Http, base: &str, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
    let mut request = hyper::Request::builder().method(method).uri(format!("{base}{path}"));
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
    let (status, bytes) = send(client, request.body(body).unwrap()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn upload(client: &Http, base: &str, path: &str, token: &str, asset_type: &str, name: &str, file: &[u8]) -> String {
    let boundary = "petpixel-bench";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\n{asset_type}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = hyper::Request::post(format!("{base}{path}"))
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let (status, bytes) = send(client, request).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
    serde_json::from_slice::<Value>(&bytes).unwrap()["id"].as_str().unwrap().to_owned()
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let env = [
        ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
        ("PETPIXEL_BIND", format!("127.0.0.1:{port}")),
        ("PETPIXEL_JWT_SECRET", "bench-secret-bench-secret-bench-secret-0".to_owned()),
        ("PETPIXEL_JOB_POLL_MS", "100".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    let petpixel = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_petpixel"));
        c.envs(env.iter().cloned()).stdout(Stdio::null());
        c
    };
    assert!(petpixel().args(["create-admin", "--email", "bench@example.com", "--password", PASSWORD]).status().unwrap().success());
    let mut server = petpixel().arg("serve").spawn().unwrap();
    let client: Http = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    for _ in 0..200 {
        if client.request(hyper::Request::get(format!("{base}/api/health")).body(Full::new(Bytes::new())).unwrap()).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, login) =
        call(&client, &base, "POST", "/api/v1/auth/login", None, Some(json!({ "email": "bench@example.com", "password": PASSWORD }))).await;
    let token = login["access_token"].as_str().unwrap().to_owned();
    let order = json!({ "customer_name": "Bench", "customer_email": "bench@example.com", "pet_name": "Rex", "package_type": "premium",
        "game_config": { "theme": "space", "difficulty": "medium", "features": [] } });
    let (_, project) = call(&client, &base, "POST", "/api/v1/projects", Some(&token), Some(order)).await;
    let project = project["id"].as_str().unwrap().to_owned();
    let assets = format!("/api/v1/projects/{project}/assets");

    let fur = [200, 140, 80];
    let hero = upload(&client, &base, &assets, &token, "sprite", "rex.png", &demo::png(&demo::sprite(fur, 1024))).await;
    let backdrop = upload(
        &client,
        &base,
        &assets,
        &token,
        "background",
        "park.jpg",
        &demo::jpeg(&demo::backdrop([140, 200, 255], [90, 170, 90], 4000, 2250)),
    )
    .await;
    let mut photos = Vec::new();
    for i in 0..6 {
        photos.push(upload(&client, &base, &assets, &token, "photo", &format!("rex-{i}.jpg"), &fixtures::jpeg(4000, 3000)).await);
    }
    let jump = upload(&client, &base, &assets, &token, "sound", "jump.wav", &demo::chirp(500.0, 900.0, 400)).await;
    let treat = upload(&client, &base, &assets, &token, "sound", "treat.wav", &demo::chirp(900.0, 1400.0, 250)).await;
    let started = Instant::now();
    loop {
        let (_, list) = call(&client, &base, "GET", &assets, Some(&token), None).await;
        if list.as_array().is_some_and(|l| l.len() == 10 && l.iter().all(|a| a["processing_status"] == "ready")) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(300), "processing did not finish: {list}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for (template, slots) in [
        ("runner", json!({ "hero": hero, "background": backdrop, "jump_sound": jump, "music": treat })),
        ("catcher", json!({ "hero": hero, "background": backdrop, "treat": hero, "bath_item": hero, "catch_sound": treat })),
        ("memory", json!({ "photo": photos[0], "card_back": photos[1], "flip_sound": jump })),
    ] {
        let mut times = Vec::new();
        let mut last = Value::Null;
        for _ in 0..3 {
            let start = Instant::now();
            let (status, queued) = call(
                &client,
                &base,
                "POST",
                &format!("/api/v1/projects/{project}/builds"),
                Some(&token),
                Some(json!({ "template": template, "slots": slots })),
            )
            .await;
            assert_eq!(status, 202, "{queued}");
            let id = queued["id"].as_str().unwrap().to_owned();
            loop {
                let (_, build) = call(&client, &base, "GET", &format!("/api/v1/builds/{id}"), Some(&token), None).await;
                if build["status"] == "ready" {
                    times.push(start.elapsed());
                    last = build;
                    break;
                }
                assert_ne!(build["status"], "failed", "{build}");
                assert!(start.elapsed() < Duration::from_secs(60), "the build did not finish");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        times.sort();
        let (mut engine, mut engine_gz, mut total, mut total_gz) = (0, 0, 0, 0);
        let preview = last["preview_url"].as_str().unwrap().to_owned();
        for file in last["files"].as_array().unwrap() {
            let name = file["name"].as_str().unwrap();
            let (status, bytes) =
                send(&client, hyper::Request::get(format!("{preview}{name}")).body(Full::new(Bytes::new())).unwrap()).await;
            assert_eq!(status, 200, "{name}");
            let gz = gzip_len(&bytes);
            if name.ends_with(".wasm") || (name.ends_with(".js")) {
                engine += bytes.len();
                engine_gz += gz;
            }
            total += bytes.len();
            total_gz += gz;
        }
        println!(
            "{template}: build to ready median {:.2} s (fastest {:.2} s, slowest {:.2} s, 3 builds); engine {} KB ({} KB gzipped), bundle {} KB ({} KB gzipped), {} files",
            times[1].as_secs_f64(),
            times[0].as_secs_f64(),
            times[2].as_secs_f64(),
            engine / 1024,
            engine_gz / 1024,
            total / 1024,
            total_gz / 1024,
            last["files"].as_array().unwrap().len()
        );
    }
    let _ = server.kill();
    let _ = server.wait();
}
