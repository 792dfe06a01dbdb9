//! Backups: an archive of a busy studio restores elsewhere with every row and file; archives cross
//! engines; a sealed archive needs its key; a changed byte, a non-empty target and a newer schema
//! are refused with a clear message.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use petpixel_server::assets::fixtures;
use petpixel_server::backup::{self, tables};
use petpixel_server::storage::{self, Storage};
use petpixel_types::Role;
use sea_orm::{ConnectionTrait, DatabaseConnection, FromQueryResult, Statement, TransactionTrait};
use secrecy::SecretString;
use serde_json::{json, Value};

use crate::assets::{process, upload};
use crate::support::{TestApp, TestDatabase};

/// The store under test: in CI's second pass S3 (a part of the bucket of its own), else the folder.
fn store(config: &mut petpixel_server::config::Config) {
    if let Some(s3) = crate::storage::s3_config() {
        config.storage = petpixel_server::config::StorageConfig::S3(s3);
    }
}

/// A fresh studio on the engine and store under test.
async fn fresh() -> TestApp {
    TestApp::with_config(store).await
}

/// A studio with people, projects, processed photos, a build and its activity.
async fn studio(app: &TestApp) {
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    for n in 0..6 {
        let project = app.project(&manager.token, json!({ "pet_name": format!("Pet {n}") })).await;
        let id = project["id"].as_str().unwrap();
        let assigned = app.put(&format!("/api/v1/projects/{id}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
        assert_eq!(assigned.status, 200, "{:?}", assigned.body);
        let photo = upload(app, id, &manager.token, "photo", "rex.jpg", &fixtures::jpeg(320, 240)).await;
        assert_eq!(photo.status, 201, "{:?}", photo.body);
        let moved = app.patch(&format!("/api/v1/projects/{id}"), &manager.token, json!({ "notes": format!("note {n}") })).await;
        assert_eq!(moved.status, 200, "{:?}", moved.body);
    }
    process(app).await;
}

/// Every row of every table the backup holds, as this version reads it, by table.
async fn rows(conn: &DatabaseConnection) -> BTreeMap<String, Vec<Value>> {
    let txn = conn.begin().await.unwrap();
    let mut all = BTreeMap::new();
    for table in tables::all() {
        all.insert(table.name().to_owned(), table.rows(&txn).await.unwrap());
    }
    all
}

/// Every object, by key: its bytes and content type.
async fn objects(store: &Storage) -> BTreeMap<String, (Vec<u8>, Option<String>)> {
    let mut all = BTreeMap::new();
    for meta in store.list("").await.unwrap() {
        let object = store.get(&meta.key).await.unwrap();
        all.insert(meta.key.to_string(), (storage::collect(object.body).await.unwrap(), object.meta.content_type));
    }
    all
}

/// The database's own tables: a table the backup does not know fails this (add it to `tables`).
async fn catalog(conn: &DatabaseConnection) -> Vec<String> {
    #[derive(FromQueryResult)]
    struct Name {
        name: String,
    }
    let backend = conn.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let mut names: Vec<String> =
        Name::find_by_statement(Statement::from_string(backend, sql)).all(conn).await.unwrap().into_iter().map(|n| n.name).collect();
    names.retain(|n| n != "seaql_migrations" && !tables::NOT_KEPT.contains(&n.as_str()));
    names.sort();
    names
}

fn archive_in(dir: &Path) -> std::path::PathBuf {
    dir.join(backup::archive_name(chrono::Utc::now(), false))
}

#[tokio::test]
async fn every_table_of_the_schema_is_backed_up() {
    let app = fresh().await;
    let mut known: Vec<String> = tables::all().iter().map(|t| t.name().to_owned()).collect();
    known.sort();
    assert_eq!(catalog(&app.state.db.conn).await, known);
}

#[tokio::test]
async fn a_busy_studio_backs_up_and_restores_elsewhere_row_for_row_and_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    // SQLite in a file with several connections (or PostgreSQL), so that writers really run
    // beside the backup's snapshot.
    let database = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => TestDatabase::new(None).await,
        _ => TestDatabase::sqlite_file(&dir.path().join("studio.db")),
    };
    let app = Arc::new(
        TestApp::on(database, |c| {
            c.database_max_connections = 4;
            store(c);
        })
        .await,
    );
    studio(&app).await;
    let manager = app.user(Role::Manager).await;

    // Orders keep coming in while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, stop, token) = (app.clone(), stop.clone(), manager.token.clone());
        tokio::spawn(async move {
            let mut made = 0;
            while !stop.load(Ordering::Relaxed) || made < 5 {
                app.project(&token, json!({ "pet_name": format!("Busy {made}") })).await;
                made += 1;
            }
            made
        })
    };
    let busy = archive_in(dir.path());
    let summary = backup::backup(&app.state.db.conn, &app.state.storage, &busy, None).await.unwrap();
    stop.store(true, Ordering::Relaxed);
    let made = writer.await.unwrap();
    assert!(summary.rows > 0 && summary.objects >= 12, "{summary}");

    // The busy archive restores into an empty studio: consistent (each project has the activity
    // entry it was made with, each row is as the source has it), nothing half-written.
    let (header, manifest) = backup::verify(&busy, None).await.unwrap();
    assert_eq!(header.migrations, tables::migrations(&app.state.db.conn).await.unwrap());
    let restored = fresh().await;
    backup::restore(&restored.state.db.conn, &restored.state.storage, &busy, None, false).await.unwrap();
    let (source, copy) = (rows(&app.state.db.conn).await, rows(&restored.state.db.conn).await);
    for (table, copied) in &copy {
        assert_eq!(copied.len() as u64, manifest.rows[table], "{table}");
        for row in copied {
            // Writers only add: every restored row is in the source as it was.
            assert!(source[table].contains(row), "{table}: a restored row differs from the source: {row}");
        }
    }
    let activity = &copy["activity_logs"];
    for project in &copy["projects"] {
        let created = activity.iter().any(|a| a["resource_id"] == project["id"] && a["action"] == "project.created");
        assert!(created, "project {} came without its activity entry", project["pet_name"]);
    }
    assert!(copy["projects"].len() < source["projects"].len(), "{made} projects were made meanwhile; some after the snapshot");

    // Once quiet, a second archive restores into a studio identical in every row and byte.
    let quiet = dir.path().join("quiet.tar.gz");
    backup::backup(&app.state.db.conn, &app.state.storage, &quiet, None).await.unwrap();
    let again = fresh().await;
    let summary = backup::restore(&again.state.db.conn, &again.state.storage, &quiet, None, false).await.unwrap();
    assert_eq!(rows(&again.state.db.conn).await, rows(&app.state.db.conn).await);
    assert_eq!(objects(&again.state.storage).await, objects(&app.state.storage).await);
    assert!(summary.object_bytes > 0, "{summary}");

    // The restored studio works: its people sign in, its photos download.
    let login = again.login(&manager.email, crate::support::PASSWORD).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
    let token = login.body["access_token"].as_str().unwrap();
    let listed = again.get("/api/v1/projects?limit=100", token).await;
    assert_eq!(listed.body["total"], json!(source["projects"].len()));
}

