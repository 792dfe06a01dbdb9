//! The topology's parts failing under it: a replica killed mid-write, PostgreSQL, Redis and the S3
//! server gone and back. Each says what users see meanwhile and that the service recovers alone.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{order, Reply, TestCluster, Through};

/// Every project in the list, by pet name (counting duplicates).
async fn pets(t: &TestCluster, base: &str) -> HashMap<String, Vec<String>> {
    let mut pets: HashMap<String, Vec<String>> = HashMap::new();
    for offset in (0..).step_by(100) {
        let (status, page) = t.send(Method::GET, base, &format!("/api/v1/projects?limit=100&offset={offset}&sort=created_at"), None).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        for p in items {
            pets.entry(p["pet_name"].as_str().unwrap().to_owned()).or_default().push(p["id"].as_str().unwrap().to_owned());
        }
        if items.len() < 100 {
            break;
        }
    }
    pets
}

/// Polls `path` on `base` until it answers 200, for at most `within`.
async fn until_ok(t: &TestCluster, base: &str, path: &str, within: Duration) -> Duration {
    let start = Instant::now();
    loop {
        if let Ok(reply) = t.request(t.http.get(format!("{base}{path}")), None).await {
            if reply.status == 200 {
                return start.elapsed();
            }
        }
        assert!(start.elapsed() < within, "{base}{path} did not recover within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn assert_problem(reply: &Reply, status: u16, what: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.body);
    let content_type = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(content_type, "application/problem+json", "{what}");
    assert!(reply.body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{what}: {}", reply.body);
}

/// A create whose replica dies between its commit and keeping its answer has marked its key
/// applied in the same commit: the retry is pointed at the project (303, which the client follows)
/// and does not make it again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_under_writes_loses_nothing_acknowledged_and_duplicates_nothing() {
    killed_under_writes().await;
}

async fn killed_under_writes() {
    let Some(t) = TestCluster::start(3).await else { return };
    let t = std::sync::Arc::new(tokio::sync::Mutex::new(t));
    let (url, http, token) = {
        let t = t.lock().await;
        (t.cluster.url.clone(), t.http.clone(), t.token.clone())
    };
    const WRITERS: usize = 4;
    const EACH: usize = 60;
    // Each writer creates its projects one after another, retrying a failed or unanswered create
    // with the same Idempotency-Key until it is acknowledged, as a careful client does.
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, http, token) = (url.clone(), http.clone(), token.clone());
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let mut retries = 0;
                for n in 0..EACH {
                    let pet = format!("Pet {w}-{n}");
                    let key = format!("kill-test-{w}-{n}");
                    loop {
                        let sent = http
                            .post(format!("{url}/api/v1/projects"))
                            .bearer_auth(&token)
                            .header("Idempotency-Key", &key)
                            .json(&order(&pet))
                            .send()
                            .await;
                        match sent {
                            // 201, or the project a lost answer's retry was sent to (303, followed).
                            Ok(r) if r.status().as_u16() == 201 || r.status().as_u16() == 200 => {
                                if r.status().as_u16() == 200 {
                                    eprintln!("{pet}: its first answer was lost; the retry was sent to {}", r.url().path());
                                }
                                let body: Value = r.json().await.unwrap();
                                acknowledged.push((pet, body["id"].as_str().unwrap().to_owned()));
                                break;
                            }
                            Ok(r) if r.status().is_client_error() && r.status().as_u16() != 409 => {
                                panic!("{pet}: {} {}", r.status(), r.text().await.unwrap_or_default())
                            }
                            // 502 from nginx, a 5xx, 409 (the same key still in flight), or no answer.
                            _ => {
                                retries += 1;
                                assert!(retries < 2_000, "writer {w} keeps failing");
                                tokio::time::sleep(Duration::from_millis(50)).await;
                            }
                        }
                    }
                }
                (acknowledged, retries)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(700)).await;
    {
        let mut t = t.lock().await;
        t.cluster.kill(1).unwrap();
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    {
        let mut t = t.lock().await;
        tokio::task::block_in_place(|| t.cluster.restart(1)).unwrap();
    }
    let mut acknowledged = Vec::new();
    let mut retries = 0;
    for writer in writers {
        let (a, r) = writer.await.unwrap();
        acknowledged.extend(a);
        retries += r;
    }
    let t = t.lock().await;
    assert_eq!(acknowledged.len(), WRITERS * EACH);
    // Every replica, the restarted one included, lists each project exactly once.
    for replica in 0..t.cluster.replicas() {
        let pets = pets(&t, &t.cluster.replica_url(replica)).await;
        let duplicated: Vec<_> = pets.iter().filter(|(_, ids)| ids.len() > 1).collect();
        assert!(duplicated.is_empty(), "replica {}: duplicates {duplicated:?}", replica + 1);
        for (pet, id) in &acknowledged {
            let listed = pets.get(pet).is_some_and(|ids| ids.contains(id));
            assert!(listed, "replica {}: {pet}, acknowledged as {id}, is not listed", replica + 1);
        }
        assert_eq!(pets.len(), WRITERS * EACH, "replica {}", replica + 1);
    }
    eprintln!("{} creates acknowledged after {retries} retries while a replica was killed and restarted", acknowledged.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_postgresql_gone_requests_answer_503_within_a_second_and_recover_alone() {
    let Some(t) = TestCluster::start_with(2, Through { database: true, redis: false }).await else { return };
    let before = t.create_project("Before").await;
    let proxy = t.database_proxy.as_ref().unwrap();
    proxy.down().await;
    for replica in 0..t.cluster.replicas() {
        let base = t.cluster.replica_url(replica);
        for attempt in 0..3 {
            // A page no cache holds, and a write.
            let started = Instant::now();
            let read = t.request(t.http.get(format!("{base}/api/v1/projects?q=gone-{replica}-{attempt}")), None).await.unwrap();
            let read_took = started.elapsed();
            let started = Instant::now();
            let write = t.request(t.http.post(format!("{base}/api/v1/projects")), Some(order("During"))).await.unwrap();
            let write_took = started.elapsed();
            for (reply, took, what) in [(&read, read_took, "read"), (&write, write_took, "write")] {
                assert_problem(reply, 503, what);
                assert!(reply.headers.contains_key("retry-after"), "{what}: no Retry-After");
                assert!(took < Duration::from_millis(1_000), "replica {} {what} took {took:?}", replica + 1);
            }
        }
        let (status, health) = t.send(Method::GET, &base, "/api/health/deep", None).await;
        assert_eq!((status, health["database"]["status"].as_str()), (503, Some("error")), "{health}");
    }
    proxy.up().await;
    for replica in 0..t.cluster.replicas() {
        let took = until_ok(&t, &t.cluster.replica_url(replica), "/api/v1/projects?q=back", Duration::from_secs(10)).await;
        eprintln!("replica {} answered again {took:?} after PostgreSQL came back", replica + 1);
    }
    t.create_project("After").await;
    let pets = pets(&t, &t.cluster.url).await;
    // Nothing half-written by the refused writes.
    assert_eq!(pets.keys().cloned().collect::<HashSet<_>>(), HashSet::from(["Before".to_owned(), "After".to_owned()]));
    assert_eq!(pets["Before"], vec![before["id"].as_str().unwrap().to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_gone_and_back_empty_reads_stay_fresh_and_health_says_so() {
    let Some(t) = TestCluster::start_with(2, Through { database: false, redis: true }).await else { return };
    let project = t.create_project("Buttercup").await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    let (one, two) = (t.cluster.replica_url(0), t.cluster.replica_url(1));
    // Both replicas hold the project in their caches.
    for base in [&one, &two] {
        assert_eq!(t.send(Method::GET, base, &path, None).await.0, 200);
    }
    let redis_url = std::env::var("TEST_REDIS_URL").unwrap();
    let proxy = t.redis_proxy.as_ref().unwrap();
    proxy.down().await;
    // The replicas notice the lost subscription at once (the connection is cut).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (status, health) = t.send(Method::GET, &one, "/api/health/deep", None).await;
    assert_eq!((status, health["status"].as_str(), health["cache"]["status"].as_str()), (503, Some("degraded"), Some("error")), "{health}");
    for round in 0..20 {
        let notes = format!("while Redis is away {round}");
        let (status, body) = t.send(Method::PATCH, &one, &path, Some(json!({ "notes": notes }))).await;
        assert_eq!(status, 200, "{body}");
        let (_, seen) = t.send(Method::GET, &two, &path, None).await;
        assert_eq!(seen["notes"], json!(notes), "replica 2 served a stale project with Redis away");
    }
    // Redis comes back empty, as one keeping nothing on disk restarts: the event counter starts
    // from nothing again.
    let deleted =
        std::process::Command::new("redis-cli").args(["-u", &redis_url, "DEL", &format!("{}:seq", t.cluster.channel())]).output().unwrap();
    assert!(deleted.status.success());
    proxy.up().await;
    for base in [&one, &two] {
        let took = until_ok(&t, base, "/api/health/deep", Duration::from_secs(10)).await;
        eprintln!("{base} healthy again {took:?} after Redis came back");
    }
    let mut stale = 0;
    for round in 0..100 {
        let notes = format!("after Redis came back {round}");
        let (writer, reader) = if round % 2 == 0 { (&one, &two) } else { (&two, &one) };
        assert_eq!(t.send(Method::PATCH, writer, &path, Some(json!({ "notes": notes }))).await.0, 200);
        let (_, seen) = t.send(Method::GET, reader, &path, None).await;
        stale += usize::from(seen["notes"] != json!(notes));
    }
    assert_eq!(stale, 0, "stale reads after Redis came back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_s3_server_gone_uploads_answer_503_and_the_rest_works() {
    let Some(mut t) = TestCluster::start(2).await else { return };
    let project = t.create_project("Buttercup").await;
    let id = project["id"].as_str().unwrap().to_owned();
    let sound = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/src/assets/fixtures/silence.ogg")).unwrap();
    let upload = |t: &TestCluster| {
        let form = reqwest::multipart::Form::new()
            .text("asset_type", "sound")
            .part("file", reqwest::multipart::Part::bytes(sound.clone()).file_name("purr.ogg").mime_str("audio/ogg").unwrap());
        t.http.post(format!("{}/api/v1/projects/{id}/assets", t.cluster.url)).multipart(form)
    };
    let reply = t.request(upload(&t), None).await.unwrap();
    assert_eq!(reply.status, 201, "{}", reply.body);
    tokio::task::block_in_place(|| t.cluster.stop_s3()).unwrap();
    for _ in 0..3 {
        let started = Instant::now();
        let reply = t.request(upload(&t), None).await.unwrap();
        assert_problem(&reply, 503, "an upload with S3 away");
        assert!(reply.headers.contains_key("retry-after"));
        assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    }
    // Everything not about files still works.
    let (status, body) =
        t.send(Method::PATCH, &t.cluster.url, &format!("/api/v1/projects/{id}"), Some(json!({ "notes": "S3 is away" }))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(t.send(Method::GET, &t.cluster.url, "/api/v1/projects?q=Buttercup", None).await.0, 200);
    let (status, health) = t.send(Method::GET, &t.cluster.replica_url(0), "/api/health/deep", None).await;
    assert_eq!((status, health["storage"]["status"].as_str()), (503, Some("error")), "{health}");
    tokio::task::block_in_place(|| t.cluster.start_s3()).unwrap();
    let reply = t.request(upload(&t), None).await.unwrap();
    assert_eq!(reply.status, 201, "after S3 came back: {}", reply.body);
    // The two stored sounds, and none of the refused ones.
    let (_, detail) = t.send(Method::GET, &t.cluster.url, &format!("/api/v1/projects/{id}"), None).await;
    assert_eq!(detail["assets"].as_array().map(Vec::len), Some(2), "{detail}");
}
