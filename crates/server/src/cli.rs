//! The `petpixel` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use petpixel_types::user::CreateUser;

use crate::config::Config;
use crate::db::Db;
use crate::state::AppState;
use crate::{app, assets, backup, jobs, seed, telemetry, users};

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
    /// Write a backup archive of the database and every stored file, while the server runs;
    /// sealed with PETPIXEL_BACKUP_KEY when it is set.
    Backup {
        /// Where the archive goes: a folder, or s3://bucket/prefix on the S3_* endpoint
        /// (default: PETPIXEL_BACKUP_TO, else PETPIXEL_DATA_DIR/backups).
        #[arg(long, value_name = "DIR|s3://BUCKET/PREFIX")]
        to: Option<String>,
        /// Check an archive instead (a path or s3://bucket/prefix/name), every entry against its
        /// manifest, without restoring it.
        #[arg(long, value_name = "ARCHIVE", conflicts_with = "to")]
        verify: Option<String>,
    },
    /// Restore a backup archive into an empty database and file store (verified first).
    Restore {
        /// A path, or s3://bucket/prefix/name on the S3_* endpoint.
        archive: String,
        /// Empty the database and store first instead of refusing when they hold anything.
        #[arg(long)]
        replace: bool,
    },
    /// Copy this install (its database, and its folder of files) into PostgreSQL (and an S3
    /// bucket), every id, timestamp and token intact; resumable, and checked at the end.
    MigrateData {
        /// The target database: postgres://user:password@host/database.
        #[arg(long, value_name = "DATABASE_URL")]
        to: String,
        /// Copy the files too, into the bucket the S3_* variables name.
        #[arg(long)]
        to_s3: bool,
    },
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
        Command::Backup { to: _, verify: Some(location) } => {
            let (archive, downloaded) = backup::target::fetch(&config, &location).await?;
            let checked = backup::verify(&archive, config.backup_key.as_ref()).await;
            if downloaded {
                let _ = std::fs::remove_file(&archive);
            }
            let (header, manifest) = checked?;
            let rows: u64 = manifest.rows.values().sum();
            println!(
                "{location}: whole and unchanged. Made {} by version {} on {} with {}; {rows} rows, {} files.",
                header.created_at.format("%Y-%m-%d %H:%M UTC"),
                header.app_version,
                header.engine,
                header.storage,
                manifest.objects().count()
            );
            Ok(())
        }
        Command::Backup { to, verify: None } => {
            let db = Db::connect(&config).await?;
            let storage = crate::state::storage(&config)?;
            let target = match to {
                Some(to) => crate::config::BackupTarget::parse(&to)?,
                None => backup::target::configured(&config),
            };
            let summary = backup::schedule::record(&db.conn, &storage, &config, "command", &target).await?;
            println!("Backed up {summary}.");
            Ok(())
        }
        Command::Restore { archive, replace } => {
            let db = Db::connect(&config).await?;
            db.migrate().await?;
            let storage = crate::state::storage(&config)?;
            let (path, downloaded) = backup::target::fetch(&config, &archive).await?;
            let restored = backup::restore(&db.conn, &storage, &path, config.backup_key.as_ref(), replace).await;
            if downloaded {
                let _ = std::fs::remove_file(&path);
            }
            let summary = restored?;
            println!("Restored {summary}.");
            Ok(())
        }
        Command::MigrateData { to, to_s3 } => {
            let mut source = config.clone();
            // The source's files are always the folder: with S3_* set for the target, the
            // configured store would be the bucket.
            source.storage = crate::config::StorageConfig::Local {
                dir: std::env::var_os("PETPIXEL_FILES_DIR").map(Into::into).unwrap_or_else(|| config.data_dir.join("files")),
            };
            let target_store = match (&config.storage, to_s3) {
                (crate::config::StorageConfig::S3(_), true) => Some(crate::state::storage(&config)?),
                (_, true) => {
                    anyhow::bail!("--to-s3 needs the target bucket in S3_BUCKET, S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
                }
                (_, false) => None,
            };
            let from = Db::connect(&source).await?;
            from.migrate().await?;
            let mut target = config.clone();
            target.database_url = secrecy::SecretString::from(to);
            let into = Db::connect(&target).await?;
            into.migrate().await?;
            let report =
                backup::migrate::migrate_data(&from.conn, &crate::state::storage(&source)?, &into.conn, target_store.as_ref()).await?;
            println!("Copied: {report}. Point DATABASE_URL (and S3_*) at the target and start the server.");
            Ok(())
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
