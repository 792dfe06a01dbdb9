//! The findings of the security review (issue 7), one test or more each.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{Duration, Utc};
use petpixel_server::entities::{login_attempts, sessions};
use petpixel_types::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};

use crate::support::{TestApp, PASSWORD, USER_AGENT};

fn behind_proxy(config: &mut petpixel_server::Config) {
    config.trust_proxy = true;
}

// 1. Metric labels from user input; /metrics for admins only.

#[tokio::test]
async fn made_up_methods_share_one_label_and_metrics_are_for_admins_only() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    for i in 0..20 {
        let method = Method::from_bytes(format!("PPFUZZ{i}").as_bytes()).unwrap();
        let reply = app.request(method, "/api/v1/projects", None, None).await;
        assert!(reply.status.is_client_error(), "{}", reply.status);
    }
    assert_eq!(app.request(Method::GET, "/metrics", None, None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/metrics", &manager.token).await.status, StatusCode::FORBIDDEN);
    let metrics = app.get("/metrics", &admin.token).await;
    assert_eq!(metrics.status, StatusCode::OK);
    let text = metrics.body.as_str().unwrap();
    assert!(!text.contains("PPFUZZ"), "a made-up method became a label");
    assert!(text.contains("method=\"other\""), "made-up methods are counted as `other`");
    for line in text.lines().filter(|l| l.starts_with("http_requests_total{")) {
        let method = line.split("method=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        assert!(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "other"].contains(&method), "{line}");
    }
}

#[tokio::test]
async fn the_private_metrics_address_serves_metrics_without_credentials_and_nothing_else() {
    use tower::ServiceExt;
    let app = TestApp::new().await;
    let router = petpixel_server::app::metrics_router(app.state.clone());
    let ok = router.clone().oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let other = router.oneshot(Request::get("/api/v1/users").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}

// 2. Login throttle per (e-mail, address) and per address, atomic, e-mail capped.

#[tokio::test]
async fn someone_elses_failures_do_not_lock_the_owner_out() {
    let app = TestApp::with_config(behind_proxy).await;
    let admin = app.user(Role::Admin).await;
    for _ in 0..5 {
        assert_eq!(app.login_from("198.51.100.66", &admin.email, "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login_from("198.51.100.66", &admin.email, PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    // The admin, from their own address, gets in.
    assert_eq!(app.login_from("192.0.2.10", &admin.email, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn spraying_many_accounts_from_one_address_is_throttled() {
    let app = TestApp::with_config(|c| {
        c.trust_proxy = true;
        c.login_max_failures_per_client = 8;
    })
    .await;
    let artist = app.user(Role::Artist).await;
    for i in 0..8 {
        let reply = app.login_from("198.51.100.77", &format!("victim{i}@studio.example"), "Summer2026!").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let reply = app.login_from("198.51.100.77", &artist.email, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.headers.contains_key("retry-after"));
    assert_eq!(app.login_from("192.0.2.11", &artist.email, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn parallel_guesses_get_no_more_tries_than_the_limit() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let tries = (0..20).map(|_| app.login(&artist.email, "wrong password!"));
    let replies = futures::future::join_all(tries).await;
    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let refused = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 15), "only five passwords were tried");
}

#[tokio::test]
async fn an_overlong_email_is_refused_before_anything_is_stored() {
    let app = TestApp::new().await;
    let email = format!("{}@studio.example", "a".repeat(300));
    let reply = app.login(&email, "whatever password").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["email"]);
    assert_eq!(login_attempts::Entity::find().count(&app.state.db.conn).await.unwrap(), 0);
}

// 3. Bounded password hashing.

#[tokio::test]
async fn a_burst_of_logins_hashes_a_few_at_a_time_and_turns_the_rest_away_with_503() {
    let app = TestApp::with_config(|c| {
        c.password_hash_concurrency = 1;
        c.password_hash_queue = 2;
        c.login_max_failures = 0;
        c.login_max_failures_per_client = 0;
    })
    .await;
    let emails: Vec<String> = (0..40).map(|i| format!("nobody{i}@studio.example")).collect();
    let tries = emails.iter().map(|email| app.login(email, "wrong password!"));
    let replies = futures::future::join_all(tries).await;
    let busy: Vec<_> = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).collect();
    assert!(!busy.is_empty(), "forty logins at once cannot all wait for one hashing slot");
    assert!(busy.iter().all(|r| r.is_problem() && r.headers.contains_key("retry-after")));
    assert!(replies.iter().all(|r| [StatusCode::UNAUTHORIZED, StatusCode::SERVICE_UNAVAILABLE].contains(&r.status)));
    assert_eq!(app.state.hasher.peak_running(), 1, "never more than the configured hashes at once");
    // Turned-away tries were never checked, so they do not count against anyone.
    let counted = login_attempts::Entity::find().count(&app.state.db.conn).await.unwrap();
    assert_eq!(counted as usize, replies.len() - busy.len());
}

// 4. Grant escalation.

#[tokio::test]
async fn a_manager_granted_user_updates_cannot_touch_an_admin() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    app.grant(manager.id, &["users:update"]).await;
    let admin_path = format!("/api/v1/users/{}", admin.id);
    let reset = app.patch(&admin_path, &manager.token, json!({ "password": "taken over at last" })).await;
    assert_eq!(reset.status, StatusCode::FORBIDDEN, "{:?}", reset.body);
    assert_eq!(app.patch(&admin_path, &manager.token, json!({ "active": false })).await.status, StatusCode::FORBIDDEN);
    let demote = app.put(&format!("{admin_path}/role"), &manager.token, json!({ "role": "artist" })).await;
    assert_eq!(demote.status, StatusCode::FORBIDDEN);
    assert_eq!(app.login(&admin.email, PASSWORD).await.status, StatusCode::OK, "the admin's password is unchanged");
    // Over someone whose permissions the manager holds, `users:update` still works.
    let rename = app.patch(&format!("/api/v1/users/{}", artist.id), &manager.token, json!({ "first_name": "Iris" })).await;
    assert_eq!(rename.status, StatusCode::OK);
}

#[tokio::test]
async fn assigned_only_grants_cannot_become_all_projects_grants() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    app.grant(artist.id, &["users:update"]).await;
    let path = format!("/api/v1/users/{}/role", artist.id);
    let reply = app.put(&path, &artist.token, json!({ "role": "artist", "permissions": ["users:update", "projects:update"] })).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{:?}", reply.body);
    assert!(reply.body["detail"].as_str().unwrap().contains("assigned"));
    let me = app.get("/api/v1/auth/me", &artist.token).await;
    assert!(me.body["permissions"].as_array().unwrap().contains(&json!({"permission": "projects:update", "scope": "assigned"})));
}

// 5. What an API token may do to its owner.

#[tokio::test]
async fn an_api_token_cannot_change_its_owners_password() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let created =
        app.post("/api/v1/api-tokens", &artist.token, json!({ "name": "all of me", "scopes": ["projects:read", "projects:update"] })).await;
    let secret = created.body["secret"].as_str().unwrap();
    let path = format!("/api/v1/users/{}", artist.id);
    let reply = app.patch(&path, secret, json!({ "password": "a brand new password", "current_password": PASSWORD })).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.login(&artist.email, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn wrong_current_passwords_count_like_failed_logins() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let path = format!("/api/v1/users/{}", artist.id);
    for _ in 0..5 {
        let reply = app.patch(&path, &artist.token, json!({ "password": "a brand new password", "current_password": "a guess!" })).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let reply = app.patch(&path, &artist.token, json!({ "password": "a brand new password", "current_password": PASSWORD })).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
}

// 6. Response headers.

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_auth_answers_are_not_cached() {
    let app = TestApp::with_config(|c| c.public_url = "https://studio.example".into()).await;
    let page = app.request(Method::GET, "/board", None, None).await;
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.split(';').any(|d| d.trim().starts_with("script-src") && d.contains("'unsafe-inline'")), "{csp}");
    let login = app.login("nobody@studio.example", "no such password").await;
    let health = app.request(Method::GET, "/api/health", None, None).await;
    for reply in [&page, &login, &health] {
        assert_eq!(reply.headers["x-content-type-options"], "nosniff");
        assert_eq!(reply.headers["referrer-policy"], "strict-origin-when-cross-origin");
        assert!(reply.headers["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    }
    assert_eq!(login.headers["cache-control"], "no-store");
    let docs = app.request(Method::GET, "/api/docs/swagger-initializer.js", None, None).await;
    assert_eq!(docs.status, StatusCode::OK);
    let script = docs.body.as_str().unwrap().replace(' ', "");
    assert!(!script.contains("\"persistAuthorization\":true"), "pasted tokens must not be kept in localStorage");
}

#[tokio::test]
async fn no_hsts_over_plain_http() {
    let app = TestApp::new().await;
    let health = app.request(Method::GET, "/api/health", None, None).await;
    assert!(!health.headers.contains_key("strict-transport-security"));
}

// 7. Session lifetime.

#[tokio::test]
async fn refreshing_does_not_stretch_a_session_past_its_absolute_lifetime() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let refresh = |token: String| app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": token })));
    // Started 29 days and 23 hours ago: the next refresh token lives only an hour.
    sessions::Entity::update_many()
        .col_expr(sessions::Column::CreatedAt, Expr::value(Utc::now() - Duration::days(30) + Duration::hours(1)))
        .filter(sessions::Column::UserId.eq(artist.id))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    let near_end = refresh(artist.refresh.clone()).await;
    assert_eq!(near_end.status, StatusCode::OK);
    let left = near_end.body["refresh_expires_in"].as_u64().unwrap();
    assert!(left <= 3600, "{left}");
    // Past 30 days: log in again.
    sessions::Entity::update_many()
        .col_expr(sessions::Column::CreatedAt, Expr::value(Utc::now() - Duration::days(31)))
        .filter(sessions::Column::UserId.eq(artist.id))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
    let expired = refresh(near_end.body["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
}

// 8. Forwarded addresses.

#[tokio::test]
async fn the_audited_address_is_the_one_our_proxy_saw_not_the_one_the_client_wrote() {
    let app = TestApp::with_config(behind_proxy).await;
    let admin = app.user(Role::Admin).await;
    let login = app.login_from("6.6.6.6, 198.51.100.9", &admin.email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
    let feed = app.get("/api/v1/activity?resource_type=user", &admin.token).await;
    let entry = feed.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "user.logged_in").unwrap().clone();
    assert_eq!(entry["ip_address"], "198.51.100.9");
}

// 9. Who sees whose address; deleted projects' entries.

#[tokio::test]
async fn addresses_are_for_team_managers_and_deleted_projects_history_for_admins() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let manager = app.user(Role::Manager).await;
    let artist = app.user(Role::Artist).await;
    let kept = app.project(&manager.token, json!({})).await;
    let gone = app.project(&manager.token, json!({ "pet_name": "Ghost" })).await;
    let gone_id = gone["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/projects/{gone_id}"), &manager.token).await.status, StatusCode::NO_CONTENT);

    let artist_feed = app.get("/api/v1/activity?resource_type=project", &artist.token).await;
    let items = artist_feed.body["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|e| e["ip_address"].is_null() && e["user_agent"].is_null()), "artists see no colleague's address");
    assert!(items.iter().all(|e| e["resource_id"] != gone_id), "a deleted project's history is hidden");
    assert!(items.iter().any(|e| e["resource_id"] == kept["id"]));

    let manager_feed = app.get("/api/v1/activity?resource_type=project", &manager.token).await;
    let first = &manager_feed.body["items"][0];
    assert_eq!(first["ip_address"], crate::support::CLIENT_IP);
    assert_eq!(first["user_agent"], USER_AGENT);
    let by_id = format!("/api/v1/activity?resource_id={gone_id}");
    assert_eq!(app.get(&by_id, &manager.token).await.body["items"], json!([]));
    let admin_view = app.get(&by_id, &admin.token).await;
    let actions: Vec<&str> = admin_view.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"project.deleted") && actions.contains(&"project.created"), "{actions:?}");
}

// 10. Passwords.

#[tokio::test]
async fn new_passwords_are_twelve_characters_and_hard_to_guess() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let create = |password: &'static str| {
        app.post("/api/v1/users", &admin.token, json!({ "email": format!("{}@studio.example", password.len()), "password": password }))
    };
    let short = create("elevenchars").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.body["errors"][0]["code"], "too_short");
    let common = create("unbelievable").await;
    assert_eq!(common.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        (common.body["errors"][0]["field"].as_str(), common.body["errors"][0]["code"].as_str()),
        (Some("password"), Some("too_common"))
    );
    // The well-known `1q2w3e4r5t6y` was taken before zxcvbn judged strength.
    let known = create("1q2w3e4r5t6y").await;
    assert_eq!((known.status, known.body["errors"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("too_common")));
    // Guessable ones say why, in words.
    for weak in ["aaaaaaaaaaaa", "abcdefghijkl", "Password2026"] {
        let refused = create(weak).await;
        assert_eq!(
            (refused.status, refused.body["errors"][0]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("weak")),
            "{weak}"
        );
        assert!(refused.body["errors"][0]["message"].as_str().unwrap().starts_with("This password is too easy to guess"));
    }
    // The person's own address is among the first guesses.
    let own_name = app
        .post(
            "/api/v1/users",
            &admin.token,
            json!({ "email": "marigold.fenwick@studio.example", "first_name": "Marigold", "password": "marigold.fenwick" }),
        )
        .await;
    assert_eq!(own_name.body["errors"][0]["code"], "weak", "{:?}", own_name.body);
    assert_eq!(create("violet tractor mends seventeen").await.status, StatusCode::CREATED);
    let own = app
        .patch(&format!("/api/v1/users/{}", admin.id), &admin.token, json!({ "password": "UNBELIEVABLE", "current_password": PASSWORD }))
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
}

// 11. Tokens after a password change or deactivation.

#[tokio::test]
async fn deactivation_revokes_api_tokens_for_good_and_a_password_change_keeps_them() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let artist = app.user(Role::Artist).await;
    let created = app.post("/api/v1/api-tokens", &artist.token, json!({ "name": "sync", "scopes": ["projects:read"] })).await;
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    let me = format!("/api/v1/users/{}", artist.id);
    let change = app.patch(&me, &artist.token, json!({ "password": "another long password", "current_password": PASSWORD })).await;
    assert_eq!(change.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::OK, "a password change keeps API tokens");

    assert_eq!(app.patch(&me, &admin.token, json!({ "active": false })).await.status, StatusCode::OK);
    assert_eq!(app.patch(&me, &admin.token, json!({ "active": true })).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/projects", &secret).await.status, StatusCode::UNAUTHORIZED, "revoked, not paused");
}

// 13. Deactivated accounts; failed logins in the activity log.

#[tokio::test]
async fn a_deactivated_account_gets_the_generic_answer_and_failures_are_audited() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let artist = app.user(Role::Artist).await;
    assert_eq!(app.patch(&format!("/api/v1/users/{}", artist.id), &admin.token, json!({ "active": false })).await.status, StatusCode::OK);
    let right = app.login(&artist.email, PASSWORD).await;
    let wrong = app.login(&artist.email, "not the password").await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert_eq!(right.body["detail"], wrong.body["detail"], "the right password is not confirmed");
    for _ in 0..3 {
        app.login(&artist.email, "not the password").await;
    }
    assert_eq!(app.login(&artist.email, "not the password").await.status, StatusCode::TOO_MANY_REQUESTS);

    let feed = app.get(&format!("/api/v1/activity?resource_id={}", artist.id), &admin.token).await;
    let items = feed.body["items"].as_array().unwrap();
    let count = |action: &str| items.iter().filter(|e| e["action"] == action).count();
    assert_eq!(count("user.login_failed"), 4);
    assert_eq!(count("user.login_refused_deactivated"), 1);
    assert_eq!(count("user.login_locked_out"), 1);
    let failed = items.iter().find(|e| e["action"] == "user.login_failed").unwrap();
    assert_eq!(failed["ip_address"], crate::support::CLIENT_IP);
    assert_eq!(failed["user_agent"], USER_AGENT);
    assert!(!failed.to_string().contains("not the password"), "no password in the log");
}

// 14. The last admin, under concurrency.

#[tokio::test]
async fn two_admins_demoting_each_other_at_once_leave_one_admin() {
    // On PostgreSQL the two requests run on two connections at once.
    let app = TestApp::new().await;
    for round in 0..5 {
        let a = app.user(Role::Admin).await;
        let b = app.user(Role::Admin).await;
        // Only these two are admins in this round.
        demote_other_admins(&app, &[a.id, b.id]).await;
        assert_eq!(active_admins(&app).await, 2);
        let (path_a, path_b) = (format!("/api/v1/users/{}/role", a.id), format!("/api/v1/users/{}/role", b.id));
        let (x, y) = tokio::join!(
            app.put(&path_b, &a.token, json!({ "role": "manager" })),
            app.put(&path_a, &b.token, json!({ "role": "manager" })),
        );
        let statuses = [x.status, y.status];
        assert_eq!(active_admins(&app).await, 1, "round {round}: {statuses:?}");
    }
}

async fn active_admins(app: &TestApp) -> u64 {
    use petpixel_server::entities::users;
    users::Entity::find()
        .filter(users::Column::Role.eq("admin"))
        .filter(users::Column::Active.eq(true))
        .count(&app.state.db.conn)
        .await
        .unwrap()
}

async fn demote_other_admins(app: &TestApp, keep: &[uuid::Uuid]) {
    use petpixel_server::entities::users;
    users::Entity::update_many()
        .col_expr(users::Column::Role, Expr::value("manager"))
        .filter(users::Column::Role.eq("admin"))
        .filter(users::Column::Id.is_not_in(keep.iter().copied()))
        .exec(&app.state.db.conn)
        .await
        .unwrap();
}

// 15. The served spec tells the truth (the schemathesis run in .ci/run checks the rest).

#[tokio::test]
async fn the_spec_lists_the_422s_and_the_limits_the_server_enforces() {
    let app = TestApp::new().await;
    let spec: Value = app.request(Method::GET, "/api/openapi.json", None, None).await.body;
    let paths = &spec["paths"];
    assert!(paths["/api/v1/auth/refresh"]["post"]["responses"]["422"].is_object());
    assert!(paths["/api/v1/projects/{id}/activity"]["get"]["responses"]["422"].is_object());
    let schemas = &spec["components"]["schemas"];
    assert_eq!(schemas["LoginRequest"]["properties"]["email"]["maxLength"], 254);
    assert_eq!(schemas["CreateUser"]["properties"]["password"]["minLength"], 12);
    assert_eq!(schemas["CreateUser"]["properties"]["password"]["maxLength"], 128);
    assert!(schemas["CreateApiToken"]["properties"]["name"]["maxLength"].is_number());
    assert!(schemas["CreateProject"]["properties"]["pet_name"]["maxLength"].is_number());
}

// The pipeline's review (issue 22): headers and logs.

/// The studio's page lets the preview frame come from the games' own origin; the API docs have a
/// policy of their own and are framed by no one; the API's answers are never cached (they carry
/// tokens and personal data) but a signed file download keeps its own caching.
#[tokio::test]
async fn headers_admit_the_games_origin_guard_the_docs_and_keep_personal_data_out_of_caches() {
    let app = TestApp::with_config(|c| c.games_url = Some("https://play.petpixel.example".into())).await;
    let manager = app.user(Role::Manager).await;
    let page = app.request(Method::GET, "/board", None, None).await;
    let policy = page.headers["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-src 'self' https://play.petpixel.example;"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");

    let docs = app.request(Method::GET, "/api/docs/", None, None).await;
    assert_eq!(docs.status, StatusCode::OK);
    let policy = docs.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'") && policy.contains("script-src 'self'"), "{policy}");
    assert_eq!(docs.headers["x-frame-options"], "DENY");

    for path in ["/api/v1/projects", "/api/v1/auth/me", "/api/v1/users"] {
        let reply = app.get(path, &manager.token).await;
        assert_eq!(reply.headers["cache-control"], "no-store", "{path}");
    }
    let login = app.login(&manager.email, PASSWORD).await;
    assert_eq!(login.headers["cache-control"], "no-store");
    let problem = app.request(Method::GET, "/api/v1/projects", None, None).await;
    assert_eq!(problem.headers["cache-control"], "no-store");
}
