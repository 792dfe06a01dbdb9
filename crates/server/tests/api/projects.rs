use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use petpixel_types::Role;
use sea_orm::EntityTrait;
use serde_json::{json, Value};

use crate::support::TestApp;

fn ids(reply: &Value) -> Vec<String> {
    reply["items"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn intake_validates_every_field_and_names_each_bad_one() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let bad_email = app.post("/api/v1/projects", &manager.token, TestApp::order(json!({ "customer_email": "sunny-at-example" }))).await;
    assert_eq!(bad_email.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_email.is_problem());
    assert_eq!(bad_email.error_fields(), ["customer_email"]);
    assert_eq!(bad_email.body["errors"][0]["code"], "invalid_email");

    let empty = app.post("/api/v1/projects", &manager.token, json!({})).await;
    assert_eq!(empty.error_fields(), ["customer_name", "customer_email", "pet_name", "package_type", "game_config"]);

    let cases = [
        (json!({ "package_type": "deluxe" }), "package_type"),
        (json!({ "pet_age": 41 }), "pet_age"),
        (json!({ "pet_age": -1 }), "pet_age"),
        (json!({ "pet_age": "three" }), "pet_age"),
        (json!({ "priority": "asap" }), "priority"),
        (json!({ "deadline": "next tuesday" }), "deadline"),
        (json!({ "estimated_hours": 100000 }), "estimated_hours"),
        (json!({ "customer_phone": "call me maybe" }), "customer_phone"),
        (json!({ "game_config": { "theme": "", "difficulty": "easy", "features": [] } }), "game_config.theme"),
        (json!({ "game_config": { "theme": "x", "difficulty": "impossible", "features": [] } }), "game_config.difficulty"),
        (json!({ "game_config": { "theme": "x", "difficulty": "easy", "features": [""] } }), "game_config.features[0]"),
        (json!({ "game_config": { "theme": "x", "difficulty": "easy", "colour": "red" } }), "game_config.colour"),
        (json!({ "pet_name": "x".repeat(101) }), "pet_name"),
        (json!({ "favourite_colour": "red" }), "favourite_colour"),
    ];
    for (overrides, field) in cases {
        let reply = app.post("/api/v1/projects", &manager.token, TestApp::order(overrides.clone())).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{overrides}");
        assert_eq!(reply.error_fields(), [field], "{overrides}: {:?}", reply.body);
    }
    let list = app.get("/api/v1/projects", &manager.token).await;
    assert_eq!(list.body["total"], 0, "no refused order left a record");
}

#[tokio::test]
async fn a_good_order_lands_in_the_backlog() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let reply = app
        .post(
            "/api/v1/projects",
            &manager.token,
            TestApp::order(
                json!({ "customer_phone": "+1 (555) 010-2030", "pet_age": 4, "deadline": "2030-01-31", "notes": "  loves tennis balls  " }),
            ),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.body["id"].as_str().unwrap();
    assert_eq!(reply.headers["location"], format!("/api/v1/projects/{id}").as_str());
    assert_eq!(reply.headers["etag"], "\"1\"");
    assert_eq!(reply.body["status"], "backlog");
    assert_eq!(reply.body["priority"], "normal");
    assert_eq!(reply.body["notes"], "loves tennis balls");
    assert_eq!(reply.body["game_config"], json!({ "theme": "space adventure", "difficulty": "easy", "features": ["leaderboard"] }));
    assert_eq!(reply.body["overdue"], false);

    let detail = app.get(&format!("/api/v1/projects/{id}"), &manager.token).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.body["pet_name"], "Buttercup");
    assert_eq!(detail.body["assets"], json!([]));
    assert_eq!(detail.body["urls"], json!([]));
}

