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
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init_tracing(config.log_json);
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
        Command::Openapi => unreachable!("handled before the runtime starts"),
    }
}
