//! The game builder's figures: `cargo xtask bench builds` (release).
//!
//! Against a real `petpixel serve` (SQLite, the folder store, its worker running), a project with
//! ten assets (a 1024 px cut-out, a 12-megapixel backdrop, six 12-megapixel photos, two sounds):
//! the time from `POST /builds` to ready for each template (target: under 5 s), and each
//! template's bundle: the engine (WASM + glue) and everything, raw and gzipped.

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::Server;
use http_body_util::Full;
use hyper::body::Bytes;
use petpixel_server::assets::{demo, fixtures};
use serde_json::{json, Value};

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

async fn upload(server: &Server, path: &str, asset_type: &str, name: &str, file: &[u8]) -> String {
    let (content_type, body) = Server::upload_body(asset_type, name, file);
    let request = hyper::Request::post(format!("{}{path}", server.base))
        .header("authorization", format!("Bearer {}", server.token))
        .header("content-type", content_type)
        .body(Full::new(body))
        .unwrap();
    let (status, bytes) = server.send(request).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&bytes));
    serde_json::from_slice::<Value>(&bytes).unwrap()["id"].as_str().unwrap().to_owned()
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap().len()
}

async fn run() {
    let server = Server::start(&[("PETPIXEL_JOB_POLL_MS", "100")]).await;
    let order = json!({ "customer_name": "Bench", "customer_email": "bench@example.com", "pet_name": "Rex", "package_type": "premium",
        "game_config": { "theme": "space", "difficulty": "medium", "features": [] } });
    let (_, project) = server.call("POST", "/api/v1/projects", Some(order)).await;
    let project = project["id"].as_str().unwrap().to_owned();
    let assets = format!("/api/v1/projects/{project}/assets");

    let fur = [200, 140, 80];
    let hero = upload(&server, &assets, "sprite", "rex.png", &demo::png(&demo::sprite(fur, 1024))).await;
    let backdrop =
        upload(&server, &assets, "background", "park.jpg", &demo::jpeg(&demo::backdrop([140, 200, 255], [90, 170, 90], 4000, 2250))).await;
    let mut photos = Vec::new();
    for i in 0..6 {
        photos.push(upload(&server, &assets, "photo", &format!("rex-{i}.jpg"), &fixtures::jpeg(4000, 3000)).await);
    }
    let jump = upload(&server, &assets, "sound", "jump.wav", &demo::chirp(500.0, 900.0, 400)).await;
    let treat = upload(&server, &assets, "sound", "treat.wav", &demo::chirp(900.0, 1400.0, 250)).await;
    let started = Instant::now();
    loop {
        let (_, list) = server.call("GET", &assets, None).await;
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
            let body = json!({ "template": template, "slots": slots });
            let (status, queued) = server.call("POST", &format!("/api/v1/projects/{project}/builds"), Some(body)).await;
            assert_eq!(status, 202, "{queued}");
            let id = queued["id"].as_str().unwrap().to_owned();
            loop {
                let (_, build) = server.call("GET", &format!("/api/v1/builds/{id}"), None).await;
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
            let (status, bytes) = server.send(hyper::Request::get(format!("{preview}{name}")).body(Full::new(Bytes::new())).unwrap()).await;
            assert_eq!(status, 200, "{name}");
            let gz = gzip_len(&bytes);
            if name.ends_with(".wasm") || name.ends_with(".js") {
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
}