#[tokio::test]
async fn artists_read_but_do_not_take_orders() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.post("/api/v1/projects", &artist.token, TestApp::order(json!({}))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body["detail"], "You need the `projects:create` permission for this.");
    assert_eq!(app.get("/api/v1/projects", &artist.token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_assigned_artist_edits_and_the_others_are_refused() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let iris = app.user(Role::Artist).await;
    let theo = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({})).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());

    assert_eq!(app.patch(&path, &iris.token, json!({ "notes": "before assignment" })).await.status, StatusCode::FORBIDDEN);
    let assign = app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": iris.id })).await;
    assert_eq!(assign.status, StatusCode::OK);
    assert_eq!(assign.body["assigned_artist"]["id"], iris.id.to_string());
    assert_eq!(assign.body["assigned_artist"]["display_name"], "Test artist");

    let edit = app.patch(&path, &iris.token, json!({ "pet_breed": "Golden Retriever", "actual_hours": 3 })).await;
    assert_eq!(edit.status, StatusCode::OK);
    assert_eq!(edit.body["pet_breed"], "Golden Retriever");
    assert_eq!(edit.body["version"], 3);

    let refused = app.patch(&path, &theo.token, json!({ "notes": "mine now" })).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.is_problem());
    assert_eq!(app.put(&format!("{path}/status"), &theo.token, json!({ "status": "in_progress" })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.put(&format!("{path}/assignee"), &iris.token, json!({ "artist_id": theo.id })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.delete(&path, &iris.token).await.status, StatusCode::FORBIDDEN);

    let nobody = app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": uuid::Uuid::now_v7() })).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nobody.error_fields(), ["artist_id"]);
    let unassign = app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": null })).await;
    assert_eq!(unassign.body["assigned_artist"], Value::Null);
    assert_eq!(app.patch(&path, &iris.token, json!({ "notes": "x" })).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn patch_clears_with_null_and_refuses_stale_versions() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({ "pet_breed": "Corgi", "deadline": "2030-05-01" })).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    let cleared = app.patch(&path, &manager.token, json!({ "pet_breed": null, "deadline": null })).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["pet_breed"], Value::Null);
    assert_eq!(cleared.body["deadline"], Value::Null);
    assert_eq!(cleared.body["version"], 2);

    // Nothing to change: same version, no new activity.
    let same = app.patch(&path, &manager.token, json!({ "pet_name": "Buttercup" })).await;
    assert_eq!(same.body["version"], 2);

    let stale = app
        .send(
            Request::patch(&path)
                .header("authorization", format!("Bearer {}", manager.token))
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(Body::from(r#"{"notes":"late edit"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.is_problem());
    let fresh = app
        .send(
            Request::patch(&path)
                .header("authorization", format!("Bearer {}", manager.token))
                .header("content-type", "application/json")
                .header("if-match", "\"2\"")
                .body(Body::from(r#"{"notes":"timely edit"}"#))
                .unwrap(),
        )
        .await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert_eq!(fresh.headers["etag"], "\"3\"");

    let bad = app.patch(&path, &manager.token, json!({ "customer_email": "nope", "pet_name": "" })).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields(), ["customer_email", "pet_name"]);
}

#[tokio::test]
async fn the_status_walks_the_workflow_and_other_moves_are_409() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let project = app.project(&manager.token, json!({})).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
    let status = |s: &str| json!({ "status": s });

    let skip = app.put(&format!("{path}/status"), &artist.token, status("review")).await;
    assert_eq!(skip.status, StatusCode::CONFLICT);
    assert_eq!(skip.body["detail"], "A project cannot go from Backlog to Review; from Backlog it can go to In progress.");
    let unknown = app.put(&format!("{path}/status"), &artist.token, status("shipped")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), ["status"]);

    for s in ["in_progress", "review", "in_progress", "review", "complete"] {
        let reply = app.put(&format!("{path}/status"), &artist.token, status(s)).await;
        assert_eq!(reply.status, StatusCode::OK, "{s}: {:?}", reply.body);
        assert_eq!(reply.body["status"], s);
    }
    let done = app.get(&path, &artist.token).await;
    assert!(done.body["completed_at"].is_string());

    assert_eq!(app.put(&format!("{path}/status"), &artist.token, status("in_progress")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.put(&format!("{path}/status"), &manager.token, status("backlog")).await.status, StatusCode::CONFLICT);
    let reopened = app.put(&format!("{path}/status"), &manager.token, status("in_progress")).await;
    assert_eq!(reopened.status, StatusCode::OK);
    assert_eq!(reopened.body["completed_at"], Value::Null);
}

#[tokio::test]
async fn lists_filter_search_sort_and_page() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let today = Utc::now().date_naive();
    let past = (today - Duration::days(3)).to_string();
    let soon = (today + Duration::days(3)).to_string();
    let later = (today + Duration::days(30)).to_string();
    let a = app
        .project(&manager.token, json!({ "pet_name": "Alpha", "priority": "urgent", "package_type": "express", "deadline": past }))
        .await;
    let b = app
        .project(&manager.token, json!({ "pet_name": "bravo", "priority": "low", "deadline": soon, "notes": "Wants a TENNIS ball level" }))
        .await;
    let c = app
        .project(&manager.token, json!({ "pet_name": "Charlie", "priority": "high", "package_type": "premium", "deadline": later }))
        .await;
    let d = app.project(&manager.token, json!({ "pet_name": "Delta", "customer_name": "Zed 100%" })).await;
    let id = |p: &Value| p["id"].as_str().unwrap().to_owned();
    app.put(&format!("/api/v1/projects/{}/assignee", id(&b)), &manager.token, json!({ "artist_id": artist.id })).await;
    app.put(&format!("/api/v1/projects/{}/status", id(&c)), &manager.token, json!({ "status": "in_progress" })).await;

    let get = |q: &str| {
        let app = &app;
        let token = manager.token.clone();
        let q = q.to_owned();
        async move {
            let reply = app.get(&format!("/api/v1/projects?{q}"), &token).await;
            assert_eq!(reply.status, StatusCode::OK, "{q}: {:?}", reply.body);
            reply.body
        }
    };
    assert_eq!(ids(&get("").await), [id(&d), id(&c), id(&b), id(&a)], "newest first by default");
    assert_eq!(ids(&get("status=in_progress").await), [id(&c)]);
    assert_eq!(ids(&get("status=backlog,in_progress&sort=created_at").await).len(), 4);
    assert_eq!(ids(&get("priority=urgent,high&sort=-priority").await), [id(&a), id(&c)]);
    assert_eq!(ids(&get("package_type=premium").await), [id(&c)]);
    assert_eq!(ids(&get("q=tennis").await), [id(&b)]);
    assert_eq!(ids(&get("q=BRAVO").await), [id(&b)]);
    assert_eq!(ids(&get("q=100%25").await), [id(&d)], "a % in the search is literal");
    assert_eq!(ids(&get("q=Sunny@Example.com").await).len(), 4, "a whole address, in any case");
    assert!(ids(&get("q=sunny@example").await).is_empty(), "sealed: not found by a part of it");
    assert_eq!(ids(&get(&format!("assigned_to={}", artist.id)).await), [id(&b)]);
    let mine = app.get("/api/v1/projects?assigned_to=me", &artist.token).await;
    assert_eq!(ids(&mine.body), [id(&b)]);
    assert_eq!(ids(&get("assigned_to=none&sort=pet_name").await), [id(&a), id(&c), id(&d)]);
    assert_eq!(ids(&get(&format!("due_before={later}&sort=deadline")).await), [id(&a), id(&b)]);
    assert_eq!(ids(&get("sort=deadline").await), [id(&a), id(&b), id(&c), id(&d)], "no deadline sorts last");
    assert_eq!(ids(&get("sort=-deadline").await), [id(&c), id(&b), id(&a), id(&d)], "no deadline sorts last either way");
    let overdue = get("overdue=true").await;
    assert_eq!(ids(&overdue), [id(&a)]);
    assert_eq!(overdue["items"][0]["overdue"], true);
    assert_eq!(ids(&get("overdue=false").await).len(), 3);

    let page = get("sort=pet_name&limit=2&offset=1").await;
    assert_eq!(page["total"], 4);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["offset"], 1);
    assert_eq!(ids(&page), [id(&b), id(&c)]);
    let last = get("sort=pet_name&limit=3&offset=2").await;
    assert_eq!((ids(&last).len(), last["total"].clone()), (2, json!(4)), "a short page tells the total");
    let beyond = get("offset=10").await;
    assert_eq!((beyond["items"].clone(), beyond["total"].clone()), (json!([]), json!(4)));
}

/// Pages come from the order of every matching project and each project as the list shows it, both
/// kept between requests: once warm, a change to one project shows in every list at once (its row,
/// its place in each order, the totals), and so does a change to the artist shown on it.
#[tokio::test]
async fn a_change_shows_in_every_warm_list_at_once() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let mut made = Vec::new();
    for pet in ["Ann", "Bo", "Cy", "Di"] {
        made.push(app.project(&manager.token, json!({ "pet_name": pet })).await["id"].as_str().unwrap().to_owned());
    }
    let list = |q: &'static str| {
        let (app, token) = (&app, manager.token.clone());
        async move { app.get(&format!("/api/v1/projects?{q}"), &token).await.body }
    };
    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["pet_name"].as_str().unwrap().to_owned()).collect()
    };
    // Warm: the same pages twice.
    for _ in 0..2 {
        assert_eq!(names(&list("sort=pet_name&limit=2").await), ["Ann", "Bo"]);
        assert_eq!(names(&list("sort=pet_name&limit=2&offset=2").await), ["Cy", "Di"]);
        assert_eq!(list("status=in_progress").await["total"], 0);
    }
    // Renamed: moves within the order and shows its new name.
    let path = format!("/api/v1/projects/{}", made[0]);
    assert_eq!(app.patch(&path, &manager.token, json!({ "pet_name": "Zed" })).await.status, StatusCode::OK);
    assert_eq!(names(&list("sort=pet_name&limit=2").await), ["Bo", "Cy"]);
    assert_eq!(names(&list("sort=pet_name&limit=2&offset=2").await), ["Di", "Zed"]);
    // Moved to another status: in and out of the filtered lists, with their totals.
    app.put(&format!("{path}/status"), &manager.token, json!({ "status": "in_progress" })).await;
    let moved = list("status=in_progress").await;
    assert_eq!((names(&moved), moved["total"].clone()), (vec!["Zed".to_owned()], json!(1)));
    assert_eq!(list("status=backlog").await["total"], 3);
    // Assigned, then the artist renamed: the list shows the artist's new name.
    app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": artist.id })).await;
    let admin = app.user(Role::Admin).await;
    let renamed = app.patch(&format!("/api/v1/users/{}", artist.id), &admin.token, json!({ "first_name": "Renamed" })).await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
    let shown = list("status=in_progress").await;
    assert_eq!(shown["items"][0]["assigned_artist"]["id"], json!(artist.id));
    assert!(shown["items"][0]["assigned_artist"]["display_name"].as_str().unwrap().contains("Renamed"), "{shown}");
    // Deleted: gone from every page and total.
    assert_eq!(app.delete(&path, &manager.token).await.status, StatusCode::NO_CONTENT);
    assert_eq!(names(&list("sort=pet_name&limit=2&offset=2").await), ["Di"]);
    assert_eq!(list("").await["total"], 3);
    assert_eq!(list("status=in_progress").await["total"], 0);
}

