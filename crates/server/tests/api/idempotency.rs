//! `Idempotency-Key` on POST: a retry replays the first answer without doing the work again, on
//! SQLite and PostgreSQL.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use petpixel_server::entities::{activity_logs, projects};
use petpixel_types::Role;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{Reply, TestApp};

async fn post(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> Reply {
    let request = Request::builder()
        .method("POST")
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .header("idempotency-key", key)
        .body(Body::from(serde_json::to_vec(body).unwrap()))
        .unwrap();
    app.send(request).await
}

async fn projects_named(app: &TestApp, pet: &str) -> u64 {
    projects::Entity::find().filter(projects::Column::PetName.eq(pet)).count(&app.state.db.conn).await.unwrap()
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_without_doing_the_work_again() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let order = TestApp::order(json!({ "pet_name": "Once" }));
    let first = post(&app, "/api/v1/projects", &manager.token, "order-1001", &order).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert!(first.headers.get("idempotency-replayed").is_none());
    let again = post(&app, "/api/v1/projects", &manager.token, "order-1001", &order).await;
    assert_eq!((again.status, &again.body), (StatusCode::CREATED, &first.body), "the same answer");
    assert_eq!(again.headers["idempotency-replayed"], "true");
    assert_eq!(again.headers["content-type"], first.headers["content-type"]);
    assert_eq!(projects_named(&app, "Once").await, 1, "one project");
    let created =
        activity_logs::Entity::find().filter(activity_logs::Column::Action.eq("project.created")).count(&app.state.db.conn).await.unwrap();
    assert_eq!(created, 1, "one activity entry");

    // A refusal is an answer too: kept and replayed, not redone.
    let bad = json!({ "pet_name": "" });
    let refused = post(&app, "/api/v1/projects", &manager.token, "order-1002", &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let replayed = post(&app, "/api/v1/projects", &manager.token, "order-1002", &bad).await;
    assert_eq!((replayed.status, replayed.body.clone()), (refused.status, refused.body.clone()));
    assert_eq!(replayed.headers["content-type"], "application/problem+json");

    // Another caller's key of the same name is theirs.
    let other = app.user(Role::Manager).await;
    assert_eq!(post(&app, "/api/v1/projects", &other.token, "order-1001", &order).await.status, StatusCode::CREATED);
    assert_eq!(projects_named(&app, "Once").await, 2);
    // Without the header nothing changes.
    assert_eq!(app.post("/api/v1/projects", &manager.token, order).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_key_reused_for_another_request_or_malformed_is_refused() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let order = TestApp::order(json!({ "pet_name": "First" }));
    assert_eq!(post(&app, "/api/v1/projects", &manager.token, "k-1", &order).await.status, StatusCode::CREATED);
    let other_body = post(&app, "/api/v1/projects", &manager.token, "k-1", &TestApp::order(json!({ "pet_name": "Second" }))).await;
    assert_eq!((other_body.status, other_body.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["Idempotency-Key".to_string()]));
    assert!(other_body.is_problem());
    let other_path = post(&app, "/api/v1/api-tokens", &manager.token, "k-1", &json!({ "name": "shop", "scopes": ["projects:read"] })).await;
    assert_eq!(other_path.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(projects_named(&app, "Second").await, 0, "nothing done");
    let long = "x".repeat(256);
    let malformed = post(&app, "/api/v1/projects", &manager.token, &long, &order).await;
    assert_eq!((malformed.status, malformed.error_fields()), (StatusCode::UNPROCESSABLE_ENTITY, vec!["Idempotency-Key".to_string()]));
    // Without credentials the key is nobody's: the usual 401.
    let request = Request::builder()
        .method("POST")
        .uri("/api/v1/projects")
        .header("content-type", "application/json")
        .header("idempotency-key", "k-2")
        .body(Body::from(serde_json::to_vec(&order).unwrap()))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_do_the_work_once() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for round in 0..3 {
        let pet = format!("Racer {round}");
        let order = TestApp::order(json!({ "pet_name": pet }));
        let key = format!("race-{round}");
        let answers = futures::future::join_all((0..10).map(|_| post(&app, "/api/v1/projects", &manager.token, &key, &order))).await;
        assert_eq!(projects_named(&app, &pet).await, 1, "round {round}: one project");
        let ids: Vec<&Value> = answers.iter().filter(|a| a.status == StatusCode::CREATED).map(|a| &a.body["id"]).collect();
        assert!(!ids.is_empty());
        assert!(ids.iter().all(|id| *id == ids[0]), "every 201 names the one project");
        for a in &answers {
            assert!(a.status == StatusCode::CREATED || a.status == StatusCode::CONFLICT, "{} {:?}", a.status, a.body);
        }
        // Once the first is answered, a retry replays it.
        let later = post(&app, "/api/v1/projects", &manager.token, &key, &order).await;
        assert_eq!((later.status, &later.body["id"]), (StatusCode::CREATED, ids[0]));
    }
}

/// The work marks its key applied in its own transaction, naming what it made; a replica that dies
/// after that commit and before keeping the answer leaves the key so. The retry is then pointed at
/// what was made (303 See Other) once the first request's lock runs out, and is never done again.
#[tokio::test]
async fn work_whose_answer_was_lost_is_pointed_to_not_done_again() {
    use petpixel_server::entities::idempotency_keys;
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let order = TestApp::order(json!({ "pet_name": "Lost" }));
    let first = post(&app, "/api/v1/projects", &manager.token, "lost-1", &order).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let id = first.body["id"].as_str().unwrap().to_owned();
    let row = |key: &'static str| {
        let conn = app.state.db.conn.clone();
        let user = manager.id;
        async move { idempotency_keys::Entity::find_by_id((user, key.to_owned())).one(&conn).await.unwrap().unwrap() }
    };
    let kept = row("lost-1").await;
    assert_eq!((kept.state.as_str(), kept.applied_type.as_deref()), ("done", Some("project")));
    assert_eq!(kept.applied_id.map(|u| u.to_string()), Some(id.clone()), "the work named the project it made");

    // What the commit left before the answer was kept: applied, no answer, its lock still held.
    let mut crashed = kept.into_active_model();
    crashed.state = Set("applied".into());
    crashed.response_status = Set(None);
    crashed.response_body = Set(None);
    crashed.response_headers = Set(None);
    crashed.locked_until = Set(chrono::Utc::now() + chrono::Duration::seconds(30));
    let crashed = crashed.update(&app.state.db.conn).await.unwrap();
    let early = post(&app, "/api/v1/projects", &manager.token, "lost-1", &order).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "the first request may still answer");
    let mut expired = crashed.into_active_model();
    expired.locked_until = Set(chrono::Utc::now() - chrono::Duration::seconds(1));
    expired.update(&app.state.db.conn).await.unwrap();
    let retry = post(&app, "/api/v1/projects", &manager.token, "lost-1", &order).await;
    assert_eq!(retry.status, StatusCode::SEE_OTHER, "{:?}", retry.body);
    assert_eq!(retry.headers["location"], format!("/api/v1/projects/{id}").as_str());
    assert_eq!(retry.headers["idempotency-replayed"], "true");
    assert_eq!(projects_named(&app, "Lost").await, 1, "not made twice");
    // Another request under the key is still refused, applied or not.
    let other = post(&app, "/api/v1/projects", &manager.token, "lost-1", &TestApp::order(json!({ "pet_name": "Other" }))).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A refusal changes nothing, so it names nothing.
    let refused = post(&app, "/api/v1/projects", &manager.token, "lost-2", &json!({ "pet_name": "" })).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = row("lost-2").await;
    assert_eq!((row.state.as_str(), row.applied_type, row.applied_id), ("done", None, None));
}

/// A secret is never kept for a replay: the answer that created an API token (or a webhook, or
/// rotated its secret) is marked done, and a retry learns so without the secret. A kept answer
/// is the credential's that made it: another session or token of the same person, a read-only
/// token among them, gets nothing; and a replay re-checks that the caller may still ask.
#[tokio::test]
async fn replays_keep_no_secret_and_belong_to_the_credential_and_permission_that_made_them() {
    use petpixel_server::entities::idempotency_keys;

    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    let create = json!({ "name": "shop", "scopes": ["projects:read", "projects:create"], "expires_in_days": 30 });
    let first = post(&app, "/api/v1/api-tokens", &manager.token, "token-1", &create).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let secret = first.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(first.headers["cache-control"], "no-store");
    let kept = idempotency_keys::Entity::find().all(&app.state.db.conn).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((kept[0].state.as_str(), kept[0].response_body.as_ref()), ("withheld", None), "no body kept");
    let again = post(&app, "/api/v1/api-tokens", &manager.token, "token-1", &create).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{:?}", again.body);
    assert!(again.body["detail"].as_str().unwrap().contains("secret"), "{:?}", again.body);
    assert!(!again.body.to_string().contains(&secret));
    let listed = app.get("/api/v1/api-tokens", &manager.token).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "the work was done once");

    // The token (read and create only) replays the session's key: refused, it is not its own.
    let order = TestApp::order(json!({ "pet_name": "Bound" }));
    let by_session = post(&app, "/api/v1/projects", &manager.token, "order-77", &order).await;
    assert_eq!(by_session.status, StatusCode::CREATED);
    let by_token = post(&app, "/api/v1/projects", &secret, "order-77", &order).await;
    assert_eq!(by_token.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", by_token.body);
    assert_eq!(by_token.body["errors"][0]["code"], "other_credential");
    assert!(!by_token.body.to_string().contains("Bound"));
    // Another login of the same person is another credential too.
    let second = app.login(&manager.email, crate::support::PASSWORD).await.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(post(&app, "/api/v1/projects", &second, "order-77", &order).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(projects_named(&app, "Bound").await, 1);

    let kept = idempotency_keys::Entity::find_by_id((manager.id, "order-77".to_owned())).one(&app.state.db.conn).await.unwrap().unwrap();
    assert!(kept.credential.unwrap().starts_with("session:"));
}

/// A replay re-checks the caller's permissions: with fewer than when it was first answered, the
/// kept answer is not given.
#[tokio::test]
async fn a_replay_after_losing_a_permission_is_refused() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let role = |permissions: Value| json!({ "role": "manager", "permissions": permissions });
    let path = format!("/api/v1/users/{}/role", manager.id);
    assert_eq!(app.put(&path, &admin.token, role(json!(["users:create"]))).await.status, StatusCode::OK);
    let order = TestApp::order(json!({ "pet_name": "Kept" }));
    let first = post(&app, "/api/v1/projects", &manager.token, "order-90", &order).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let replayed = post(&app, "/api/v1/projects", &manager.token, "order-90", &order).await;
    assert_eq!((replayed.status, &replayed.body), (StatusCode::CREATED, &first.body), "replayed while nothing changed");
    // The extra grant is taken away; the session lives on.
    assert_eq!(app.put(&path, &admin.token, role(json!([]))).await.status, StatusCode::OK);
    let replay = post(&app, "/api/v1/projects", &manager.token, "order-90", &order).await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN, "{:?}", replay.body);
    assert!(replay.body["detail"].as_str().unwrap().contains("permissions have changed"), "{:?}", replay.body);
    assert_eq!(projects_named(&app, "Kept").await, 1);
}
