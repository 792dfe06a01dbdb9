//! What the request log shows of a path that carries a credential (a build's preview link): the
//! path without it. Its own test binary, so that the log subscriber it installs is the only one
//! the process has (tracing caches which subscriber wants which span, process-wide).

#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_in_paths_stay_out_of_the_logs() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::INFO).with_writer(move || writer.clone()).with_ansi(false).finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let app = support::TestApp::new().await;
    let build = uuid::Uuid::now_v7();
    let token = "4102444800.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let reply = app.request(Method::GET, &format!("/preview/{build}/{token}/runner.js"), None, None).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains(&format!("/preview/{build}/…/runner.js")), "the request is logged: {logs}");
    assert!(!logs.contains("0123456789abcdef"), "{logs}");
}