/// Past what each process keeps of an order (`PETPIXEL_LIST_ORDER_DEPTH`), pages read their ids from
/// the index, with the same order and totals as the kept part.
#[tokio::test]
async fn pages_deeper_than_the_kept_order_come_from_the_index_alike() {
    // Kept to 3 ids: most pages from the index. Kept to 50: read 2 deep at first (a twenty-fifth),
    // then deeper as pages ask, to the whole order.
    for depth in [3, 50] {
        pages_read_alike(TestApp::with_config(move |c| c.list_order_depth = depth).await).await;
    }
}

async fn pages_read_alike(app: TestApp) {
    let manager = app.user(Role::Manager).await;
    for pet in ["Eve", "Ann", "Dot", "Cy", "Bo", "Fay", "Gus"] {
        app.project(&manager.token, json!({ "pet_name": pet })).await;
    }
    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["pet_name"].as_str().unwrap().to_owned()).collect()
    };
    let mut seen = Vec::new();
    for offset in [0, 2, 4, 6] {
        let page = app.get(&format!("/api/v1/projects?sort=pet_name&limit=2&offset={offset}"), &manager.token).await.body;
        assert_eq!(page["total"], 7, "offset {offset}");
        seen.extend(names(&page));
    }
    assert_eq!(seen, ["Ann", "Bo", "Cy", "Dot", "Eve", "Fay", "Gus"]);
    // A filter whose order fits in the depth tells its total from the order alone.
    app.put(
        &format!(
            "/api/v1/projects/{}/status",
            app.get("/api/v1/projects?sort=pet_name&limit=1", &manager.token).await.body["items"][0]["id"].as_str().unwrap()
        ),
        &manager.token,
        json!({ "status": "in_progress" }),
    )
    .await;
    let moved = app.get("/api/v1/projects?status=in_progress", &manager.token).await.body;
    assert_eq!((names(&moved), moved["total"].clone()), (vec!["Ann".to_owned()], json!(1)));
    let rest = app.get("/api/v1/projects?status=backlog&sort=-pet_name&limit=2&offset=4", &manager.token).await.body;
    assert_eq!((names(&rest), rest["total"].clone()), (vec!["Cy".to_owned(), "Bo".to_owned()], json!(6)));
}

