//! `cargo xtask <task>`: the project's commands, in Rust so they need nothing but the toolchain.
//!
//! - `run`: build in release mode and serve on 127.0.0.1:3000 (SQLite and files under ./data).
//! - `test`: every test; set `TEST_DATABASE_URL=postgres://...` to run them on PostgreSQL.
//! - `bench`: the API load benchmark (see `crates/server/benches/api_load.rs`).

use std::process::{Command, ExitCode};

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn run(mut command: Command) -> Result<(), String> {
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
        "run" => {
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
            let mut c = cargo();
            // Unit, integration and doc tests; benchmarks run with `cargo xtask bench`, in release.
            c.args(["test", "--workspace"]).args(args);
            run(c)
        }
        "bench" => {
            let mut c = cargo();
            c.args(["bench", "--package", "petpixel-server", "--bench", "api_load", "--"]).args(args);
            run(c)
        }
        other => Err(format!("unknown task `{other}`; tasks: run, test, bench")),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(name) = args.next() else {
        eprintln!("usage: cargo xtask <run|test|bench> [args...]");
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