#[tokio::test]
async fn an_archive_from_sqlite_restores_into_the_engine_under_test() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = TestApp::on(TestDatabase::sqlite_file(&dir.path().join("embedded.db")), |_| {}).await;
    studio(&sqlite).await;
    let path = archive_in(dir.path());
    backup::backup(&sqlite.state.db.conn, &sqlite.state.storage, &path, None).await.unwrap();
    // PostgreSQL in the suite's PostgreSQL pass.
    let target = fresh().await;
    backup::restore(&target.state.db.conn, &target.state.storage, &path, None, false).await.unwrap();
    let (from, to) = (rows(&sqlite.state.db.conn).await, rows(&target.state.db.conn).await);
    for (table, rows) in &from {
        // PostgreSQL keeps timestamps to the microsecond; SQLite's text keeps what it was given.
        let micros = |rows: &Vec<Value>| rows.iter().cloned().map(tables::to_micros).collect::<Vec<_>>();
        assert_eq!(micros(&to[table]), micros(rows), "{table}");
    }
    assert_eq!(objects(&target.state.storage).await, objects(&sqlite.state.storage).await);
}

#[tokio::test]
async fn a_sealed_archive_needs_its_key_and_a_changed_byte_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let app = fresh().await;
    studio(&app).await;
    let key = SecretString::from("correct horse battery staple backup");
    let sealed = dir.path().join(backup::archive_name(chrono::Utc::now(), true));
    backup::backup(&app.state.db.conn, &app.state.storage, &sealed, Some(&key)).await.unwrap();
    assert!(std::fs::read(&sealed).unwrap().starts_with(b"age-encryption.org/v1"));
    let without = format!("{:#}", backup::verify(&sealed, None).await.unwrap_err());
    assert!(without.contains("PETPIXEL_BACKUP_KEY"), "{without}");
    let wrong = format!("{:#}", backup::verify(&sealed, Some(&SecretString::from("another key entirely"))).await.unwrap_err());
    assert!(wrong.contains("not the key"), "{wrong}");
    backup::verify(&sealed, Some(&key)).await.unwrap();

    // One byte changed anywhere in a plain archive: verify and restore refuse it, and the
    // target is left empty.
    let plain = dir.path().join("plain.tar.gz");
    backup::backup(&app.state.db.conn, &app.state.storage, &plain, None).await.unwrap();
    let mut bytes = std::fs::read(&plain).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x55;
    let damaged = dir.path().join("damaged.tar.gz");
    std::fs::write(&damaged, &bytes).unwrap();
    let refused = format!("{:#}", backup::verify(&damaged, None).await.unwrap_err());
    assert!(!refused.is_empty());
    let target = fresh().await;
    backup::restore(&target.state.db.conn, &target.state.storage, &damaged, None, false).await.unwrap_err();
    assert!(rows(&target.state.db.conn).await.values().all(Vec::is_empty));

    // A partial archive (cut short) is refused too.
    let cut = dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &std::fs::read(&plain).unwrap()[..middle]).unwrap();
    backup::verify(&cut, None).await.unwrap_err();
}