#[tokio::test]
async fn bad_list_parameters_are_422_naming_them() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("status=done", "status"),
        ("priority=meh", "priority"),
        ("sort=colour", "sort"),
        ("assigned_to=someone", "assigned_to"),
        ("due_before=soon", "due_before"),
        ("overdue=maybe", "overdue"),
        ("stauts=backlog", "stauts"),
    ] {
        let reply = app.get(&format!("/api/v1/projects?{query}"), &manager.token).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(reply.is_problem());
        assert_eq!(reply.error_fields(), [field], "{query}");
    }
}

#[tokio::test]
async fn a_soft_deleted_project_is_gone_from_everywhere() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    let id = project["id"].as_str().unwrap();
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(app.delete(&path, &manager.token).await.status, StatusCode::NO_CONTENT);
    let gone = app.get(&path, &manager.token).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert!(gone.is_problem());
    assert_eq!(app.get("/api/v1/projects", &manager.token).await.body["total"], 0);
    assert_eq!(app.patch(&path, &manager.token, json!({ "notes": "x" })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.put(&format!("{path}/status"), &manager.token, json!({ "status": "in_progress" })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &manager.token).await.status, StatusCode::NOT_FOUND);
    // The row and its history stay.
    let row = petpixel_server::entities::projects::Entity::find_by_id(uuid::Uuid::parse_str(id).unwrap())
        .one(&app.state.db.conn)
        .await
        .unwrap()
        .unwrap();
    assert!(row.deleted_at.is_some());
    // Kept for admins; hidden from everyone else.
    let history = format!("/api/v1/activity?resource_id={id}");
    assert_eq!(app.get(&history, &manager.token).await.body["items"], json!([]));
    let admin = app.user(Role::Admin).await;
    assert_eq!(app.get(&history, &admin.token).await.body["items"][0]["action"], "project.deleted");
}

