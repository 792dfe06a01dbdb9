use axum::http::{Method, StatusCode};
use petpixel_types::Role;
use serde_json::json;

use crate::support::{TestApp, PASSWORD};

#[tokio::test]
async fn login_answers_a_token_pair_and_me_tells_who_and_what() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.login(&artist.email.to_uppercase(), PASSWORD).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert_eq!(reply.body["expires_in"], 900);
    assert_eq!(reply.body["refresh_expires_in"], 7 * 24 * 3600);
    assert_eq!(reply.body["user"]["email"], artist.email.as_str());
    assert!(reply.body["user"].get("password_hash").is_none());

    let me = app.get("/api/v1/auth/me", &artist.token).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["user"]["id"], artist.id.to_string());
    assert_eq!(me.body["auth_method"], "session");
    let perms = me.body["permissions"].as_array().unwrap();
    assert!(perms.contains(&json!({"permission": "projects:update", "scope": "assigned"})));
    assert!(!perms.iter().any(|p| p["permission"] == "projects:create"));
    assert!(me.body["user"]["last_login"].is_string());
}

#[tokio::test]
async fn wrong_password_and_unknown_address_get_the_same_401() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let wrong = app.login(&artist.email, "not the password").await;
    let unknown = app.login("nobody@studio.example", PASSWORD).await;
    for reply in [&wrong, &unknown] {
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert!(reply.is_problem());
        assert_eq!(reply.body["detail"], "Wrong e-mail address or password.");
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
    }
}

#[tokio::test]
async fn login_without_fields_is_422_naming_them() {
    let app = TestApp::new().await;
    let reply = app.request(Method::POST, "/api/v1/auth/login", None, Some(json!({}))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.error_fields(), ["email", "password"]);
}

#[tokio::test]
async fn five_failures_in_the_window_throttle_the_address_even_for_the_right_password() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    for _ in 0..5 {
        assert_eq!(app.login(&artist.email, "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    }
    let reply = app.login(&artist.email, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(reply.is_problem());
    let retry: u64 = reply.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "Retry-After {retry}");
    // Another address is not affected.
    let other = app.user(Role::Manager).await;
    assert_eq!(app.login(&other.email, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_success_clears_earlier_failures() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    for _ in 0..4 {
        app.login(&artist.email, "wrong password!").await;
    }
    assert_eq!(app.login(&artist.email, PASSWORD).await.status, StatusCode::OK);
    for _ in 0..4 {
        app.login(&artist.email, "wrong password!").await;
    }
    assert_eq!(app.login(&artist.email, PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn refresh_rotates_and_a_spent_token_ends_its_whole_family() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let first = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": artist.refresh }))).await;
    assert_eq!(first.status, StatusCode::OK);
    let second_refresh = first.body["refresh_token"].as_str().unwrap().to_owned();
    let new_access = first.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, artist.refresh);
    assert_eq!(app.get("/api/v1/auth/me", &new_access).await.status, StatusCode::OK);

    // The first token again: refused, and the family ends.
    let reuse = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": artist.refresh }))).await;
    assert_eq!(reuse.status, StatusCode::UNAUTHORIZED);
    assert!(reuse.body["detail"].as_str().unwrap().contains("already used"));
    let after = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": second_refresh }))).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &new_access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/auth/me", &artist.token).await.status, StatusCode::UNAUTHORIZED);

    // Another login (another family) is untouched.
    let fresh = app.login(&artist.email, PASSWORD).await;
    assert_eq!(app.get("/api/v1/auth/me", fresh.body["access_token"].as_str().unwrap()).await.status, StatusCode::OK);
}

#[tokio::test]
async fn malformed_and_forged_refresh_tokens_are_401() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let (id, _) = artist.refresh.split_once('.').unwrap();
    for token in ["", "garbage", &format!("{id}.forged-secret")] {
        let reply = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": token }))).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token}");
    }
    // A forged secret does not spend the real token.
    let real = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": artist.refresh }))).await;
    assert_eq!(real.status, StatusCode::OK);
}

#[tokio::test]
async fn logout_ends_the_session_and_its_tokens() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.request(Method::POST, "/api/v1/auth/logout", Some(&artist.token), None).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/auth/me", &artist.token).await.status, StatusCode::UNAUTHORIZED);
    let refresh = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": artist.refresh }))).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn requests_without_valid_credentials_are_401() {
    let app = TestApp::new().await;
    let none = app.request(Method::GET, "/api/v1/projects", None, None).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.is_problem());
    for token in ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.xxxx", "pp_0123"] {
        assert_eq!(app.get("/api/v1/projects", token).await.status, StatusCode::UNAUTHORIZED, "{token}");
    }
}

