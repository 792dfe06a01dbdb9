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
//! - `cluster [--replicas N] [--port P] [--admin EMAIL] [--seed-demo]`: nginx in front of N replicas and a worker
//!   on PostgreSQL, Redis and S3, on this machine (see `xtask/src/cluster.rs`).

use std::process::{Command, ExitCode};

mod cluster;
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
        "cluster" => cluster::run(args),
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
        other => Err(format!("unknown task `{other}`; tasks: run, test, build-frontend, build-games, e2e, bench, cluster")),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        eprintln!("usage: cargo xtask <run|test|build-frontend|build-games|e2e|bench|cluster> [args...]");
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

    /// Every image the compose file pulls names a release, at least major.minor (none floats:
    /// `latest`, `stable`, a bare major), and every service that keeps running has a health check.
    #[test]
    fn the_compose_file_pins_its_images_and_checks_its_services() {
        let compose = std::fs::read_to_string(crate::frontend::root().join("docker-compose.yml")).unwrap();
        let images: Vec<&str> = compose.lines().filter_map(|l| l.trim().strip_prefix("image: ")).collect();
        assert!(images.len() >= 7, "{images:?}");
        for image in images.iter().filter(|i| !i.starts_with("petpixel-studio:")) {
            let (_, tag) = image.rsplit_once(':').unwrap_or_else(|| panic!("{image} names no version"));
            let release = tag.trim_start_matches('v').split(['-', '@']).next().unwrap();
            assert!(release.split('.').count() >= 2 && release.split('.').all(|n| n.parse::<u32>().is_ok()), "{image} floats");
        }
        // Each service's block: its name's line (indented two spaces) up to the next one's.
        let services = compose.split("\nservices:\n").nth(1).unwrap().split("\nvolumes:").next().unwrap();
        let mut blocks: Vec<(String, String)> = Vec::new();
        for line in services.lines() {
            match line.strip_prefix("  ") {
                Some(name) if !name.starts_with(' ') && !name.starts_with('#') => {
                    blocks.push((name.split(':').next().unwrap().to_owned(), line.to_owned()))
                }
                _ => blocks.last_mut().unwrap().1.push_str(line),
            }
        }
        // A service's own check, the app's (`<<: *app`) or a replica's (`*replica`); the one-shot
        // services (init, migrate) end instead of running.
        let unchecked: Vec<&str> = blocks
            .iter()
            .filter(|(_, block)| !["healthcheck:", "<<: *app", "*replica"].iter().any(|c| block.contains(c)))
            .map(|(name, _)| name.as_str())
            .collect();
        assert_eq!(unchecked, ["garage-init"], "services without a health check");
    }
}
