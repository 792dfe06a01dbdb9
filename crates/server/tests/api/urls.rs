//! Game addresses: proposals and checks, atomic reservations (a race of 20), expiry and release,
//! deploying builds and serving them at `/g/<slug>` from memory, 404 and 410 pages, views counted
//! in batches, permissions. On both databases (per `TEST_DATABASE_URL`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use petpixel_server::entities::{game_urls, url_daily_views};
use petpixel_types::Role;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::assets::process;
use crate::builds::{build, demo_project};
use crate::support::{Reply, TestApp, TestUser};

async fn reserve(app: &TestApp, token: &str, project: &str, slug: &str) -> Reply {
    app.post(&format!("/api/v1/projects/{project}/urls"), token, json!({ "slug": slug })).await
}

async fn page(app: &TestApp, path: &str) -> Reply {
    app.send(Request::get(path).body(Body::empty()).unwrap()).await
}

async fn project_of(app: &TestApp, manager: &TestUser, overrides: Value) -> String {
    app.project(&manager.token, overrides).await["id"].as_str().unwrap().to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn proposals_come_from_the_pet_and_a_check_says_why_not() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let zoe = project_of(
        &app,
        &manager,
        json!({ "pet_name": "Zoë", "pet_personality": "Sunny, loves zoomies", "pet_breed": "Beagle", "game_config": { "theme": "beach", "difficulty": "easy", "features": [] } }),
    )
    .await;
    let reply = app.post(&format!("/api/v1/projects/{zoe}/urls/generate"), &manager.token, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let options = reply.body["options"].as_array().unwrap();
    assert!(options.len() >= 6, "{options:?}");
    assert_eq!(options[0]["slug"], "zoe-sunny");
    assert!(options.iter().all(|o| o["available"] == true && o["slug"].as_str().unwrap().contains("zoe")), "{options:?}");
    for expected in ["zoe-zoomies", "zoe-beach", "zoe-beagle"] {
        assert!(options.iter().any(|o| o["slug"] == expected), "{expected} in {options:?}");
    }

    let check = app.get("/api/v1/urls/check?slug=zoe-sunny", &manager.token).await;
    assert_eq!(check.body, json!({ "slug": "zoe-sunny", "available": true, "reason": null, "message": null, "alternatives": [] }));
    let reply = reserve(&app, &manager.token, &zoe, "zoe-sunny").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    assert_eq!(reply.headers["location"], format!("/api/v1/urls/{}", id(&reply.body)));
    assert_eq!(reply.body["status"], "reserved");
    assert_eq!(reply.body["full_url"], "http://studio.test/g/zoe-sunny");
    let expires: DateTime<Utc> = reply.body["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - Utc::now()).num_hours() as f64 / 24.0;
    assert!((13.9..=14.0).contains(&days), "14 days by default: {days}");

    // Held now: why, and available ones like it.
    let check = app.get("/api/v1/urls/check?slug=zoe-sunny", &manager.token).await;
    assert_eq!((check.body["available"].clone(), check.body["reason"].clone()), (json!(false), json!("reserved")));
    let alternatives: Vec<String> = serde_json::from_value(check.body["alternatives"].clone()).unwrap();
    assert!(!alternatives.is_empty() && alternatives.iter().all(|a| a.contains("zoe-sunny")), "{alternatives:?}");
    for a in &alternatives {
        assert_eq!(app.get(&format!("/api/v1/urls/check?slug={a}"), &manager.token).await.body["available"], true, "{a}");
    }
    // Another Zoë's proposals show it taken, available ones first.
    let other = project_of(&app, &manager, json!({ "pet_name": "Zoë", "pet_personality": "sunny" })).await;
    let reply = app.post(&format!("/api/v1/projects/{other}/urls/generate"), &manager.token, json!({})).await;
    let options = reply.body["options"].as_array().unwrap();
    let held = options.iter().find(|o| o["slug"] == "zoe-sunny").expect("still proposed");
    assert_eq!((held["available"].clone(), held["reason"].clone()), (json!(false), json!("reserved")));
    assert_eq!(options[0]["available"], true);

    for (slug, reason) in [
        ("admin", "blocked"),
        ("buttercup-login", "blocked"),
        ("fluffyfuck", "blocked"),
        ("Bad%20Slug", "invalid"),
        ("ab", "invalid"),
        ("zo%C3%AB", "invalid"),
    ] {
        let check = app.get(&format!("/api/v1/urls/check?slug={slug}"), &manager.token).await;
        assert_eq!(check.status, StatusCode::OK);
        assert_eq!((check.body["available"].clone(), check.body["reason"].clone()), (json!(false), json!(reason)), "{slug}");
        assert!(check.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    let missing = app.get("/api/v1/urls/check", &manager.token).await;
    assert_eq!((missing.status, missing.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["slug".to_owned()]));
    for (slug, code) in [("admin", "blocked"), ("Not A Slug", "invalid"), ("x", "invalid")] {
        let reply = reserve(&app, &manager.token, &other, slug).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{slug}");
        assert!(reply.is_problem());
        assert_eq!(reply.body["errors"][0]["field"], "slug");
        assert_eq!(reply.body["errors"][0]["code"], code);
    }
    let no_body = app.post(&format!("/api/v1/projects/{other}/urls"), &manager.token, json!({})).await;
    assert_eq!(no_body.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = reserve(&app, &manager.token, &Uuid::now_v7().to_string(), "rex-sunny").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn of_twenty_concurrent_reservations_of_one_slug_exactly_one_wins() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let mut projects = Vec::new();
    for _ in 0..20 {
        projects.push(project_of(&app, &manager, json!({})).await);
    }
    for round in 0..3 {
        let slug = format!("buttercup-race-{round}");
        if round > 0 {
            // Each round's projects need no live address: release the last winner's.
            let rows = game_urls::Entity::find().filter(game_urls::Column::Status.eq("reserved")).all(&app.state.db.conn).await.unwrap();
            for row in rows {
                assert_eq!(app.delete(&format!("/api/v1/urls/{}", row.id), &manager.token).await.status, StatusCode::NO_CONTENT);
            }
        }
        let replies = futures::future::join_all(projects.iter().map(|p| reserve(&app, &manager.token, p, &slug))).await;
        let won: Vec<&Reply> = replies.iter().filter(|r| r.status == StatusCode::CREATED).collect();
        assert_eq!(won.len(), 1, "round {round}: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        for lost in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
            assert_eq!(lost.status, StatusCode::CONFLICT, "{:?}", lost.body);
            assert!(lost.is_problem());
            let alternatives = lost.body["alternatives"].as_array().expect("alternatives");
            assert!(!alternatives.is_empty() && alternatives.iter().all(|a| a.as_str().unwrap().contains(&slug)), "{alternatives:?}");
        }
        let live = game_urls::Entity::find()
            .filter(game_urls::Column::UrlSlug.eq(&slug))
            .filter(game_urls::Column::Status.is_in(["reserved", "active"]))
            .count(&app.state.db.conn)
            .await
            .unwrap();
        assert_eq!(live, 1, "round {round}: one row holds the slug");
    }

    // One project, twenty slugs at once: it gets one address.
    let project = project_of(&app, &manager, json!({})).await;
    let slugs: Vec<String> = (0..20).map(|n| format!("solo-{n}-pup")).collect();
    let replies = futures::future::join_all(slugs.iter().map(|slug| reserve(&app, &manager.token, &project, slug))).await;
    assert_eq!(replies.iter().filter(|r| r.status == StatusCode::CREATED).count(), 1);
    assert!(replies
        .iter()
        .filter(|r| r.status != StatusCode::CREATED)
        .all(|r| r.status == StatusCode::CONFLICT && r.body["detail"].as_str().unwrap().contains("already has the address")));
}

/// Moves a reservation's expiry into the past.
async fn expire(app: &TestApp, url: &str) {
    let row = game_urls::Entity::find_by_id(url.parse::<Uuid>().unwrap()).one(&app.state.db.conn).await.unwrap().unwrap();
    let mut row: game_urls::ActiveModel = row.into();
    row.expires_at = Set(Utc::now() - chrono::Duration::minutes(1));
    row.update(&app.state.db.conn).await.unwrap();
}

async fn activity_actions(app: &TestApp, token: &str, url: &str) -> Vec<String> {
    let reply = app.get(&format!("/api/v1/activity?resource_type=url&resource_id={url}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).rev().collect()
}

#[tokio::test]
async fn a_reservation_expires_and_a_released_address_frees_its_slug() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let (first, second, third) = (
        project_of(&app, &manager, json!({})).await,
        project_of(&app, &manager, json!({})).await,
        project_of(&app, &manager, json!({})).await,
    );

    // Past its expiry, a reservation holds nothing, even before the sweeper comes.
    let old = reserve(&app, &manager.token, &first, "biscuit-beach").await;
    assert_eq!(old.status, StatusCode::CREATED);
    expire(&app, &id(&old.body)).await;
    assert_eq!(app.get("/api/v1/urls/check?slug=biscuit-beach", &manager.token).await.body["available"], true);
    assert_eq!(page(&app, "/g/biscuit-beach").await.status, StatusCode::GONE);
    let new = reserve(&app, &manager.token, &second, "biscuit-beach").await;
    assert_eq!(new.status, StatusCode::CREATED, "{:?}", new.body);
    let old = app.get(&format!("/api/v1/urls/{}", id(&old.body)), &manager.token).await;
    assert_eq!(old.body["status"], "expired");
    assert_eq!(activity_actions(&app, &manager.token, &id(&old.body)).await, ["url.reserved", "url.expired"]);
    // The expired project may reserve again.
    assert_eq!(reserve(&app, &manager.token, &first, "biscuit-park").await.status, StatusCode::CREATED);

    // The sweeper marks what is due.
    let swept = reserve(&app, &manager.token, &third, "biscuit-space").await;
    expire(&app, &id(&swept.body)).await;
    assert_eq!(petpixel_server::urls::service::expire_due(&app.state).await.unwrap(), 1);
    assert_eq!(app.get(&format!("/api/v1/urls/{}", id(&swept.body)), &manager.token).await.body["status"], "expired");
    assert_eq!(petpixel_server::urls::service::expire_due(&app.state).await.unwrap(), 0);

    // Released: 410, the slug free, the project free for another.
    let artist = app.user(Role::Artist).await;
    let url = id(&new.body);
    assert_eq!(app.delete(&format!("/api/v1/urls/{url}"), &artist.token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&format!("/api/v1/urls/{url}"), &manager.token).await.status, StatusCode::NO_CONTENT);
    let again = app.delete(&format!("/api/v1/urls/{url}"), &manager.token).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&format!("/api/v1/urls/{url}"), &manager.token).await.body["status"], "deleted");
    let gone = page(&app, "/g/biscuit-beach").await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.body.as_str().unwrap().contains("no longer here"));
    assert_eq!(app.get("/api/v1/urls/check?slug=biscuit-beach", &manager.token).await.body["available"], true);
    assert_eq!(reserve(&app, &manager.token, &second, "biscuit-again").await.status, StatusCode::CREATED);
    assert_eq!(activity_actions(&app, &manager.token, &url).await, ["url.reserved", "url.released"]);

    // A reserved address with no game yet is not found (yet); an unknown one neither.
    let soon = page(&app, "/g/biscuit-again").await;
    assert_eq!(soon.status, StatusCode::NOT_FOUND);
    assert!(soon.body.as_str().unwrap().contains("Coming soon"));
    for path in ["/g/nobody-here", "/g/NOT_A_SLUG", "/g/x"] {
        let reply = page(&app, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    }

    // Deleting a project releases its address.
    let project = project_of(&app, &manager, json!({})).await;
    reserve(&app, &manager.token, &project, "gone-with-it").await;
    let admin = app.user(Role::Admin).await;
    assert_eq!(app.delete(&format!("/api/v1/projects/{project}"), &admin.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(page(&app, "/g/gone-with-it").await.status, StatusCode::GONE);
}

async fn deploy(app: &TestApp, token: &str, url: &str, build: &str) -> Reply {
    app.post(&format!("/api/v1/urls/{url}/deploy"), token, json!({ "build_id": build })).await
}

fn base_of(page: &Reply) -> String {
    let html = page.body.as_str().unwrap();
    let start = html.find("<base href=\"").expect("a base") + 12;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_deployed_build_is_served_from_memory_and_switches_atomically() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let token = d.manager.token.clone();
    let slots = json!({ "hero": d.hero, "background": d.background, "jump_sound": d.sound });
    let first = build(&app, &token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    let second =
        build(&app, &token, &d.project, json!({ "template": "catcher", "slots": { "hero": d.hero, "background": d.background, "treat": d.hero, "catch_sound": d.sound }, "params": {} })).await;
    assert_eq!((first["status"].as_str(), second["status"].as_str()), (Some("ready"), Some("ready")));
    let url = id(&reserve(&app, &token, &d.project, "biscuit-runs").await.body);

    // Not a build of this project, not ready: 422 naming build_id.
    let other = project_of(&app, &d.manager, json!({})).await;
    let failed =
        app.post(&format!("/api/v1/projects/{other}/builds"), &token, json!({ "template": "memory", "slots": {}, "params": {} })).await;
    process(&app).await;
    for (build, code) in [(Uuid::now_v7().to_string(), "not_found"), (id(&failed.body), "not_found")] {
        let reply = deploy(&app, &token, &url, &build).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", reply.body);
        assert_eq!((reply.body["errors"][0]["field"].as_str(), reply.body["errors"][0]["code"].as_str()), (Some("build_id"), Some(code)));
    }
    let own_failed = app
        .post(&format!("/api/v1/projects/{}/builds", d.project), &token, json!({ "template": "memory", "slots": {}, "params": {} }))
        .await;
    process(&app).await;
    let reply = deploy(&app, &token, &url, &id(&own_failed.body)).await;
    assert_eq!(reply.body["errors"][0]["code"], "not_ready", "{:?}", reply.body);
    let artist = app.user(Role::Artist).await;
    assert_eq!(deploy(&app, &artist.token, &url, &id(&first)).await.status, StatusCode::FORBIDDEN);

    let live = deploy(&app, &token, &url, &id(&first)).await;
    assert_eq!(live.status, StatusCode::OK, "{:?}", live.body);
    assert_eq!((live.body["status"].as_str(), live.body["build_id"].as_str()), (Some("active"), first["id"].as_str()));
    assert!(live.body["deployed_at"].is_string());

    // The page: sandboxed, revalidated, pointing at its own build's files.
    let game = page(&app, "/g/biscuit-runs").await;
    assert_eq!(game.status, StatusCode::OK);
    assert_eq!(game.headers["content-security-policy"], "sandbox allow-scripts");
    assert_eq!(game.headers["cache-control"], "no-cache");
    assert!(game.headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(base_of(&game), format!("/g/biscuit-runs/{}/", id(&first)));
    assert_eq!(page(&app, "/g/biscuit-runs/").await.body, game.body);
    let names: Vec<String> = first["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned()).collect();
    for name in names.iter().filter(|n| *n != "index.html") {
        let file = app.router_response(Request::get(format!("/g/biscuit-runs/{}/{name}", id(&first))).body(Body::empty()).unwrap()).await;
        assert_eq!(file.status(), StatusCode::OK, "{name}");
        let header = |h: &str| file.headers()[h].to_str().unwrap().to_owned();
        assert_eq!(header("cache-control"), "public, max-age=31536000, immutable");
        assert_eq!(header("content-security-policy"), "sandbox allow-scripts");
        assert_eq!(header("access-control-allow-origin"), "*");
        let expected = match name.rsplit('.').next() {
            Some("wasm") => "application/wasm",
            Some("js") => "text/javascript; charset=utf-8",
            Some("json") => "application/json",
            Some("webp") => "image/webp",
            Some("png") => "image/png",
            Some("wav") => "audio/wav",
            other => panic!("unexpected file {name} ({other:?})"),
        };
        assert_eq!(header("content-type"), expected, "{name}");
    }
    for path in [
        format!("/g/biscuit-runs/{}/index.html", id(&first)),
        format!("/g/biscuit-runs/{}/nothing.js", id(&first)),
        format!("/g/biscuit-runs/{}/..%2F..%2Fsecret", id(&first)),
        format!("/g/biscuit-runs/not-a-build/{}", names[0]),
        format!("/g/biscuit-runs/{}/{}", Uuid::now_v7(), names[0]),
        // Another project's build is not served under this address.
        format!("/g/biscuit-runs/{}/x.js", id(&failed.body)),
    ] {
        assert_eq!(page(&app, &path).await.status, StatusCode::NOT_FOUND, "{path}");
    }

    // Redeploy: the page switches at once; a page loaded before still gets its own files.
    let wasm_of = |b: &Value| {
        b["files"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned()).find(|n| n.ends_with(".wasm")).unwrap()
    };
    let switched = deploy(&app, &token, &url, &id(&second)).await;
    assert_eq!(switched.status, StatusCode::OK);
    assert_eq!(base_of(&page(&app, "/g/biscuit-runs").await), format!("/g/biscuit-runs/{}/", id(&second)));
    assert_eq!(page(&app, &format!("/g/biscuit-runs/{}/{}", id(&first), wasm_of(&first))).await.status, StatusCode::OK);
    // A live build cannot be deleted; rolling back is deploying the earlier one again.
    let refused = app.delete(&format!("/api/v1/builds/{}", id(&second)), &token).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(refused.body["detail"].as_str().unwrap().contains("/g/biscuit-runs"));
    assert_eq!(deploy(&app, &token, &url, &id(&first)).await.status, StatusCode::OK);
    assert_eq!(base_of(&page(&app, "/g/biscuit-runs").await), format!("/g/biscuit-runs/{}/", id(&first)));
    assert_eq!(deploy(&app, &token, &url, &id(&first)).await.body["build_id"], first["id"], "the same build again changes nothing");
    assert_eq!(activity_actions(&app, &token, &url).await, ["url.reserved", "url.deployed", "url.deployed", "url.deployed"]);

    // Warm, it needs neither the database nor the storage: take both away.
    let game = page(&app, "/g/biscuit-runs").await;
    let wasm = format!("/g/biscuit-runs/{}/{}", id(&first), wasm_of(&first));
    assert_eq!(page(&app, &wasm).await.status, StatusCode::OK);
    let conn = &app.state.db.conn;
    conn.execute_unprepared("ALTER TABLE url_daily_views RENAME TO url_daily_views_away").await.unwrap();
    conn.execute_unprepared("ALTER TABLE game_urls RENAME TO game_urls_away").await.unwrap();
    for object in app.state.storage.list(&format!("builds/{}/", id(&first))).await.unwrap() {
        app.state.storage.delete(&object.key).await.unwrap();
    }
    assert_eq!(page(&app, "/g/biscuit-runs").await.body, game.body);
    assert_eq!(page(&app, &wasm).await.status, StatusCode::OK);
    conn.execute_unprepared("ALTER TABLE game_urls_away RENAME TO game_urls").await.unwrap();
    conn.execute_unprepared("ALTER TABLE url_daily_views_away RENAME TO url_daily_views").await.unwrap();
}

#[tokio::test]
async fn views_are_counted_in_memory_and_written_in_batches() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let token = d.manager.token.clone();
    let b = build(
        &app,
        &token,
        &d.project,
        json!({ "template": "runner", "slots": { "hero": d.hero, "background": d.background }, "params": {} }),
    )
    .await;
    let url = id(&reserve(&app, &token, &d.project, "biscuit-views").await.body);
    assert_eq!(deploy(&app, &token, &url, &id(&b)).await.status, StatusCode::OK);

    let replies = futures::future::join_all((0..200).map(|_| page(&app, "/g/biscuit-views"))).await;
    assert!(replies.iter().all(|r| r.status == StatusCode::OK));
    // A HEAD and the game's files are not views.
    let head = app.router_response(Request::head("/g/biscuit-views").body(Body::empty()).unwrap()).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(
        page(&app, &format!("/g/biscuit-views/{}/{}", id(&b), b["files"][0]["name"].as_str().unwrap())).await.status.as_u16() / 100,
        2
    );

    // Nothing written per request.
    let row = game_urls::Entity::find_by_id(url.parse::<Uuid>().unwrap()).one(&app.state.db.conn).await.unwrap().unwrap();
    assert_eq!((row.view_count, row.last_accessed), (0, None));
    // This process's counts are in its answers already.
    let analytics = app.get(&format!("/api/v1/urls/{url}/analytics"), &token).await;
    assert_eq!(analytics.status, StatusCode::OK, "{:?}", analytics.body);
    assert_eq!(analytics.body["view_count"], 200);

    assert_eq!(app.state.views.flush(&app.state.db).await.unwrap(), 200);
    for _ in 0..50 {
        page(&app, "/g/biscuit-views").await;
    }
    assert_eq!(app.state.views.flush(&app.state.db).await.unwrap(), 50);
    assert_eq!(app.state.views.flush(&app.state.db).await.unwrap(), 0);
    let row = game_urls::Entity::find_by_id(url.parse::<Uuid>().unwrap()).one(&app.state.db.conn).await.unwrap().unwrap();
    assert_eq!(row.view_count, 250, "no count lost");
    assert!(row.last_accessed.is_some_and(|t| (Utc::now() - t).num_seconds() < 60));
    let today = url_daily_views::Entity::find().filter(url_daily_views::Column::UrlId.eq(row.id)).all(&app.state.db.conn).await.unwrap();
    assert_eq!(today.iter().map(|r| (r.day, r.views)).collect::<Vec<_>>(), vec![(Utc::now().date_naive(), 250)]);

    let analytics = app.get(&format!("/api/v1/urls/{url}/analytics?days=7"), &token).await;
    let daily = analytics.body["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 7);
    assert_eq!(daily[6], json!({ "day": Utc::now().date_naive(), "views": 250 }));
    assert!(daily[..6].iter().all(|d| d["views"] == 0));
    assert_eq!((analytics.body["view_count"].as_i64(), analytics.body["period_views"].as_i64()), (Some(250), Some(250)));
    for bad in ["0", "366", "many"] {
        let reply = app.get(&format!("/api/v1/urls/{url}/analytics?days={bad}"), &token).await;
        assert_eq!((reply.status, reply.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["days".to_owned()]), "{bad}");
    }

    // Artists read addresses; the views are for analytics:read.
    let artist = app.user(Role::Artist).await;
    assert_eq!(app.get(&format!("/api/v1/urls/{url}"), &artist.token).await.body["view_count"], 250);
    assert_eq!(app.get(&format!("/api/v1/urls/{url}/analytics"), &artist.token).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/urls/check?slug=rex-runs", &artist.token).await.status, StatusCode::OK);
    assert_eq!(app.post(&format!("/api/v1/projects/{}/urls/generate", d.project), &artist.token, json!({})).await.status, StatusCode::OK);
    assert_eq!(reserve(&app, &artist.token, &d.project, "rex-runs").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/urls/check?slug=rex-runs", "not-a-token").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_urls_list_filters_searches_and_sorts() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for (pet, slug) in [("Waffles", "waffles-zoomies"), ("Pickle", "pickle-party"), ("Mochi", "mochi-moon")] {
        let project = project_of(&app, &manager, json!({ "pet_name": pet })).await;
        assert_eq!(reserve(&app, &manager.token, &project, slug).await.status, StatusCode::CREATED);
    }
    let pickle = app.get("/api/v1/urls?q=pickle", &manager.token).await.body;
    assert_eq!(pickle["items"][0]["url_slug"], "pickle-party");
    assert_eq!((pickle["total"].as_u64(), pickle["items"][0]["pet_name"].as_str()), (Some(1), Some("Pickle")));
    assert_eq!(app.get("/api/v1/urls?q=moon", &manager.token).await.body["total"], 1, "the slug is searched too");
    let sorted = app.get("/api/v1/urls?sort=slug", &manager.token).await.body;
    let slugs: Vec<&str> = sorted["items"].as_array().unwrap().iter().map(|i| i["url_slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["mochi-moon", "pickle-party", "waffles-zoomies"]);
    let newest = app.get("/api/v1/urls", &manager.token).await.body;
    assert_eq!(newest["items"][0]["url_slug"], "mochi-moon");
    assert_eq!(app.get("/api/v1/urls?status=active", &manager.token).await.body["total"], 0);
    let bad = app.get("/api/v1/urls?status=lost&sort=up&limit=0", &manager.token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["status", "sort", "limit"]);
}

/// Builds and files that do not exist (made-up ids and names, as a scanner sends them) are
/// answered from the project's catalogue in memory: neither the database nor the store is read.
/// A large file (music longer than a few seconds) streams from the store with its length, never
/// kept in memory.
#[tokio::test]
async fn made_up_names_cost_no_read_and_large_files_stream() {
    use petpixel_server::assets::fixtures;
    use petpixel_server::config::StorageConfig;

    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let token = d.manager.token.clone();
    // Twelve seconds of 48 kHz mono: 1.1 MB, over what is kept in memory.
    let music = crate::assets::upload(&app, &d.project, &token, "sound", "theme.wav", &fixtures::wav(48_000, 12)).await;
    assert_eq!(music.status, StatusCode::CREATED, "{:?}", music.body);
    process(&app).await;
    let slots = json!({ "hero": d.hero, "background": d.background, "jump_sound": d.sound, "music": music.body["id"] });
    let built = build(&app, &token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    assert_eq!(built["status"], "ready", "{built}");
    let url = id(&reserve(&app, &token, &d.project, "biscuit-sings").await.body);
    assert_eq!(deploy(&app, &token, &url, &id(&built)).await.status, StatusCode::OK);
    let base = format!("/g/biscuit-sings/{}", id(&built));

    let large = built["files"].as_array().unwrap().iter().find(|f| f["size"].as_u64().unwrap() > 1 << 20).expect("the music").clone();
    let name = large["name"].as_str().unwrap();
    let reply = app.router_response(Request::get(format!("{base}/{name}")).body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.headers()["content-length"].to_str().unwrap(), large["size"].to_string());
    let body = http_body_util::BodyExt::collect(reply.into_body()).await.unwrap().to_bytes();
    assert_eq!(body.len() as u64, large["size"].as_u64().unwrap());
    assert!(app.state.games.files.get(&(id(&built).parse().unwrap(), name.to_owned())).is_none(), "not kept in memory");

    // Warm: the page and a file. Then take the builds table and the build's folder away.
    assert_eq!(page(&app, "/g/biscuit-sings").await.status, StatusCode::OK);
    let wasm = built["files"].as_array().unwrap().iter().find_map(|f| f["name"].as_str().filter(|n| n.ends_with(".wasm"))).unwrap();
    assert_eq!(page(&app, &format!("{base}/{wasm}")).await.status, StatusCode::OK);
    let conn = &app.state.db.conn;
    conn.execute_unprepared("ALTER TABLE builds RENAME TO builds_away").await.unwrap();
    let StorageConfig::Local { dir } = &app.state.config.storage else { panic!("the folder store") };
    let folder = dir.join("builds").join(id(&built));
    let kept = dir.join("kept-aside");
    std::fs::rename(&folder, &kept).unwrap();
    // Any read under the build's folder now fails (it is a file): a read would answer 503.
    std::fs::write(&folder, b"not a folder").unwrap();
    for i in 0..50 {
        let made_up_build = format!("/g/biscuit-sings/{}/{wasm}", Uuid::now_v7());
        let made_up_file = format!("{base}/probe-{i}.js");
        for path in [made_up_build, made_up_file] {
            assert_eq!(page(&app, &path).await.status, StatusCode::NOT_FOUND, "{path}");
        }
    }
    assert_eq!(page(&app, &format!("{base}/{wasm}")).await.status, StatusCode::OK, "still served from memory");
    std::fs::remove_file(&folder).unwrap();
    std::fs::rename(&kept, &folder).unwrap();
    conn.execute_unprepared("ALTER TABLE builds_away RENAME TO builds").await.unwrap();
}
