//! Durable jobs on both databases: enqueued with the change or not at all, run once, retried with
//! backoff, failed for good with their error, de-duplicated, taken over when a worker dies.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use petpixel_server::entities::jobs as job_rows;
use petpixel_server::jobs::{enqueue, NewJob, Next, Outcome, Registry, Worker};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::support::TestApp;

async fn row(app: &TestApp, id: uuid::Uuid) -> job_rows::Model {
    job_rows::Entity::find_by_id(id).one(&app.state.db.conn).await.unwrap().unwrap()
}

/// A registry whose `test.count` jobs record each run by their payload's `n`.
fn counting() -> (Registry, Arc<Mutex<HashMap<i64, u32>>>) {
    let runs = Arc::new(Mutex::new(HashMap::new()));
    let seen = runs.clone();
    let registry = Registry::new().register("test.count", move |_state, payload| {
        let seen = seen.clone();
        async move {
            let n = payload["n"].as_i64().unwrap_or(-1);
            *seen.lock().unwrap().entry(n).or_insert(0) += 1;
            Ok(())
        }
    });
    (registry, runs)
}

#[tokio::test]
async fn a_job_is_enqueued_with_its_change_or_not_at_all() {
    let app = TestApp::new().await;
    let txn = app.state.db.begin_write().await.unwrap();
    enqueue(&*txn, NewJob::new("test.count", json!({ "n": 1 }))).await.unwrap();
    drop(txn); // rolled back
    assert_eq!(job_rows::Entity::find().count(&app.state.db.conn).await.unwrap(), 0);

    let txn = app.state.db.begin_write().await.unwrap();
    let id = enqueue(&*txn, NewJob::new("test.count", json!({ "n": 2 }))).await.unwrap().unwrap();
    txn.commit().await.unwrap();
    assert_eq!(row(&app, id).await.status, "pending");

    let (registry, runs) = counting();
    let worker = Worker::new(app.state.clone(), registry);
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Done(id)));
    assert_eq!(worker.run_once().await.unwrap(), None, "nothing else is due");
    assert_eq!(*runs.lock().unwrap(), HashMap::from([(2, 1)]));
    let done = row(&app, id).await;
    assert_eq!((done.status.as_str(), done.attempts, done.locked_by), ("done", 1, None));
    assert!(done.finished_at.is_some());
}

#[tokio::test]
async fn a_failing_job_backs_off_then_stays_failed_with_its_error() {
    let app = TestApp::with_config(|c| c.job_retry_base = std::time::Duration::from_secs(10)).await;
    let registry =
        Registry::new().register("test.fail", |_state, _payload| async { Err::<(), _>(anyhow::anyhow!("the printer is on fire")) });
    let id = enqueue(&app.state.db.conn, NewJob::new("test.fail", json!({})).max_attempts(3)).await.unwrap().unwrap();
    let worker = Worker::new(app.state.clone(), registry);

    let mut delays = Vec::new();
    for _ in 0..2 {
        let before = Utc::now();
        let outcome = worker.run_once().await.unwrap();
        let Some(Outcome::Retry(_, at)) = outcome else { panic!("a retry, not {outcome:?}") };
        delays.push((at - before).num_seconds());
        assert_eq!(worker.run_once().await.unwrap(), None, "not due before its backoff");
        // Time passes.
        job_rows::Entity::update_many()
            .col_expr(job_rows::Column::RunAt, Expr::value(Utc::now() - Duration::seconds(1)))
            .filter(job_rows::Column::Id.eq(id))
            .exec(&app.state.db.conn)
            .await
            .unwrap();
    }
    assert!((9..=10).contains(&delays[0]) && (19..=20).contains(&delays[1]), "10 s, then 20 s: {delays:?}");
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Failed(id)));
    let failed = row(&app, id).await;
    assert_eq!((failed.status.as_str(), failed.attempts), ("failed", 3));
    assert!(failed.last_error.unwrap().contains("the printer is on fire"));
    assert_eq!(worker.run_once().await.unwrap(), None, "a failed job is not retried by itself");
}

