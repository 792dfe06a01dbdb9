//! API load benchmark: `cargo xtask bench [-- options]`.
//!
//! Seeds a fresh database with 10,000 projects and 100,000 activity entries, serves the real
//! router on 127.0.0.1 (port 0) and drives it over HTTP/1.1 keep-alive connections for a fixed
//! time per scenario, then prints throughput and latency percentiles. The server runs on its own
//! two-worker runtime and the load on another thread, so both share the machine as a separate
//! load generator would.
//!
//! Options: `--db sqlite|postgres` (PostgreSQL from `BENCH_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/test`, in a fresh schema), `--connections 64`,
//! `--seconds 10`, `--projects 10000`, `--activity 100000`, `--pool N` (database connections).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::Request;
use hyper_util::rt::TokioIo;
use petpixel_server::config::Config;
use petpixel_server::db::Db;
use petpixel_server::entities::{activity_logs, projects, users};
use petpixel_server::AppState;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::json;
use uuid::Uuid;

struct Options {
    db: String,
    connections: usize,
    seconds: u64,
    projects: usize,
    activity: usize,
    pool: Option<u32>,
}

fn options() -> Options {
    let mut o = Options { db: "sqlite".into(), connections: 64, seconds: 10, projects: 10_000, activity: 100_000, pool: None };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--db" => o.db = value,
            "--connections" => o.connections = value.parse().expect("--connections N"),
            "--seconds" => o.seconds = value.parse().expect("--seconds N"),
            "--projects" => o.projects = value.parse().expect("--projects N"),
            "--activity" => o.activity = value.parse().expect("--activity N"),
            "--pool" => o.pool = Some(value.parse().expect("--pool N")),
            // cargo bench passes --bench; ignore what is not ours.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    o
}

const PASSWORD: &str = "benchmark password";
const STATUSES: [&str; 4] = ["backlog", "in_progress", "review", "complete"];
const PRIORITIES: [&str; 4] = ["low", "normal", "high", "urgent"];
const PACKAGES: [&str; 3] = ["express", "custom", "premium"];

