//! `TestApp`: the real router over a fresh database per test, called in-process with `oneshot`.
//!
//! SQLite in memory by default; with `TEST_DATABASE_URL=postgres://...` each test gets its own
//! PostgreSQL schema, dropped when the test ends.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use chrono::Utc;
use http_body_util::BodyExt;
use petpixel_server::config::Config;
use petpixel_server::db::Db;
use petpixel_server::entities::users;
use petpixel_server::AppState;
use petpixel_types::Role;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{json, Value};
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
pub const CLIENT_IP: &str = "203.0.113.7";
pub const USER_AGENT: &str = "petpixel-tests/1.0";

fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| petpixel_server::auth::password::hash_blocking(PASSWORD).unwrap())
}

pub struct TestApp {
    pub state: AppState,
    router: Router,
    // Declared before the folder: the database goes first.
    _database: TestDatabase,
    _dir: tempfile::TempDir,
}

/// A fresh database for one test: with `TEST_DATABASE_URL=postgres://...` a new schema (dropped
/// at the end), else SQLite, in memory or, for several processes to share, in a file.
pub struct TestDatabase {
    pub url: String,
    pg_schema: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn new(sqlite_file: Option<&std::path::Path>) -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(base) if base.starts_with("postgres") => {
                let schema = format!("t_{}", Uuid::now_v7().simple());
                let mut admin = connect_pg(&base).await;
                // The schema name is generated here (t_ + a UUID), never taken from input.
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&mut admin).await.unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}&application_name={schema}");
                TestDatabase { url, pg_schema: Some((base, schema)) }
            }
            _ => {
                let url = match sqlite_file {
                    Some(path) => format!("sqlite://{}?mode=rwc", path.display()),
                    None => "sqlite::memory:".to_owned(),
                };
                TestDatabase { url, pg_schema: None }
            }
        }
    }
}

impl TestDatabase {
    /// SQLite in `path`, whatever `TEST_DATABASE_URL` says.
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        TestDatabase { url: format!("sqlite://{}?mode=rwc", path.display()), pg_schema: None }
    }
}

#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: Uuid,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The field names of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect()).unwrap_or_default()
    }

    pub fn is_problem(&self) -> bool {
        self.headers.get("content-type").is_some_and(|v| v == "application/problem+json")
            && self.body["status"].as_u64() == Some(u64::from(self.status.as_u16()))
            && self.body["type"].is_string()
            && self.body["title"].is_string()
    }
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    pub async fn with_config(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::on(TestDatabase::new(None).await, adjust).await
    }

    /// On a database of the caller's (SQLite in a file, say, where the default is PostgreSQL).
    pub async fn on(database: TestDatabase, adjust: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::for_tests(dir.path().to_path_buf(), &database.url);
        adjust(&mut config);
        let db = Db::connect(&config).await.unwrap();
        db.migrate().await.unwrap();
        let state = AppState::with_db(config, db).unwrap();
        let router = petpixel_server::router(state.clone()).layer(MockConnectInfo(SocketAddr::from(([203, 0, 113, 7], 4321))));
        TestApp { state, router, _database: database, _dir: dir }
    }

    /// Serves the router on a free port (for Socket.IO clients); the base URL.
    pub async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = self.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await });
        base
    }

    /// The router under test, for callers that bring their own requests (the typed client).
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    pub async fn request(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path).header("user-agent", USER_AGENT);
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let body = match body {
            Some(v) => {
                builder = builder.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    /// The router's raw answer (for bodies that are not JSON).
    pub async fn router_response(&self, request: Request<Body>) -> axum::response::Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.request(Method::PUT, path, Some(token), Some(body)).await
    }
    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.request(Method::DELETE, path, Some(token), None).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.request(Method::POST, "/api/v1/auth/login", None, Some(json!({ "email": email, "password": password }))).await
    }

    /// A login through our proxy from `ip` (the app must trust the proxy to see it).
    pub async fn login_from(&self, ip: &str, email: &str, password: &str) -> Reply {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/api/v1/auth/login")
            .header("content-type", "application/json")
            .header("user-agent", USER_AGENT)
            .header("x-forwarded-for", ip)
            .body(Body::from(serde_json::to_vec(&json!({ "email": email, "password": password })).unwrap()))
            .unwrap();
        self.send(request).await
    }

    /// Gives `user` extra grants straight in the database, as an admin might have.
    pub async fn grant(&self, user: Uuid, permissions: &[&str]) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        users::Entity::update_many()
            .col_expr(users::Column::Permissions, sea_orm::sea_query::Expr::value(json!(permissions)))
            .filter(users::Column::Id.eq(user))
            .exec(&self.state.db.conn)
            .await
            .unwrap();
    }

    /// A user inserted straight into the database (role and password known), then logged in
    /// through the API.
    pub async fn user(&self, role: Role) -> TestUser {
        let id = Uuid::now_v7();
        let email = format!("{}-{}@studio.example", role.as_str(), &id.simple().to_string()[24..]);
        users::ActiveModel {
            id: Set(id),
            email: Set(email.clone()),
            password_hash: Set(password_hash().to_owned()),
            first_name: Set(Some(format!("Test {}", role.as_str()))),
            last_name: Set(None),
            avatar_url: Set(None),
            role: Set(role.as_str().into()),
            permissions: Set(json!([])),
            active: Set(true),
            last_login: Set(None),
            created_at: Set(Utc::now()),
            updated_at: Set(Utc::now()),
        }
        .insert(&self.state.db.conn)
        .await
        .unwrap();
        let reply = self.login(&email, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        TestUser {
            id,
            email,
            token: reply.body["access_token"].as_str().unwrap().to_owned(),
            refresh: reply.body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A valid order, with `overrides` merged in.
    pub fn order(overrides: Value) -> Value {
        let mut order = json!({
            "customer_name": "Sunny Lee",
            "customer_email": "sunny@example.com",
            "pet_name": "Buttercup",
            "package_type": "custom",
            "game_config": { "theme": "space adventure", "difficulty": "easy", "features": ["leaderboard"] },
        });
        if let (Some(base), Some(extra)) = (order.as_object_mut(), overrides.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        order
    }

    pub async fn project(&self, token: &str, overrides: Value) -> Value {
        let reply = self.post("/api/v1/projects", token, Self::order(overrides)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }
}

async fn connect_pg(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.expect("TEST_DATABASE_URL must reach PostgreSQL")
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.pg_schema.take() {
            // Drop runs outside any runtime's reach; a short-lived one cleans the schema up.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async {
                    let mut conn = connect_pg(&base).await;
                    // A test's runtime may end before its pool has rolled back a dropped
                    // transaction; end those connections so they hold no locks on the schema.
                    let _ = sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1")
                        .bind(&schema)
                        .execute(&mut conn)
                        .await;
                    let _ = sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await;
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))).execute(&mut conn).await;
                });
            })
            .join();
        }
    }
}
