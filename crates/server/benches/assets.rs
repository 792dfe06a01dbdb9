//! The asset pipeline's figures: `cargo xtask bench assets` (release).
//!
//! 1. Thumbnail and preview of a 12-megapixel JPEG (4000 × 3000): decode, orient, scale, encode,
//!    as the processing job does; the median of several runs. Target: under 400 ms.
//! 2. 20 uploads of a 5 MB JPEG at once through the API of a real `petpixel serve` (SQLite, the
//!    folder store, its worker running): the time and throughput, and the server's peak resident
//!    memory above its idle level (VmHWM against VmRSS, from /proc), while uploading and then
//!    while processing. Target: under 100 MB above idle.

mod common;

use std::time::{Duration, Instant};

use common::Server;
use http_body_util::{BodyExt, Full};
use petpixel_server::assets::{derive, fixtures, inspect::ImageLimits};
use serde_json::json;

const UPLOADS: usize = 20;

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

async fn uploads() {
    let server = Server::start(&[]).await;
    let pid = server.pid();
    let order = json!({ "customer_name": "Bench", "customer_email": "bench@example.com", "pet_name": "Rex", "package_type": "custom",
        "game_config": { "theme": "space", "difficulty": "easy", "features": [] } });
    let (_, project) = server.call("POST", "/api/v1/projects", Some(order)).await;
    let path = format!("/api/v1/projects/{}/assets", project["id"].as_str().unwrap());

    let photo = five_megabytes();
    let (content_type, body) = Server::upload_body("photo", "rex.jpg", &photo);

    // Idle: after a first request has warmed the process, before any upload.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_kb = status_kb(pid, "VmRSS:");
    let start = Instant::now();
    let sends = (0..UPLOADS).map(|_| {
        let (client, body, uri, token, content_type) =
            (server.client.clone(), body.clone(), format!("{}{path}", server.base), server.token.clone(), content_type.clone());
        tokio::spawn(async move {
            let request = hyper::Request::post(uri)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", content_type)
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
        let (_, list) = server.call("GET", &path, None).await;
        if list.as_array().is_some_and(|l| l.iter().all(|a| a["processing_status"] == "ready")) {
            break;
        }
        assert!(processing.elapsed() < Duration::from_secs(300), "processing did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let processed = processing.elapsed();
    let peak_kb = status_kb(pid, "VmHWM:");
    drop(server);

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