#[tokio::test]
async fn a_restore_refuses_a_studio_in_use_unless_told_to_replace_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = fresh().await;
    studio(&app).await;
    let path = archive_in(dir.path());
    backup::backup(&app.state.db.conn, &app.state.storage, &path, None).await.unwrap();

    let other = fresh().await;
    let manager = other.user(Role::Manager).await;
    other.project(&manager.token, json!({ "pet_name": "Mine" })).await;
    let refused = backup::restore(&other.state.db.conn, &other.state.storage, &path, None, false).await.unwrap_err().to_string();
    assert!(refused.contains("not empty") && refused.contains("--replace"), "{refused}");
    assert!(refused.contains("1 projects"), "{refused}");

    backup::restore(&other.state.db.conn, &other.state.storage, &path, None, true).await.unwrap();
    assert_eq!(rows(&other.state.db.conn).await, rows(&app.state.db.conn).await);
    assert_eq!(objects(&other.state.storage).await, objects(&app.state.storage).await);
}

#[tokio::test]
async fn an_archive_of_another_schema_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let app = fresh().await;
    studio(&app).await;
    let path = archive_in(dir.path());
    backup::backup(&app.state.db.conn, &app.state.storage, &path, None).await.unwrap();
    // A database one migration behind this version's.
    let target = fresh().await;
    target
        .state
        .db
        .conn
        .execute_unprepared("DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)")
        .await
        .unwrap();
    let refused = backup::restore(&target.state.db.conn, &target.state.storage, &path, None, false).await.unwrap_err().to_string();
    assert!(refused.contains("schema") && refused.contains("m20"), "{refused}");
    assert!(rows(&target.state.db.conn).await.values().all(Vec::is_empty));
}