#[tokio::test]
async fn one_pending_job_per_kind_and_key() {
    let app = TestApp::new().await;
    let conn = &app.state.db.conn;
    let first = enqueue(conn, NewJob::new("test.count", json!({ "n": 1 })).dedupe("asset-7")).await.unwrap();
    let again = enqueue(conn, NewJob::new("test.count", json!({ "n": 1 })).dedupe("asset-7")).await.unwrap();
    let other = enqueue(conn, NewJob::new("test.count", json!({ "n": 2 })).dedupe("asset-8")).await.unwrap();
    assert!(first.is_some() && other.is_some());
    assert_eq!(again, None, "the same work is not queued twice");
    // Inside a transaction a duplicate leaves the transaction usable.
    let txn = app.state.db.begin_write().await.unwrap();
    assert_eq!(enqueue(&*txn, NewJob::new("test.count", json!({})).dedupe("asset-7")).await.unwrap(), None);
    enqueue(&*txn, NewJob::new("test.count", json!({ "n": 3 }))).await.unwrap().unwrap();
    txn.commit().await.unwrap();

    let (registry, _) = counting();
    let worker = Worker::new(app.state.clone(), registry);
    while worker.run_once().await.unwrap().is_some() {}
    assert!(
        enqueue(conn, NewJob::new("test.count", json!({ "n": 1 })).dedupe("asset-7")).await.unwrap().is_some(),
        "once done, it may be queued again"
    );
}

#[tokio::test]
async fn a_job_whose_worker_died_is_taken_up_when_its_lease_runs_out() {
    let app = TestApp::new().await;
    let id = enqueue(&app.state.db.conn, NewJob::new("test.count", json!({ "n": 9 }))).await.unwrap().unwrap();
    // A worker took it and was killed: running, held by a worker that will never come back.
    let held = |until| {
        job_rows::Entity::update_many()
            .col_expr(job_rows::Column::Status, Expr::value("running"))
            .col_expr(job_rows::Column::LockedBy, Expr::value("worker-killed"))
            .col_expr(job_rows::Column::LockedUntil, Expr::value(until))
            .col_expr(job_rows::Column::Attempts, Expr::value(1))
            .filter(job_rows::Column::Id.eq(id))
            .exec(&app.state.db.conn)
    };
    held(Utc::now() + Duration::minutes(5)).await.unwrap();
    let (registry, runs) = counting();
    let worker = Worker::new(app.state.clone(), registry);
    assert_eq!(worker.run_once().await.unwrap(), None, "not while its lease holds");
    held(Utc::now() - Duration::seconds(1)).await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Done(id)));
    assert_eq!(*runs.lock().unwrap(), HashMap::from([(9, 1)]));
    assert_eq!(row(&app, id).await.attempts, 2);
}

#[tokio::test]
async fn two_workers_never_run_one_job_twice() {
    let app = TestApp::new().await;
    for n in 0..60 {
        enqueue(&app.state.db.conn, NewJob::new("test.count", json!({ "n": n }))).await.unwrap();
    }
    let (registry, runs) = counting();
    let drain = |worker: Worker| async move {
        let mut ran = 0;
        while worker.run_once().await.unwrap().is_some() {
            ran += 1;
        }
        ran
    };
    let (a, b) = tokio::join!(drain(Worker::new(app.state.clone(), registry.clone())), drain(Worker::new(app.state.clone(), registry)));
    assert_eq!(a + b, 60);
    let runs = runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 60);
    assert!(runs.values().all(|&n| n == 1), "every job ran exactly once");
    let done = job_rows::Entity::find().filter(job_rows::Column::Status.eq("done")).count(&app.state.db.conn).await.unwrap();
    assert_eq!(done, 60);
}