#[tokio::test]
async fn a_deactivated_user_is_locked_out_at_once() {
    let app = TestApp::new().await;
    let admin = app.user(Role::Admin).await;
    let artist = app.user(Role::Artist).await;
    let token = app.post("/api/v1/api-tokens", &artist.token, json!({ "name": "script", "scopes": ["projects:read"] })).await;
    let api_token = token.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/projects", &api_token).await.status, StatusCode::OK);

    let reply = app.patch(&format!("/api/v1/users/{}", artist.id), &admin.token, json!({ "active": false })).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["active"], false);

    // The live access token, the refresh token, the API token and a new login: all refused.
    let live = app.get("/api/v1/auth/me", &artist.token).await;
    assert_eq!(live.status, StatusCode::UNAUTHORIZED);
    assert_eq!(live.body["detail"], "This account has been deactivated.");
    assert_eq!(app.get("/api/v1/projects", &api_token).await.status, StatusCode::UNAUTHORIZED);
    let refresh = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({ "refresh_token": artist.refresh }))).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    let login = app.login(&artist.email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(login.body["detail"], "Wrong e-mail address or password.", "the right password is not confirmed");

    // Reactivated, they can log in again.
    app.patch(&format!("/api/v1/users/{}", artist.id), &admin.token, json!({ "active": true })).await;
    assert_eq!(app.login(&artist.email, PASSWORD).await.status, StatusCode::OK);
}

fn set_cookie(reply: &crate::support::Reply) -> String {
    reply.headers.get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

#[tokio::test]
async fn browsers_keep_the_refresh_token_in_an_http_only_cookie() {
    use axum::body::Body;
    use axum::http::Request;
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let login = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": artist.email, "password": PASSWORD, "refresh_cookie": true })),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.get("refresh_token").is_none(), "the token is not in the body");
    let cookie = set_cookie(&login);
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/api/v1/auth", "Max-Age=604800"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    assert!(!cookie.contains("Secure"), "plain http in tests: no Secure flag");
    let pair = cookie.split(';').next().unwrap().to_owned();

    let refresh = |pair: String| {
        Request::post("/api/v1/auth/refresh")
            .header("content-type", "application/json")
            .header("cookie", pair)
            .body(Body::from("{}"))
            .unwrap()
    };
    let renewed = app.send(refresh(pair.clone())).await;
    assert_eq!(renewed.status, StatusCode::OK);
    assert!(renewed.body["access_token"].is_string());
    assert!(renewed.body.get("refresh_token").is_none());
    let next_pair = set_cookie(&renewed).split(';').next().unwrap().to_owned();
    assert_ne!(next_pair, pair);

    // The spent cookie is refused, cleared, and ends the session.
    let reused = app.send(refresh(pair)).await;
    assert_eq!(reused.status, StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&reused).contains("Max-Age=0"));
    assert_eq!(app.send(refresh(next_pair)).await.status, StatusCode::UNAUTHORIZED);

    // No cookie at all: no session to renew (204, tests/api/wire.rs).
    let no_cookie = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({}))).await;
    assert_eq!(no_cookie.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    let app = TestApp::new().await;
    let artist = app.user(Role::Artist).await;
    let reply = app.request(Method::POST, "/api/v1/auth/logout", Some(&artist.token), None).await;
    assert!(set_cookie(&reply).starts_with("petpixel_refresh=; Max-Age=0"));
}
