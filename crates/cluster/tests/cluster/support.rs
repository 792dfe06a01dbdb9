use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use petpixel_cluster::{Cluster, Options};
use serde_json::{json, Value};

use crate::proxy::{self, address_of, Proxy};

pub const ADMIN: &str = "admin@cluster.example";
pub const PASSWORD: &str = "cluster test password 1";

/// A cluster of `replicas` on a fresh database, with an admin signed in; None (the test passes,
/// saying why) where the machine lacks a part, unless `CI_REQUIRE_TOOLS` is set.
pub struct TestCluster {
    pub cluster: Cluster,
    /// Between the cluster and PostgreSQL, and Redis, when asked for.
    pub database_proxy: Option<Proxy>,
    pub redis_proxy: Option<Proxy>,
    pub http: reqwest::Client,
    pub token: String,
    server: String,
    database: String,
}

fn missing(what: &str) -> Option<TestCluster> {
    if std::env::var_os("CI_REQUIRE_TOOLS").is_some() {
        panic!("the cluster tests need {what}");
    }
    eprintln!("cluster test skipped: {what} is missing");
    None
}

fn binary() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("PETPIXEL_BIN") {
        return Some(bin.into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    Some(target.join("release/petpixel")).filter(|p| p.exists())
}

static CLUSTERS: AtomicU32 = AtomicU32::new(0);

/// A reply: status, headers, JSON body (Null if none).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// Which of the cluster's servers it reaches through a proxy the test controls.
#[derive(Default, Clone, Copy)]
pub struct Through {
    pub database: bool,
    pub redis: bool,
}

impl TestCluster {
    pub async fn start(replicas: usize) -> Option<TestCluster> {
        Self::start_with(replicas, Through::default()).await
    }

    pub async fn start_with(replicas: usize, through: Through) -> Option<TestCluster> {
        // The topology is PostgreSQL's and Redis's: on the embedded defaults there is none to test.
        let (Ok(url), Ok(redis_url)) = (std::env::var("TEST_DATABASE_URL"), std::env::var("TEST_REDIS_URL")) else {
            eprintln!("cluster test skipped: it runs with TEST_DATABASE_URL (PostgreSQL) and TEST_REDIS_URL set");
            return None;
        };
        let Some(bin) = binary() else { return missing("the petpixel release build (cargo xtask e2e builds it; or PETPIXEL_BIN)") };
        if Command::new("s3s-fs").arg("--version").output().is_err() {
            return missing("s3s-fs (cargo install s3s-fs --features binary)");
        }
        if !["/usr/sbin/nginx", "/usr/bin/nginx"].iter().any(|p| std::path::Path::new(p).exists()) {
            return missing("nginx (apt-get install nginx-light)");
        }
        let server = url.rsplit_once('/').map(|(s, _)| s.to_owned()).unwrap_or(url);
        let n = CLUSTERS.fetch_add(1, Ordering::SeqCst);
        let database = format!("petpixel_cluster_{}_{n}", std::process::id());
        let created = Command::new("psql")
            .args([&format!("{server}/postgres"), "-qc", &format!("CREATE DATABASE {database}")])
            .output()
            .expect("psql");
        assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
        let work = std::env::temp_dir().join(format!("petpixel-cluster-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&work);
        let mut database_url = format!("{server}/{database}");
        let mut redis_url = redis_url;
        let database_proxy = if through.database { Some(Proxy::start(&address_of(&database_url)).await) } else { None };
        if let Some(proxy) = &database_proxy {
            database_url = proxy::through(&database_url, proxy.port);
        }
        let redis_proxy = if through.redis { Some(Proxy::start(&address_of(&redis_url)).await) } else { None };
        if let Some(proxy) = &redis_proxy {
            redis_url = proxy::through(&redis_url, proxy.port);
        }
        let options = Options {
            bin,
            replicas,
            port: 0,
            database_url,
            redis_url,
            s3: None,
            work,
            env: vec![("PETPIXEL_ACCESS_TOKEN_TTL_SECS".into(), "3600".into())],
        };
        let cluster = tokio::task::spawn_blocking(move || Cluster::start(options)).await.unwrap().expect("the cluster starts");
        let admin = cluster.petpixel(&["create-admin", "--email", ADMIN, "--password", PASSWORD]).unwrap();
        assert!(admin.status.success(), "{}", String::from_utf8_lossy(&admin.stderr));
        let http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30)).build().unwrap();
        let mut test = TestCluster { cluster, database_proxy, redis_proxy, http, token: String::new(), server, database };
        let login = test
            .send(
                reqwest::Method::POST,
                &test.cluster.url.clone(),
                "/api/v1/auth/login",
                Some(json!({"email": ADMIN, "password": PASSWORD})),
            )
            .await;
        assert_eq!(login.0, 200, "{}", login.1);
        test.token = login.1["access_token"].as_str().unwrap().to_owned();
        Some(test)
    }

    /// One request to `base` (the balancer or a replica): its status and JSON body (Null if none).
    pub async fn send(&self, method: reqwest::Method, base: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let reply = self.request(self.http.request(method, format!("{base}{path}")), body).await.unwrap_or_else(|e| panic!("{path}: {e}"));
        (reply.status, reply.body)
    }

    /// Sends `request` with the admin's token (and `body` as JSON); Err when no answer came.
    pub async fn request(&self, mut request: reqwest::RequestBuilder, body: Option<Value>) -> Result<Reply, reqwest::Error> {
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await?;
        let status = reply.status().as_u16();
        let headers = reply.headers().clone();
        let text = reply.text().await.unwrap_or_default();
        Ok(Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) })
    }

    pub async fn create_project(&self, pet: &str) -> Value {
        let (status, body) = self.send(reqwest::Method::POST, &self.cluster.url, "/api/v1/projects", Some(order(pet))).await;
        assert_eq!(status, 201, "{body}");
        body
    }
}

/// A valid order for `pet`.
pub fn order(pet: &str) -> Value {
    json!({
            "customer_name": "Sunny Lee",
            "customer_email": "sunny@example.com",
            "pet_name": pet,
            "package_type": "custom",
            "game_config": { "theme": "space adventure", "difficulty": "easy", "features": [] },
    })
}

impl Drop for TestCluster {
    fn drop(&mut self) {
        let Self { server, database, .. } = self;
        // The processes first (the cluster's own Drop runs after this), so the database is free.
        for i in 0..=self.cluster.replicas() {
            let _ = self.cluster.kill(i);
        }
        let _ = Command::new("psql")
            .args([&format!("{server}/postgres"), "-qc", &format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")])
            .output();
    }
}