#[tokio::test]
async fn admins_list_failed_jobs_and_send_them_round_again() {
    use axum::http::StatusCode;
    use petpixel_types::Role;
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let registry = Registry::new().register("test.fail", |_state, _payload| async { Err::<(), _>(anyhow::anyhow!("no paper")) });
    let failing = enqueue(&app.state.db.conn, NewJob::new("test.fail", json!({})).max_attempts(1)).await.unwrap().unwrap();
    let waiting =
        enqueue(&app.state.db.conn, NewJob::new("test.later", json!({})).at(Utc::now() + Duration::hours(1))).await.unwrap().unwrap();
    assert_eq!(Worker::new(app.state.clone(), registry).run_once().await.unwrap(), Some(Outcome::Failed(failing)));

    assert_eq!(app.get("/api/v1/jobs", &manager.token).await.status, StatusCode::FORBIDDEN);
    let failed = app.get("/api/v1/jobs?status=failed", &admin.token).await;
    assert_eq!(failed.status, StatusCode::OK);
    assert_eq!(failed.body["total"], 1);
    assert_eq!(failed.body["items"][0]["id"], failing.to_string());
    assert_eq!(failed.body["items"][0]["last_error"], "no paper");
    assert_eq!(app.get("/api/v1/jobs", &admin.token).await.body["total"], 2);

    let retried = app.post(&format!("/api/v1/jobs/{failing}/retry"), &admin.token, json!({})).await;
    assert_eq!(retried.status, StatusCode::OK, "{:?}", retried.body);
    assert_eq!((retried.body["status"].as_str(), retried.body["attempts"].as_i64()), (Some("pending"), Some(0)));
    assert_eq!(app.post(&format!("/api/v1/jobs/{waiting}/retry"), &admin.token, json!({})).await.status, StatusCode::CONFLICT);
    let history = app.get(&format!("/api/v1/activity?resource_id={failing}"), &admin.token).await;
    assert_eq!(history.body["items"][0]["action"], "job.retried");
}

#[tokio::test]
async fn a_periodic_job_is_queued_once_per_period_whoever_looks() {
    use petpixel_server::jobs::schedule_due;
    let app = TestApp::new().await;
    let registry = Registry::new().every("sweep", std::time::Duration::from_secs(3600), "test.count", json!({ "n": 1 }));
    let noon = chrono::DateTime::parse_from_rfc3339("2026-11-27T12:10:00Z").unwrap().with_timezone(&Utc);
    // Two processes look at once, then again later in the same hour.
    let (a, b) = tokio::join!(schedule_due(&app.state, &registry, noon), schedule_due(&app.state, &registry, noon));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    assert_eq!(schedule_due(&app.state, &registry, noon + Duration::minutes(40)).await.unwrap(), 0);
    // The next hour.
    assert_eq!(schedule_due(&app.state, &registry, noon + Duration::minutes(55)).await.unwrap(), 1);
    let queued = job_rows::Entity::find().filter(job_rows::Column::Kind.eq("test.count")).count(&app.state.db.conn).await.unwrap();
    assert_eq!(queued, 2);
}

#[tokio::test]
async fn the_hourly_sweeper_deletes_sessions_that_ended_long_ago() {
    use petpixel_server::entities::sessions;
    use petpixel_server::jobs::schedule_due;
    use petpixel_types::Role;
    let app = TestApp::new().await;
    let old = app.user(Role::Artist).await;
    let current = app.user(Role::Artist).await;
    sessions::Entity::update_many()
        .col_expr(sessions::Column::ExpiresAt, Expr::value(Utc::now() - Duration::days(2)))
        .filter(sessions::Column::UserId.eq(old.id))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    let registry = Registry::builtin();
    assert_eq!(schedule_due(&app.state, &registry, Utc::now()).await.unwrap(), 1);
    let worker = Worker::new(app.state.clone(), registry);
    assert!(matches!(worker.run_once().await.unwrap(), Some(Outcome::Done(_))));
    let left: Vec<uuid::Uuid> = sessions::Entity::find().all(&app.state.db.conn).await.unwrap().iter().map(|s| s.user_id).collect();
    assert_eq!(left, vec![current.id]);
    assert_eq!(app.get("/api/v1/auth/me", &current.token).await.status, axum::http::StatusCode::OK);
}

/// Set in the child process of the test below: the shared database it works on.
const CHILD_DB: &str = "PETPIXEL_TEST_KILLED_WORKER_DB";

/// The worker process the test below kills: it runs `test.slow` jobs, which never finish here.
/// Run only as that child; on its own it returns at once.
#[tokio::test]
#[ignore = "the child process of a_job_killed_mid_run_with_its_process_finishes_after_a_restart"]
async fn killed_worker_child() {
    let Ok(url) = std::env::var(CHILD_DB) else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut config = petpixel_server::Config::for_tests(dir.path().to_path_buf(), &url);
    config.job_lease = std::time::Duration::from_secs(2);
    let db = petpixel_server::db::Db::connect(&config).await.unwrap();
    let state = petpixel_server::AppState::with_db(config, db).unwrap();
    let registry = Registry::new().register("test.slow", |_state, _payload| async {
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        Ok(())
    });
    Worker::new(state, registry).run(std::future::pending()).await;
}