#[tokio::test]
async fn an_embedded_install_moves_to_the_engines_under_test_and_a_second_run_copies_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let embedded = TestApp::on(TestDatabase::sqlite_file(&dir.path().join("embedded.db")), |_| {}).await;
    studio(&embedded).await;
    let manager = embedded.user(Role::Manager).await;
    // PostgreSQL and S3 in CI's second pass; SQLite and a folder otherwise.
    let target = crate::storage::apps().await.pop().unwrap();
    let (from, to) = (&embedded.state.db.conn, &target.state.db.conn);
    let files = embedded.state.storage.list("").await.unwrap();

    let first = backup::migrate::migrate_data(from, &embedded.state.storage, to, Some(&target.state.storage)).await.unwrap();
    let total: usize = rows(from).await.values().map(Vec::len).sum();
    assert_eq!((first.rows_copied, first.rows_there), (total as u64, 0), "{first}");
    assert_eq!((first.files_copied, first.files_there), (files.len() as u64, 0), "{first}");
    let micros = |all: BTreeMap<String, Vec<Value>>| -> BTreeMap<String, Vec<Value>> {
        all.into_iter().map(|(t, rows)| (t, rows.into_iter().map(tables::to_micros).collect())).collect()
    };
    assert_eq!(micros(rows(to).await), micros(rows(from).await));
    for file in &files {
        let (a, b) = (embedded.state.storage.get(&file.key).await.unwrap(), target.state.storage.get(&file.key).await.unwrap());
        assert_eq!(storage::collect(a.body).await.unwrap(), storage::collect(b.body).await.unwrap(), "{}", file.key);
    }

    // Nothing to do the second time.
    let second = backup::migrate::migrate_data(from, &embedded.state.storage, to, Some(&target.state.storage)).await.unwrap();
    assert_eq!((second.rows_copied, second.rows_there, second.files_copied), (0, total as u64, 0), "{second}");

    // A run cut off part-way (here: the activity log and a file never arrived) is finished by
    // the next, which copies just those.
    let activity = rows(to).await["activity_logs"].len() as u64;
    to.execute_unprepared("DELETE FROM activity_logs").await.unwrap();
    target.state.storage.delete(&files[0].key).await.unwrap();
    let resumed = backup::migrate::migrate_data(from, &embedded.state.storage, to, Some(&target.state.storage)).await.unwrap();
    assert_eq!((resumed.rows_copied, resumed.files_copied), (activity, 1), "{resumed}");

    // New orders since the copy come along; a row changed since is caught by the check.
    embedded.project(&manager.token, json!({ "pet_name": "Late order" })).await;
    let changed = backup::migrate::migrate_data(from, &embedded.state.storage, to, Some(&target.state.storage)).await;
    assert!(changed.is_ok(), "new rows are copied: {changed:?}");
    embedded.state.db.conn.execute_unprepared("UPDATE projects SET notes = 'changed after the copy'").await.unwrap();
    let refused = backup::migrate::migrate_data(from, &embedded.state.storage, to, Some(&target.state.storage)).await.unwrap_err();
    assert!(refused.to_string().contains("table projects") && refused.to_string().contains("Stop it"), "{refused}");

    // The moved studio works: its people sign in with their passwords.
    let login = target.login(&manager.email, crate::support::PASSWORD).await;
    assert_eq!(login.status, 200, "{:?}", login.body);
}

