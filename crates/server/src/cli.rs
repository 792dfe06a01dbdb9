//! The `petpixel` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use petpixel_types::user::CreateUser;

use crate::config::Config;
use crate::db::Db;
use crate::state::AppState;
use crate::{app, assets, jobs, seed, telemetry, users};

#[derive(Parser)]
#[command(name = "petpixel", version, about = "PetPixel Studio: the API, realtime hub, SPA and game pages in one binary")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve everything on PETPIXEL_BIND (the default command).
    Serve,
    /// Run background jobs only (no HTTP), until SIGTERM or Ctrl-C.
    Worker,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Create an admin, or make an existing account an active admin with this password.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, env = "PETPIXEL_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Fill an empty database with a demo team of five and about 40 projects.
    SeedDemo,
    /// Print the OpenAPI document.
    Openapi,
    /// Exit 0 when URL answers 2xx within 3 seconds, else 1: a container's health check, where
    /// the image has no curl.
    Probe {
        /// Default: this process's `/api/health` on PETPIXEL_BIND's port.
        url: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        return match app::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if let Some(Command::Probe { url }) = cli.command {
        return probe(url);
    }
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    // Kept to the end: dropping it sends the traces and reports still queued.
    let _telemetry = match telemetry::init(&config) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The app's state, with every customer's contact details sealed under the current key first
/// (rows from before sealing, or sealed with a key since retired).
async fn state(config: Config) -> anyhow::Result<AppState> {
    let state = AppState::new(config).await?;
    crate::customers::reseal::run(&state).await?;
    Ok(state)
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    if matches!(command, Command::Serve | Command::Worker) {
        tokio::spawn(assets::spool::keep_swept(assets::spool::dir(&config.data_dir)));
    }
    match command {
        Command::Serve => {
            let _ = telemetry::metrics_handle();
            app::serve(state(config).await?).await
        }
        Command::Worker => {
            let state = state(config).await?;
            let _ = telemetry::metrics_handle();
            app::serve_metrics(&state).await?;
            jobs::Worker::new(state, app::job_registry()).run(app::shutdown_signal()).await;
            Ok(())
        }
        Command::Migrate => {
            let db = Db::connect(&config).await?;
            db.migrate().await?;
            println!("The database is up to date ({}).", db.backend_name());
            Ok(())
        }
        Command::CreateAdmin { email, password } => {
            let request = CreateUser { email, password, ..Default::default() };
            let new = request.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
            let state = state(config).await?;
            let (user, created) = users::service::create_or_reset_admin(&state, new).await?;
            if created {
                println!("Created admin {}.", user.email);
            } else {
                println!("{} is now an active admin with the new password.", user.email);
            }
            Ok(())
        }
        Command::SeedDemo => {
            let state = state(config).await?;
            seed::seed_demo(&state).await
        }
        Command::Openapi | Command::Probe { .. } => unreachable!("handled before the runtime starts"),
    }
}

fn probe(url: Option<String>) -> ExitCode {
    let url = url.unwrap_or_else(|| {
        let port = std::env::var("PETPIXEL_BIND").ok().and_then(|b| b.rsplit_once(':').map(|(_, p)| p.to_owned()));
        format!("http://127.0.0.1:{}/api/health", port.as_deref().unwrap_or("3000"))
    });
    let answer = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string()).and_then(|rt| {
        rt.block_on(async {
            let client = reqwest::Client::builder().timeout(std::time::Duration::from_secs(3)).build().map_err(|e| e.to_string())?;
            client.get(&url).send().await.map_err(|e| e.to_string())
        })
    });
    match answer {
        Ok(r) if r.status().is_success() => ExitCode::SUCCESS,
        Ok(r) => {
            eprintln!("{url}: {}", r.status());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{url}: {e}");
            ExitCode::FAILURE
        }
    }
}