async fn seed(db: &Db, n_projects: usize, n_activity: usize) -> (String, Vec<Uuid>) {
    let now = Utc::now();
    let hash = petpixel_server::auth::password::hash_blocking(PASSWORD).unwrap();
    let mut team = Vec::new();
    for (i, role) in ["manager", "artist", "artist", "artist", "admin"].iter().enumerate() {
        let id = Uuid::now_v7();
        team.push(id);
        users::Entity::insert(users::ActiveModel {
            id: Set(id),
            email: Set(format!("{role}{i}@bench.example")),
            password_hash: Set(hash.clone()),
            first_name: Set(Some(format!("Bench {i}"))),
            last_name: Set(None),
            avatar_url: Set(None),
            role: Set((*role).into()),
            permissions: Set(json!([])),
            active: Set(true),
            last_login: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .exec(&db.conn)
        .await
        .unwrap();
    }
    let mut ids = Vec::with_capacity(n_projects);
    let txn = db.begin_write().await.unwrap();
    for chunk_start in (0..n_projects).step_by(500) {
        let rows: Vec<projects::ActiveModel> = (chunk_start..(chunk_start + 500).min(n_projects))
            .map(|i| {
                let id = Uuid::now_v7();
                ids.push(id);
                projects::ActiveModel {
                    id: Set(id),
                    customer_name: Set(format!("Customer {i}")),
                    customer_email: Set(format!("customer{i}@example.com")),
                    customer_phone: Set(None),
                    pet_name: Set(format!("Pet {i}")),
                    pet_breed: Set(Some("Corgi".into())),
                    pet_age: Set(Some((i % 15) as i32)),
                    pet_personality: Set(Some("Playful and curious.".into())),
                    package_type: Set(PACKAGES[i % 3].into()),
                    status: Set(STATUSES[i % 4].into()),
                    priority: Set(PRIORITIES[(i / 4) % 4].into()),
                    assigned_artist_id: Set(Some(team[1 + i % 3])),
                    deadline: Set(Some((now + chrono::Duration::days((i % 60) as i64 - 20)).date_naive())),
                    estimated_hours: Set(Some(20)),
                    actual_hours: Set(None),
                    game_config: Set(json!({"theme": "space", "difficulty": "easy", "features": ["leaderboard"]})),
                    notes: Set((i % 3 == 0).then(|| "Wants a tennis ball level.".to_owned())),
                    version: Set(1),
                    created_at: Set(now - chrono::Duration::minutes((n_projects - i) as i64)),
                    updated_at: Set(now),
                    completed_at: Set(None),
                    deleted_at: Set(None),
                }
            })
            .collect();
        projects::Entity::insert_many(rows).exec(&*txn).await.unwrap();
    }
    for chunk_start in (0..n_activity).step_by(1000) {
        let rows: Vec<activity_logs::ActiveModel> = (chunk_start..(chunk_start + 1000).min(n_activity))
            .map(|i| {
                let project = ids[i % ids.len()];
                activity_logs::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(Some(team[i % team.len()])),
                    user_email: Set(Some("bench@bench.example".into())),
                    action: Set("project.updated".into()),
                    action_type: Set("update".into()),
                    resource_type: Set("project".into()),
                    resource_id: Set(Some(project)),
                    project_id: Set(Some(project)),
                    details: Set(json!({"changes": {"notes": {"from": null, "to": "x"}}})),
                    ip_address: Set(Some("127.0.0.1".into())),
                    user_agent: Set(Some("bench".into())),
                    created_at: Set(now),
                }
            })
            .collect();
        activity_logs::Entity::insert_many(rows).exec(&*txn).await.unwrap();
    }
    txn.commit().await.unwrap();
    // A live database has been vacuumed by autovacuum; a freshly bulk-loaded one has not, and
    // without the visibility map PostgreSQL cannot count from an index alone.
    let settle = if db.backend_name() == "postgres" { "VACUUM ANALYZE" } else { "ANALYZE" };
    db.conn.execute_unprepared(settle).await.unwrap();
    ("manager0@bench.example".into(), ids)
}

async fn connect(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(conn);
    sender
}

async fn login(addr: SocketAddr, email: &str) -> String {
    let mut sender = connect(addr).await;
    let body = json!({"email": email, "password": PASSWORD}).to_string();
    let req = Request::post("/api/v1/auth/login")
        .header("host", "bench")
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    let res = sender.send_request(req).await.unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    v["access_token"].as_str().expect("login failed").to_owned()
}

struct Outcome {
    latencies_us: Vec<u32>,
    errors: u64,
    elapsed: Duration,
}

/// Drives `connections` connections for `seconds`, each sending the next path as soon as the
/// previous answer is read.
async fn drive(addr: SocketAddr, token: &str, connections: usize, seconds: u64, paths: Arc<Vec<String>>) -> Outcome {
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(AtomicU64::new(0));
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (stop, errors, counter, paths) = (stop.clone(), errors.clone(), counter.clone(), paths.clone());
        let auth = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let mut sender = connect(addr).await;
            let mut latencies = Vec::with_capacity(4096);
            while !stop.load(Ordering::Relaxed) {
                let n = counter.fetch_add(1, Ordering::Relaxed) as usize;
                let req = Request::get(paths[n % paths.len()].as_str())
                    .header("host", "bench")
                    .header("authorization", auth.as_str())
                    .body(Full::new(Bytes::new()))
                    .unwrap();
                let t = Instant::now();
                match sender.send_request(req).await {
                    Ok(res) => {
                        let ok = res.status().is_success();
                        let _ = res.into_body().collect().await;
                        if ok {
                            latencies.push(t.elapsed().as_micros() as u32);
                        } else {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        sender = connect(addr).await;
                    }
                }
            }
            latencies
        }));
    }
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut latencies_us = Vec::new();
    for t in tasks {
        latencies_us.extend(t.await.unwrap());
    }
    Outcome { latencies_us, errors: errors.load(Ordering::Relaxed), elapsed: start.elapsed() }
}

