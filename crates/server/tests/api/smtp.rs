//! A local SMTP sink (`python -m aiosmtpd`, its debugging handler printing each message) for the
//! outbox's tests.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub struct Sink {
    _child: Child,
    pub port: u16,
    messages: Arc<Mutex<Vec<String>>>,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Whether the sink can run here; where it cannot, the caller skips (unless CI requires it).
pub fn available() -> bool {
    let ok = std::process::Command::new("python3").args(["-c", "import aiosmtpd"]).output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var_os("CI_REQUIRE_TOOLS").is_none(), "the e-mail tests need aiosmtpd: pip install aiosmtpd");
        eprintln!("skipped: the SMTP tests need Python's aiosmtpd (pip install aiosmtpd)");
    }
    ok
}

impl Sink {
    /// Listens on `port`; returns once it accepts connections.
    pub async fn start(port: u16) -> Sink {
        let mut child = Command::new("python3")
            .args(["-u", "-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let sink = messages.clone();
        tokio::spawn(async move {
            let mut current: Option<String> = None;
            while let Ok(Some(line)) = lines.next_line().await {
                if line.starts_with("---------- MESSAGE FOLLOWS") {
                    current = Some(String::new());
                } else if line.starts_with("------------ END MESSAGE") {
                    sink.lock().unwrap().extend(current.take());
                } else if let Some(m) = current.as_mut() {
                    m.push_str(&line);
                    m.push('\n');
                }
            }
        });
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Sink { _child: child, port, messages };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start on {port}");
    }

    pub fn messages(&self) -> Vec<String> {
        self.messages.lock().unwrap().clone()
    }

    /// Waits until `n` messages have arrived (or the timeout); the messages.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        while self.messages().len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.messages()
    }
}
