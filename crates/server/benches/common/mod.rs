//! What the benchmarks share: a real `petpixel serve` on a fresh data dir, and JSON calls to it.

// Each benchmark is a crate of its own and uses part of this.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use serde_json::{json, Value};

pub type Http = Client<HttpConnector, Full<Bytes>>;

const PASSWORD: &str = "bench password 1";

/// A server of its own, with an admin logged in; killed on drop.
pub struct Server {
    pub base: String,
    pub token: String,
    pub client: Http,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts `petpixel serve` with `extra` settings, once an admin exists, and logs in.
    pub async fn start(extra: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}");
        let mut env = vec![
            ("PETPIXEL_DATA_DIR".to_owned(), dir.path().display().to_string()),
            ("PETPIXEL_BIND".to_owned(), format!("127.0.0.1:{port}")),
            ("PETPIXEL_JWT_SECRET".to_owned(), "bench-secret-bench-secret-bench-secret-0".to_owned()),
            ("RUST_LOG".to_owned(), "warn".to_owned()),
        ];
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let petpixel = || {
            let mut c = Command::new(env!("CARGO_BIN_EXE_petpixel"));
            c.envs(env.iter().cloned()).stdout(Stdio::null());
            c
        };
        assert!(petpixel().args(["create-admin", "--email", "bench@example.com", "--password", PASSWORD]).status().unwrap().success());
        let child = petpixel().arg("serve").spawn().unwrap();
        let client: Http = Client::builder(hyper_util::rt::TokioExecutor::new()).build_http();
        for _ in 0..200 {
            if client.request(hyper::Request::get(format!("{base}/api/health")).body(Full::new(Bytes::new())).unwrap()).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut server = Server { base, token: String::new(), client, child, _dir: dir };
        let (_, login) =
            server.call("POST", "/api/v1/auth/login", Some(json!({ "email": "bench@example.com", "password": PASSWORD }))).await;
        server.token = login["access_token"].as_str().unwrap().to_owned();
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A JSON call as the admin: (status, body).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = hyper::Request::builder().method(method).uri(format!("{}{path}", self.base));
        if !self.token.is_empty() {
            request = request.header("authorization", format!("Bearer {}", self.token));
        }
        let body = match body {
            Some(v) => {
                request = request.header("content-type", "application/json");
                Full::new(Bytes::from(serde_json::to_vec(&v).unwrap()))
            }
            None => Full::new(Bytes::new()),
        };
        let (status, bytes) = self.send(request.body(body).unwrap()).await;
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    pub async fn send(&self, request: hyper::Request<Full<Bytes>>) -> (u16, Bytes) {
        let response = self.client.request(request).await.unwrap();
        let status = response.status().as_u16();
        (status, response.into_body().collect().await.unwrap().to_bytes())
    }

    /// A multipart body with `asset_type` and the file.
    pub fn upload_body(asset_type: &str, name: &str, file: &[u8]) -> (String, Bytes) {
        let boundary = "petpixel-bench";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"asset_type\"\r\n\r\n{asset_type}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), Bytes::from(body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
