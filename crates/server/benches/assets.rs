//! The asset pipeline's figures: `cargo xtask bench assets` (release).
//!
//! 1. Thumbnail and preview of a 12-megapixel JPEG (4000 × 3000): decode, orient, scale, encode,
//!    as the processing job does; the median of several runs. Target: under 400 ms.
//! 2. 20 uploads of a 5 MB JPEG at once through the API of a real `petpixel serve` (SQLite, the
//!    folder store, its worker running): the time and throughput, and the server's peak resident
//!    memory above its idle level (VmHWM against VmRSS, from /proc), while uploading and then
//!    while processing. Target: under 100 MB above idle.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use petpixel_server::assets::{derive, fixtures, inspect::ImageLimits};
use serde_json::{json, Value};

const UPLOADS: usize = 20;
const PASSWORD: &str = "bench password 1";

fn main() {
    thumbnail();
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(uploads());
}

fn thumbnail() {
    let photo = fixtures::jpeg(4000, 3000);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &photo).unwrap();
    let limits = ImageLimits { max_side: 12_000, max_pixels: 50_000_000 };
    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let start = Instant::now();
            derive::picture(file.path(), limits).unwrap();
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "thumbnail + preview of a 12 MP JPEG ({:.1} MB): median {:.0} ms, fastest {:.0} ms, slowest {:.0} ms (7 runs)",
        photo.len() as f64 / 1e6,
        times[3].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        times[6].as_secs_f64() * 1e3
    );
}

/// A noisy JPEG of about (not over) 5 MB.
fn five_megabytes() -> Vec<u8> {
    let mut side = 2400u32;
    loop {
        let bytes = fixtures::noisy_jpeg(side, side * 3 / 4);
        if bytes.len() <= 5 * 1024 * 1024 {
            return bytes;
        }
        side -= 100;
    }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)).and_then(|n| n.parse().ok()).unwrap_or(0)
}

async fn call(
    client: &Client<HttpConnector, Full<Bytes>>,
    base: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
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
    let response = client.request(request.body(body).unwrap()).await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

async fn uploads() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let env = [
        ("PETPIXEL_DATA_DIR", dir.path().display().to_string()),
        ("PETPIXEL_BIND", format!("127.0.0.1:{port}")),
        ("PETPIXEL_JWT_SECRET", "bench-secret-bench-secret-bench-secret-0".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ];
    let petpixel = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_petpixel"));
        c.envs(env.iter().cloned()).stdout(Stdio::null());
        c
    };
    assert!(petpixel().args(["create-admin", "--email", "bench@example.com", "--password", PASSWORD]).status().unwrap().success());
    let mut server = petpixel().arg("serve").spawn().unwrap();
    let pid = server.id();
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
    for _ in 0..200 {
        if client.request(hyper::Request::get(format!("{base}/api/health")).body(Full::new(Bytes::new())).unwrap()).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, login) =
        call(&client, &base, "POST", "/api/v1/auth/login", None, Some(json!({ "email": "bench@example.com", "password": PASSWORD }))).await;
    let token = login["access_token"].as_str().unwrap().to_owned();
    let order = json!({ "customer_name": "Bench", "customer_email": "bench@example.com", "pet_name": "Rex", "package_type": "custom",
        "game_config": { "theme": "space", "difficulty": "easy", "features": [] } });
    let (_, project) = call(&client, &base, "POST", "/api/v1/projects", Some(&token), Some(order)).await;
    let path = format!("/api/v1/projects/{}/assets", project["id"].as_str().unwrap());

    let photo = five_megabytes();
    let boundary = "petpixel-bench";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\nphoto\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"rex.jpg\"\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&photo);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let body = Bytes::from(body);

    // Idle: after a first request has warmed the process, before any upload.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kb = status_kb(pid, "VmRSS:");
    let start = Instant::now();
    let sends = (0..UPLOADS).map(|_| {
        let (client, body, uri, token) = (client.clone(), body.clone(), format!("{base}{path}"), token.clone());
        tokio::spawn(async move {
            let request = hyper::Request::post(uri)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", format!("multipart/form-data; boundary={boundary}"))
                .body(Full::new(body))
                .unwrap();
            let response = client.request(request).await.unwrap();
            let status = response.status().as_u16();
            let _ = response.into_body().collect().await;
            status
        })
    });
    let statuses: Vec<u16> = futures::future::join_all(sends).await.into_iter().map(Result::unwrap).collect();
    let took = start.elapsed();
    let upload_peak_kb = status_kb(pid, "VmHWM:");
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");

    // Processing: the worker takes the 20 photos one after another.
    let processing = Instant::now();
    loop {
        let (_, list) = call(&client, &base, "GET", &path, Some(&token), None).await;
        if list.as_array().is_some_and(|l| l.iter().all(|a| a["processing_status"] == "ready")) {
            break;
        }
        assert!(processing.elapsed() < Duration::from_secs(300), "processing did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let processed = processing.elapsed();
    let peak_kb = status_kb(pid, "VmHWM:");
    let _ = server.kill();
    let _ = server.wait();

    let megabytes = (photo.len() * UPLOADS) as f64 / 1e6;
    println!(
        "{UPLOADS} uploads of a {:.2} MB JPEG at once: {:.2} s, {:.0} MB/s, {:.1} uploads/s",
        photo.len() as f64 / 1e6,
        took.as_secs_f64(),
        megabytes / took.as_secs_f64(),
        UPLOADS as f64 / took.as_secs_f64()
    );
    println!(
        "server memory: idle {:.0} MB; peak while uploading {:.0} MB ({:+.0} MB); peak while processing the {UPLOADS} photos ({:.1} s) {:.0} MB ({:+.0} MB)",
        idle_kb as f64 / 1024.0,
        upload_peak_kb as f64 / 1024.0,
        (upload_peak_kb as f64 - idle_kb as f64) / 1024.0,
        processed.as_secs_f64(),
        peak_kb as f64 / 1024.0,
        (peak_kb as f64 - idle_kb as f64) / 1024.0
    );
}
