//! `cargo xtask <task>`: the project's commands, in Rust so they need nothing but the toolchain.
//!
//! - `run`: build the web app and the server in release mode, and serve on 127.0.0.1:3000
//!   (SQLite and files under ./data). `run <command>` runs another `petpixel` command.
//! - `test`: every test; set `TEST_DATABASE_URL=postgres://...` to run them on PostgreSQL.
//! - `build-frontend`: the web app's bundle into `frontend/dist`.
//! - `build-games`: the game templates, compiled to WASM, into `games/dist`.
//! - `e2e`: the browser tests (Playwright in Debian's Chromium) against the release build.
//!
//! `test` runs the browser tests too when Node.js and Chromium are installed (`.ci/run` installs
//! Chromium); `test --rust-only` skips them.
//! - `bench [sqlite|postgres] [seconds]`: the API measured from outside with wrk (`scripts/load/run.sh`);
//!   `bench assets`, `bench builds` and `bench webhooks`: the asset pipeline's, the game builder's
//!   and the webhook deliveries' figures.

use std::process::{Command, ExitCode};

mod e2e;
mod frontend;
mod games;

/// The server's release build, with the web app and the game templates embedded: what the browser
/// tests run and what the Dockerfile ships (a test below keeps the two the same).
pub(crate) const RELEASE_BUILD: [&str; 6] = ["build", "--release", "--package", "petpixel-server", "--bin", "petpixel"];

pub(crate) fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

pub(crate) fn run(mut command: Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    eprintln!("xtask: {shown}");
    let status = command.status().map_err(|e| format!("cannot start {shown}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{shown} failed ({status})"))
    }
}

fn task(name: &str, args: &[String]) -> Result<(), String> {
    match name {
        "build-frontend" => frontend::build(),
        "build-games" => games::build(),
        "run" => {
            if args.is_empty() {
                frontend::build()?;
                games::build()?;
            }
            let mut c = cargo();
            c.args(["run", "--release", "--package", "petpixel-server", "--bin", "petpixel", "--"]);
            if args.is_empty() {
                c.arg("serve");
            } else {
                c.args(args);
            }
            run(c)
        }
        "test" => {
            let rust_only = args.iter().any(|a| a == "--rust-only");
            let passthrough = args.iter().filter(|a| *a != "--rust-only");
            // The builder's tests make real bundles from the compiled templates; the realtime
            // tests speak through the official Socket.IO client, run by Node.
            games::build()?;
            e2e::node_modules()?;
            let mut c = cargo();
            // Unit, integration and doc tests; benchmarks run with `cargo xtask bench`, in release.
            // The web app builds for wasm32 only; its logic lives in crates it shares.
            c.args(["test", "--workspace", "--exclude", "petpixel-frontend"]).args(passthrough);
            run(c)?;
            if rust_only {
                return Ok(());
            }
            match e2e::missing_prerequisite() {
                None => e2e::run(),
                Some(why) => {
                    println!("browser tests skipped: {why} (.ci/run installs it; `cargo xtask test --rust-only` skips them)");
                    Ok(())
                }
            }
        }
        "e2e" => e2e::run(),
        "bench" if matches!(args.first().map(String::as_str), Some("assets" | "builds" | "webhooks")) => {
            if args[0] == "builds" {
                games::build()?;
            }
            let mut c = cargo();
            c.args(["bench", "--package", "petpixel-server", "--bench", &args[0]]);
            run(c)
        }
        "bench" => {
            let root = frontend::root();
            let mut c = Command::new(root.join("scripts/load/run.sh"));
            c.current_dir(root).args(args);
            run(c)
        }
        other => Err(format!("unknown task `{other}`; tasks: run, test, build-frontend, build-games, e2e, bench")),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        eprintln!("usage: cargo xtask <run|test|build-frontend|build-games|e2e|bench> [args...]");
        return ExitCode::FAILURE;
    };
    let rest: Vec<String> = args.collect();
    match task(&name, &rest) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// The Dockerfile's build is xtask's: the web app, the game templates (an image without them
    /// fails every game build), then the release build, in that order.
    #[test]
    fn the_dockerfile_builds_what_xtask_builds() {
        let dockerfile = std::fs::read_to_string(crate::frontend::root().join("Dockerfile")).unwrap();
        let commands: Vec<Vec<&str>> = dockerfile
            .lines()
            .filter_map(|l| l.trim().strip_prefix("RUN "))
            .flat_map(|l| l.split("&&"))
            .map(|c| c.split_whitespace().filter(|w| *w != "--locked").collect())
            .filter(|c: &Vec<&str>| c.first() == Some(&"cargo"))
            .collect();
        let mut release = vec!["cargo"];
        release.extend(crate::RELEASE_BUILD);
        assert_eq!(commands, [vec!["cargo", "xtask", "build-frontend"], vec!["cargo", "xtask", "build-games"], release], "{dockerfile}");
    }
}