fn report(name: &str, mut o: Outcome) {
    o.latencies_us.sort_unstable();
    let n = o.latencies_us.len();
    let pct = |p: f64| o.latencies_us.get(((n as f64 * p) as usize).min(n.saturating_sub(1))).copied().unwrap_or(0) as f64 / 1000.0;
    println!(
        "{name:<34} {:>8.0} req/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms  ({n} ok, {} errors)",
        n as f64 / o.elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.90),
        pct(0.99),
        o.latencies_us.last().copied().unwrap_or(0) as f64 / 1000.0,
        o.errors
    );
}

fn main() {
    // `cargo test --all-targets` runs harness-less benches too, unoptimised; only `cargo bench`
    // passes --bench.
    if !std::env::args().any(|a| a == "--bench") {
        println!("api_load: run with `cargo xtask bench`");
        return;
    }
    let opts = options();
    let dir = tempfile::tempdir().unwrap();
    let (url, pg_schema) = match opts.db.as_str() {
        "sqlite" => (format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()), None),
        "postgres" => {
            let base = std::env::var("BENCH_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let schema = format!("bench_{}", Uuid::now_v7().simple());
            let sep = if base.contains('?') { '&' } else { '?' };
            (format!("{base}{sep}options=-c%20search_path%3D{schema}"), Some((base, schema)))
        }
        other => panic!("--db sqlite|postgres, not {other}"),
    };

    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (addr, ids, email) = server_rt.block_on(async {
        if let Some((base, schema)) = &pg_schema {
            let admin = sea_orm::Database::connect(base.as_str()).await.unwrap();
            admin.execute_unprepared(&format!("CREATE SCHEMA {schema}")).await.unwrap();
        }
        let mut config = Config::for_tests(dir.path().to_path_buf(), &url);
        // The server's defaults unless --pool says otherwise.
        config.database_max_connections = opts.pool.unwrap_or(if opts.db == "sqlite" { 8 } else { 16 });
        let db = Db::connect(&config).await.unwrap();
        db.migrate().await.unwrap();
        let t = Instant::now();
        let (email, ids) = seed(&db, opts.projects, opts.activity).await;
        println!(
            "database: {} with {} projects and {} activity entries (seeded in {:.1} s)",
            opts.db,
            opts.projects,
            opts.activity,
            t.elapsed().as_secs_f64()
        );
        let state = AppState::with_db(config, db).unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = petpixel_server::router(state);
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.unwrap();
        });
        (addr, ids, email)
    });

    let load_rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    load_rt.block_on(async {
        let token = login(addr, &email).await;
        println!("{} connections, {} s per scenario\n", opts.connections, opts.seconds);
        let warmup = Arc::new(vec!["/api/v1/projects?status=in_progress&limit=20".to_owned()]);
        drive(addr, &token, opts.connections, 2, warmup).await;

        let lists: Vec<String> =
            (0..50).map(|i| format!("/api/v1/projects?status={}&limit=20&offset={}", STATUSES[i % 4], (i % 10) * 20)).collect();
        report("GET /projects?status=..&limit=20", drive(addr, &token, opts.connections, opts.seconds, Arc::new(lists)).await);

        let details: Vec<String> = ids.iter().step_by(7).take(1000).map(|id| format!("/api/v1/projects/{id}")).collect();
        report("GET /projects/{id}", drive(addr, &token, opts.connections, opts.seconds, Arc::new(details)).await);
    });

    if let Some((base, schema)) = pg_schema {
        server_rt.block_on(async {
            let admin = sea_orm::Database::connect(base.as_str()).await.unwrap();
            let _ = admin.execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE")).await;
        });
    }
}