#[tokio::test]
async fn stats_count_by_status_artist_and_deadline() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let today = Utc::now().date_naive();
    let a = app.project(&manager.token, json!({ "deadline": (today - Duration::days(2)).to_string() })).await;
    let b = app.project(&manager.token, json!({ "deadline": (today + Duration::days(3)).to_string() })).await;
    let gone = app.project(&manager.token, json!({})).await;
    app.project(&manager.token, json!({ "deadline": (today + Duration::days(30)).to_string() })).await;
    for p in [&a, &b] {
        app.put(&format!("/api/v1/projects/{}/assignee", p["id"].as_str().unwrap()), &manager.token, json!({ "artist_id": artist.id }))
            .await;
    }
    app.put(&format!("/api/v1/projects/{}/status", b["id"].as_str().unwrap()), &manager.token, json!({ "status": "in_progress" })).await;
    app.delete(&format!("/api/v1/projects/{}", gone["id"].as_str().unwrap()), &manager.token).await;

    let stats = app.get("/api/v1/projects/stats", &artist.token).await;
    assert_eq!(stats.status, StatusCode::OK);
    let s = &stats.body;
    assert_eq!(s["total"], 3);
    assert_eq!(s["by_status"][0], json!({ "status": "backlog", "count": 2 }));
    assert_eq!(s["by_status"][1], json!({ "status": "in_progress", "count": 1 }));
    assert_eq!(s["overdue"], 1);
    assert_eq!(s["due_this_week"], 1);
    assert_eq!(s["by_artist"][0]["artist"]["id"], artist.id.to_string());
    assert_eq!(s["by_artist"][0]["total"], 2);
    assert_eq!(s["by_artist"][1]["artist"], Value::Null);
    assert_eq!(s["by_artist"][1]["total"], 1);
}