#[tokio::test]
async fn the_schedule_makes_a_backup_when_one_is_due_keeps_the_newest_and_health_tells_its_age() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let app = TestApp::with_config(|c| {
        c.backup_schedule = Some(std::time::Duration::from_secs(86_400));
        c.backup_keep = 2;
        c.backup_to = Some(petpixel_server::config::BackupTarget::Dir(backups.clone()));
    })
    .await;
    studio(&app).await;
    let health = app.request(axum::http::Method::GET, "/api/health/deep", None, None).await;
    assert_eq!(
        health.body["backup"],
        json!({ "status": "never", "last_success_at": null, "age_seconds": null, "schedule_seconds": 86_400 })
    );

    // Due: none was made yet. Then not due again the same day, due the next.
    let now = chrono::Utc::now();
    let made = backup::schedule::run_if_due(&app.state, now).await.unwrap().expect("a first backup");
    backup::verify(&made.path, None).await.unwrap();
    assert!(backup::schedule::run_if_due(&app.state, now + chrono::Duration::hours(1)).await.unwrap().is_none());
    let health = app.request(axum::http::Method::GET, "/api/health/deep", None, None).await;
    assert_eq!(health.body["backup"]["status"], "ok", "{:?}", health.body);
    assert!(health.body["backup"]["age_seconds"].as_u64().unwrap() < 60);

    // Archives are named by the second they were made; three days, two kept.
    for day in 1..=3 {
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
        assert!(backup::schedule::run_if_due(&app.state, now + chrono::Duration::days(day)).await.unwrap().is_some());
    }
    let mut kept: Vec<_> = std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");

    // The age of the last good one is a metric for the backup alert.
    let admin = app.user(Role::Admin).await;
    let metrics = app.get("/metrics", &admin.token).await;
    let text = metrics.body.as_str().map(str::to_owned).unwrap_or_default();
    assert!(text.lines().any(|l| l.starts_with("petpixel_backup_age_seconds ")), "{text}");

    // A failed backup (the folder cannot be written) says so, and the next check tries again.
    std::fs::remove_dir_all(&backups).unwrap();
    std::fs::write(&backups, b"a file where the folder was").unwrap();
    assert!(backup::schedule::run_if_due(&app.state, now + chrono::Duration::days(5)).await.is_err());
    let health = app.request(axum::http::Method::GET, "/api/health/deep", None, None).await;
    assert_eq!(health.body["backup"]["status"], "failed", "{:?}", health.body);
}

#[tokio::test]
async fn an_archive_goes_to_a_bucket_is_kept_there_and_restores_from_it() {
    // Where CI runs an S3 server: the endpoint and keys of the app's own store.
    let Some(s3) = crate::storage::s3_config() else { return };
    let app = TestApp::with_config(|c| {
        c.storage = petpixel_server::config::StorageConfig::S3(s3.clone());
        c.backup_keep = 2;
    })
    .await;
    studio(&app).await;
    let prefix = format!("backups/{}/", uuid::Uuid::now_v7().simple());
    let target = petpixel_server::config::BackupTarget::S3 { bucket: s3.bucket.clone(), prefix: prefix.clone() };
    let config = &app.state.config;
    let mut made = Vec::new();
    for _ in 0..3 {
        let summary = backup::schedule::record(&app.state.db.conn, &app.state.storage, config, "command", &target).await.unwrap();
        assert!(summary.location.starts_with(&format!("s3://{}/{prefix}petpixel-backup-", s3.bucket)), "{}", summary.location);
        assert!(!summary.path.exists(), "the staged copy is removed once uploaded");
        made.push(summary.location);
        tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    }
    assert_eq!(backup::target::prune(config, &target, 2).await.unwrap(), 1);

    let (path, downloaded) = backup::target::fetch(config, &made[2]).await.unwrap();
    assert!(downloaded);
    backup::verify(&path, None).await.unwrap();
    let target_app = fresh().await;
    backup::restore(&target_app.state.db.conn, &target_app.state.storage, &path, None, false).await.unwrap();
    assert_eq!(rows(&target_app.state.db.conn).await, rows(&app.state.db.conn).await);
    let gone = backup::target::fetch(config, &made[0]).await.unwrap_err();
    assert!(format!("{gone:#}").contains("downloading"), "the oldest was pruned: {gone:#}");
}
