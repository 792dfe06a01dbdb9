//! The official Socket.IO client (npm `socket.io-client`, run by Node) as a test client:
//! `e2e/realtime/probe.mjs`, driven over stdin, reporting over stdout.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

pub struct Probe {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<Value>,
    /// Lines read while waiting for others.
    seen: Vec<Value>,
    next_id: u64,
}

fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// `None` (with a note) where Node or the client is not installed, unless CI requires them.
pub async fn start(base: &str) -> Option<Probe> {
    let installed = e2e_dir().join("node_modules/socket.io-client").exists();
    let node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !(installed && node) {
        let why = if node { "`cd e2e && npm ci` has not been run" } else { "Node.js is not installed" };
        assert!(std::env::var_os("CI_REQUIRE_TOOLS").is_none(), "the Socket.IO tests need Node and socket.io-client: {why}");
        eprintln!("skipped: the Socket.IO client tests need Node and e2e's socket.io-client ({why})");
        return None;
    }
    let mut child = Command::new("node")
        .arg(e2e_dir().join("realtime/probe.mjs"))
        .arg(base)
        .current_dir(e2e_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, lines) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok(Some(line)) = stdout.next_line().await {
            if tx.send(serde_json::from_str::<Value>(&line).expect("the probe writes JSON")).is_err() {
                break;
            }
        }
    });
    let mut probe = Probe { child, stdin, lines, seen: Vec::new(), next_id: 0 };
    probe.wait_for(|l| l["type"] == "ready", Duration::from_secs(10)).await.expect("the probe starts");
    Some(probe)
}

impl Probe {
    async fn send(&mut self, command: Value) {
        self.stdin.write_all(format!("{command}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The first line (seen before, or coming within `timeout`) that `matches`; it is consumed.
    pub async fn wait_for(&mut self, matches: impl Fn(&Value) -> bool, timeout: Duration) -> Option<Value> {
        if let Some(i) = self.seen.iter().position(&matches) {
            return Some(self.seen.remove(i));
        }
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let line = tokio::time::timeout_at(deadline, self.lines.recv()).await.ok()??;
            if matches(&line) {
                return Some(line);
            }
            self.seen.push(line);
        }
    }

    /// Connects socket `name`; `Ok(())` or `Err(connect_error message)`.
    pub async fn connect(&mut self, name: &str, token: Option<&str>) -> Result<(), String> {
        self.send(json!({ "op": "connect", "name": name, "token": token })).await;
        let line = self
            .wait_for(|l| l["name"] == name && (l["type"] == "connect" || l["type"] == "connect_error"), Duration::from_secs(10))
            .await
            .expect("the socket connects or is refused");
        if line["type"] == "connect" {
            Ok(())
        } else {
            Err(line["message"].as_str().unwrap_or_default().to_owned())
        }
    }

    /// Emits `event` from `name` and waits for the server's acknowledgement.
    pub async fn emit(&mut self, name: &str, event: &str, data: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "op": "emit", "name": name, "event": event, "data": data, "id": id })).await;
        let line =
            self.wait_for(|l| l["name"] == name && l["type"] == "ack" && l["id"] == id, Duration::from_secs(10)).await.expect("an ack");
        line["data"].clone()
    }

    pub async fn subscribe(&mut self, name: &str, project_id: &str) -> Value {
        self.emit(name, "subscribe", json!({ "project_id": project_id })).await
    }

    /// The next `event` socket `name` hears whose data `matches`, within 5 s.
    pub async fn event(&mut self, name: &str, event: &str, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        self.wait_for(|l| l["name"] == name && l["type"] == "event" && l["event"] == event && matches(&l["data"]), Duration::from_secs(5))
            .await
            .map(|l| l["data"].clone())
    }

    /// Whether socket `name` hears such an event within `within`.
    pub async fn hears(&mut self, name: &str, event: &str, within: Duration, matches: impl Fn(&Value) -> bool) -> bool {
        self.wait_for(|l| l["name"] == name && l["type"] == "event" && l["event"] == event && matches(&l["data"]), within).await.is_some()
    }

    /// Waits for socket `name` to be disconnected; the reason.
    pub async fn disconnected(&mut self, name: &str) -> Option<String> {
        self.wait_for(|l| l["name"] == name && l["type"] == "disconnect", Duration::from_secs(5))
            .await
            .map(|l| l["reason"].as_str().unwrap_or_default().to_owned())
    }

    pub async fn close(mut self) {
        let _ = self.child.kill().await;
    }
}
