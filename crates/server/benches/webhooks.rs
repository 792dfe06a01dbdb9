//! Webhook delivery figures: `cargo xtask bench webhooks` (release).
//!
//! Against a real `petpixel serve` (SQLite, its worker running) and a fast local receiver in this
//! process:
//! - latency: 1,000 project edits, one every 20 ms, each delivered as `project.updated`; from
//!   commit (the project's `updated_at`, set just before its transaction commits) to the
//!   receiver, median and p99;
//! - throughput: 2,000 edits sent by 8 clients at once; deliveries per second, counted from the
//!   first delivery to the last.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use common::Server;
use serde_json::{json, Value};

/// A delivery as received: the wall-clock time, the monotonic time, the message.
type Received = (DateTime<Utc>, Instant, Value);

/// What the receiver got.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<Received>>>);

impl Log {
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

async fn receiver(log: Log) -> String {
    let hook = move |headers: HeaderMap, body: Bytes| {
        let log = log.clone();
        async move {
            let (wall, now) = (Utc::now(), Instant::now());
            assert!(headers.contains_key("webhook-signature"));
            let message: Value = serde_json::from_slice(&body).unwrap();
            log.0.lock().unwrap().push((wall, now, message));
            "ok"
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, axum::Router::new().route("/hook", axum::routing::post(hook))).await });
    url
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn wait_for(log: &Log, n: usize) {
    let started = Instant::now();
    while log.len() < n {
        assert!(started.elapsed() < Duration::from_secs(300), "only {} of {n} deliveries arrived", log.len());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn main() {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(run());
}

async fn run() {
    let server = Server::start(&[("PETPIXEL_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let log = Log::default();
    let url = receiver(log.clone()).await;
    let (status, endpoint) = server.call("POST", "/api/v1/webhooks", Some(json!({ "url": url, "event_types": ["project.updated"] }))).await;
    assert_eq!(status, 201, "{endpoint}");
    let order = json!({ "customer_name": "Bench", "customer_email": "bench@example.com", "pet_name": "Rex", "package_type": "custom",
        "game_config": { "theme": "space", "difficulty": "medium", "features": [] } });
    let (_, project) = server.call("POST", "/api/v1/projects", Some(order)).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());

    // Latency: paced, so each delivery is on its own.
    const PACED: usize = 1000;
    for i in 0..PACED {
        let due = Instant::now() + Duration::from_millis(20);
        let (status, body) = server.call("PATCH", &path, Some(json!({ "notes": format!("edit {i}") }))).await;
        assert_eq!(status, 200, "{body}");
        tokio::time::sleep_until(due.into()).await;
    }
    wait_for(&log, PACED).await;
    let mut latencies: Vec<f64> = log
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(wall, _, m)| {
            let committed: DateTime<Utc> = serde_json::from_value(m["data"]["updated_at"].clone()).unwrap();
            (*wall - committed).num_microseconds().unwrap() as f64 / 1000.0
        })
        .collect();
    let notes: Vec<String> = log.0.lock().unwrap().iter().map(|(_, _, m)| m["data"]["notes"].as_str().unwrap().to_owned()).collect();
    assert!(notes.iter().enumerate().all(|(i, n)| *n == format!("edit {i}")), "delivered in order");
    latencies.sort_by(f64::total_cmp);
    println!(
        "latency, commit to receiver, {PACED} deliveries one every 20 ms: median {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies[latencies.len() - 1]
    );

    // Throughput: as fast as 8 clients can make changes.
    const BURST: usize = 2000;
    const CLIENTS: usize = 8;
    log.0.lock().unwrap().clear();
    let server = Arc::new(server);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (server, path) = (server.clone(), path.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..BURST / CLIENTS {
                let (status, body) = server.call("PATCH", &path, Some(json!({ "notes": format!("burst {c}-{i}") }))).await;
                assert_eq!(status, 200, "{body}");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let made = started.elapsed();
    wait_for(&log, BURST).await;
    let times: Vec<Instant> = log.0.lock().unwrap().iter().map(|(_, at, _)| *at).collect();
    let span = times[times.len() - 1].duration_since(times[0]).as_secs_f64();
    println!(
        "throughput: {BURST} changes made in {:.2} s ({:.0}/s); delivered in {:.2} s after the first: {:.0} deliveries/s",
        made.as_secs_f64(),
        BURST as f64 / made.as_secs_f64(),
        span,
        (BURST - 1) as f64 / span
    );
    let (_, page) =
        server.call("GET", &format!("/api/v1/webhooks/{}/deliveries?status=pending", endpoint["id"].as_str().unwrap()), None).await;
    assert_eq!(page["total"], 0, "nothing left behind");
}
