//! `cargo xtask e2e`: the browser tests in `e2e/`, against the release server with the release
//! bundle embedded, so a broken optimisation cannot pass.

use std::path::Path;
use std::process::Command;

use crate::{cargo, frontend};

const CHROMIUM: &str = "/usr/bin/chromium";

fn has(program: &str) -> bool {
    Command::new(program).arg("--version").output().is_ok_and(|o| o.status.success())
}

/// Why the browser tests cannot run here, if they cannot.
pub fn missing_prerequisite() -> Option<String> {
    if !has("npm") {
        return Some("Node.js (npm) is not installed".into());
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| CHROMIUM.into());
    if !Path::new(&chromium).exists() {
        return Some(format!("Chromium is not at {chromium} (apt-get install chromium)"));
    }
    None
}

/// e2e's npm packages (Playwright, and the Socket.IO client the Rust tests drive through Node),
/// installed from the lock file when missing; nothing without npm (those tests then say so).
pub fn node_modules() -> Result<(), String> {
    let dir = frontend::root().join("e2e");
    let wanted = ["@playwright/test", "socket.io-client", "lighthouse"];
    if !has("npm") || wanted.iter().all(|p| dir.join("node_modules").join(p).exists()) {
        return Ok(());
    }
    let mut c = Command::new("npm");
    // Playwright must never fetch a browser of its own: Debian's Chromium is used.
    c.args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir).env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
    crate::run(c)
}

pub fn run() -> Result<(), String> {
    if let Some(why) = missing_prerequisite() {
        return Err(format!("cannot run the browser tests: {why}"));
    }
    frontend::build()?;
    // The release binary embeds the templates that its builds copy into every game.
    crate::games::build()?;
    let mut c = cargo();
    c.args(crate::RELEASE_BUILD);
    crate::run(c)?;

    let dir = frontend::root().join("e2e");
    node_modules()?;
    let mut c = Command::new("npx");
    c.args(["playwright", "test"]).current_dir(&dir).env("PETPIXEL_BIN", frontend::target_dir().join("release/petpixel"));
    crate::run(c)
}