#[tokio::test]
async fn a_stored_value_the_code_does_not_know_is_an_error_not_another_value() {
    use petpixel_server::entities::projects;
    use sea_orm::{ColumnTrait, QueryFilter};
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    let id = uuid::Uuid::parse_str(project["id"].as_str().unwrap()).unwrap();
    // A newer release's status, say, read by this one.
    projects::Entity::update_many()
        .col_expr(projects::Column::Status, sea_orm::sea_query::Expr::value("archived"))
        .filter(projects::Column::Id.eq(id))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    let reply = app.get(&format!("/api/v1/projects/{id}"), &manager.token).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "not shown as backlog: {:?}", reply.body);
    assert!(reply.is_problem());
    assert!(!reply.body.to_string().contains("archived"), "internal details stay in the log");
}

#[tokio::test]
async fn of_two_edits_from_the_same_version_at_once_exactly_one_wins() {
    use axum::http::Method;
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for round in 0..5 {
        let project = app.project(&manager.token, json!({})).await;
        let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
        let edit = |notes: &'static str| {
            let request = Request::builder()
                .method(Method::PATCH)
                .uri(&path)
                .header("authorization", format!("Bearer {}", manager.token))
                .header("content-type", "application/json")
                .header("if-match", "\"1\"")
                .body(Body::from(serde_json::to_vec(&json!({ "notes": notes })).unwrap()))
                .unwrap();
            app.send(request)
        };
        let (a, b) = tokio::join!(edit("from Ada"), edit("from Max"));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "round {round}");
        let now = app.get(&path, &manager.token).await;
        assert_eq!(now.body["version"], 2, "round {round}: one change, one version step");
        let winner = if a.status == StatusCode::OK { &a } else { &b };
        assert_eq!(now.body["notes"], winner.body["notes"]);
    }
}

#[tokio::test]
async fn a_caller_without_the_permission_hears_403_before_any_field_is_judged() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let manager = app.user(Role::Manager).await;
    let project = app.project(&manager.token, json!({})).await;
    let path = format!("/api/v1/projects/{}", project["id"].as_str().unwrap());
    assert_eq!(app.post("/api/v1/projects", &artist.token, json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.patch(&path, &artist.token, json!({ "pet_age": 99 })).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/users", &manager.token, json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/users?limit=0", &artist.token).await.status, StatusCode::FORBIDDEN);
}