#[tokio::test]
async fn a_job_killed_mid_run_with_its_process_finishes_after_a_restart() {
    use crate::support::TestDatabase;
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::new(Some(&dir.path().join("jobs.db"))).await;
    let mut config = petpixel_server::Config::for_tests(dir.path().to_path_buf(), &database.url);
    config.job_lease = std::time::Duration::from_secs(2);
    let db = petpixel_server::db::Db::connect(&config).await.unwrap();
    db.migrate().await.unwrap();
    let state = petpixel_server::AppState::with_db(config, db).unwrap();
    let id = enqueue(&state.db.conn, NewJob::new("test.slow", json!({}))).await.unwrap().unwrap();

    // A worker process takes the job, and is killed (SIGKILL) in the middle of it.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "jobs::killed_worker_child", "--ignored", "--nocapture"])
        .env(CHILD_DB, &database.url)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let taken = loop {
        let job = job_rows::Entity::find_by_id(id).one(&state.db.conn).await.unwrap().unwrap();
        if job.status == "running" {
            break job;
        }
        assert!(std::time::Instant::now() < deadline, "the worker process never took the job");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(taken.locked_by.as_deref().is_some_and(|w| w.starts_with("worker-")));

    // The restarted worker (here, in this process) leaves it while the dead one's lease holds,
    // then takes it up and finishes it: a second attempt.
    let registry = Registry::new().register("test.slow", |_state, _payload| async { Ok(()) });
    let worker = Worker::new(state.clone(), registry);
    assert_eq!(worker.run_once().await.unwrap(), None, "not while the killed worker's lease holds");
    let mut outcome = None;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while outcome.is_none() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        outcome = worker.run_once().await.unwrap();
    }
    assert_eq!(outcome, Some(Outcome::Done(id)));
    let done = job_rows::Entity::find_by_id(id).one(&state.db.conn).await.unwrap().unwrap();
    assert_eq!((done.status.as_str(), done.attempts, done.locked_by), ("done", 2, None));
}

#[tokio::test]
async fn a_job_asked_for_while_it_runs_runs_again_and_one_may_come_back_later() {
    let app = TestApp::new().await;
    let runs = Arc::new(Mutex::new(0u32));
    let seen = runs.clone();
    // Its first run is asked for again mid-way (as a webhook delivery queued while the endpoint's
    // job is finishing); its second asks to come back in an hour.
    let registry = Registry::new().register("test.again", move |state: petpixel_server::AppState, _payload| {
        let seen = seen.clone();
        async move {
            let run = {
                let mut n = seen.lock().unwrap();
                *n += 1;
                *n
            };
            if run == 1 {
                let queued = enqueue(&state.db.conn, NewJob::new("test.again", json!({})).dedupe("k")).await.unwrap();
                assert_eq!(queued, None, "not a second job: the running one is marked");
                return Ok(Next::Done);
            }
            Ok(Next::At(Utc::now() + Duration::hours(1)))
        }
    });
    let id = enqueue(&app.state.db.conn, NewJob::new("test.again", json!({})).dedupe("k")).await.unwrap().unwrap();
    let worker = Worker::new(app.state.clone(), registry);
    assert_eq!(worker.run_once().await.unwrap(), Some(Outcome::Done(id)));
    let again = row(&app, id).await;
    assert_eq!((again.status.as_str(), again.again, again.attempts, again.finished_at), ("pending", false, 0, None));
    let Some(Outcome::Again(same, at)) = worker.run_once().await.unwrap() else { panic!("it asks to come back") };
    assert_eq!(same, id);
    assert!(at > Utc::now() + Duration::minutes(59));
    let later = row(&app, id).await;
    assert_eq!((later.status.as_str(), later.attempts), ("pending", 0));
    assert!((later.run_at - at).num_milliseconds().abs() < 1, "due then (PostgreSQL keeps microseconds)");
    assert_eq!(worker.run_once().await.unwrap(), None, "not before its time");
    assert_eq!(*runs.lock().unwrap(), 2);
    assert_eq!(job_rows::Entity::find().count(&app.state.db.conn).await.unwrap(), 1, "one job throughout");
}