/// Customers' e-mail and phone are sealed at rest (neither the row nor the activity log holds
/// them in clear), found by the whole address, and shown to managers and the project's own
/// artist only: another artist reads the project without them.
#[tokio::test]
async fn customer_contact_details_are_sealed_and_shown_to_whom_they_concern() {
    use petpixel_server::entities::{activity_logs, projects as rows};
    use sea_orm::ActiveModelTrait;

    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let iris = app.user(Role::Artist).await;
    let theo = app.user(Role::Artist).await;
    let created =
        app.project(&manager.token, json!({ "customer_email": "Zelda.Q@Customer.example", "customer_phone": "+44 7700 900123" })).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!((created["customer_email"].as_str(), created["contact_hidden"].as_bool()), (Some("Zelda.Q@customer.example"), Some(false)));

    // At rest: sealed, with the key's name; the activity log keeps none of it.
    let uuid: uuid::Uuid = id.parse().unwrap();
    let row = rows::Entity::find_by_id(uuid).one(&app.state.db.conn).await.unwrap().unwrap();
    for stored in [row.customer_email.as_str(), row.customer_phone.as_deref().unwrap()] {
        assert!(stored.starts_with("sealed:v1:derived:"), "{stored}");
        assert!(!stored.to_lowercase().contains("zelda") && !stored.contains("7700"), "{stored}");
    }
    assert_eq!(row.customer_email_hash.as_deref().map(str::len), Some(64));
    let path = format!("/api/v1/projects/{id}");
    assert_eq!(app.patch(&path, &manager.token, json!({ "customer_phone": "+44 7700 900999" })).await.status, StatusCode::OK);
    let entries = activity_logs::Entity::find().all(&app.state.db.conn).await.unwrap();
    let logged = serde_json::to_string(&entries.iter().map(|e| &e.details).collect::<Vec<_>>()).unwrap().to_lowercase();
    assert!(!logged.contains("zelda") && !logged.contains("7700"), "{logged}");
    let changed = entries.iter().find(|e| e.action == "project.updated").unwrap();
    assert_eq!(changed.details["changes"]["customer_phone"], json!({ "changed": true }));

    // Found by the whole address.
    let found = app.get("/api/v1/projects?q=zelda.q@customer.example", &manager.token).await;
    assert_eq!(found.body["total"], 1);

    // Theo reads the project without its customer's details, everywhere; once it is his, whole.
    let hidden = |body: &Value| (body["customer_email"].clone(), body["customer_phone"].clone(), body["contact_hidden"].clone());
    assert_eq!(hidden(&app.get(&path, &theo.token).await.body), (Value::Null, Value::Null, json!(true)));
    let list = app.get("/api/v1/projects", &theo.token).await;
    assert_eq!(hidden(&list.body["items"][0]), (Value::Null, Value::Null, json!(true)));
    assert!(!list.body.to_string().to_lowercase().contains("zelda"));
    assert_eq!(app.put(&format!("{path}/assignee"), &manager.token, json!({ "artist_id": theo.id })).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, &theo.token).await.body["customer_email"], "Zelda.Q@customer.example");
    assert_eq!(app.get(&path, &iris.token).await.body["contact_hidden"], true);
    let moved = app.put(&format!("{path}/status"), &theo.token, json!({ "status": "in_progress" })).await;
    assert_eq!(moved.body["customer_phone"], "+44 7700 900999", "his own project, whole");

    // Rows from before sealing are sealed when the server starts, and read the same.
    let mut old: rows::ActiveModel = row.into();
    let legacy = uuid::Uuid::now_v7();
    old.id = sea_orm::Set(legacy);
    old.customer_email = sea_orm::Set("legacy@customer.example".into());
    old.customer_phone = sea_orm::Set(None);
    old.customer_email_hash = sea_orm::Set(None);
    old.insert(&app.state.db.conn).await.unwrap();
    assert_eq!(app.get(&format!("/api/v1/projects/{legacy}"), &manager.token).await.body["customer_email"], "legacy@customer.example");
    assert_eq!(petpixel_server::customers::reseal::run(&app.state).await.unwrap(), 1);
    assert_eq!(petpixel_server::customers::reseal::run(&app.state).await.unwrap(), 0, "nothing left to do");
    let resealed = rows::Entity::find_by_id(legacy).one(&app.state.db.conn).await.unwrap().unwrap();
    assert!(resealed.customer_email.starts_with("sealed:v1:"));
    app.state.caches.project_details.forget_all();
    assert_eq!(app.get(&format!("/api/v1/projects/{legacy}"), &manager.token).await.body["customer_email"], "legacy@customer.example");
    assert_eq!(app.get("/api/v1/projects?q=LEGACY@customer.example", &manager.token).await.body["total"], 1);
}
