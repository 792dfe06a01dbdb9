//! `cargo xtask cluster [--replicas N] [--port P] [--admin EMAIL] [--seed-demo]`: the production
//! topology on this machine (see `petpixel-cluster`), on the release build, until Ctrl-C.
//!
//! PostgreSQL: `DATABASE_URL`, else the database `petpixel_cluster` on 127.0.0.1:5432 (made when
//! missing). Redis: `REDIS_URL`, else 127.0.0.1:6379. S3: `S3_ENDPOINT`, `S3_BUCKET`,
//! `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY` (and `S3_REGION`), else an s3s-fs of its own.
//! `--admin` makes that account an admin, with the password in `PETPIXEL_ADMIN_PASSWORD`;
//! `--seed-demo` fills an empty database with the demo team and projects (`petpixel seed-demo`).

use std::process::Command;
use std::time::Duration;

use petpixel_cluster::{Cluster, Options, S3};

pub fn run(args: &[String]) -> Result<(), String> {
    let flag = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let replicas: usize =
        flag("--replicas").map(|n| n.parse().map_err(|_| format!("--replicas {n}: not a number"))).transpose()?.unwrap_or(2);
    let port: u16 = flag("--port").map(|n| n.parse().map_err(|_| format!("--port {n}: not a port"))).transpose()?.unwrap_or(3000);
    crate::frontend::build()?;
    crate::games::build()?;
    let mut build = crate::cargo();
    build.args(crate::RELEASE_BUILD);
    crate::run(build)?;
    let target = std::env::var("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| crate::frontend::root().join("target"));
    let database_url = match std::env::var("DATABASE_URL") {
        Ok(url) => url,
        Err(_) => {
            let server = "postgres://postgres@127.0.0.1:5432";
            // "already exists" is fine: the cluster keeps its data between runs.
            let _ = Command::new("psql").args([&format!("{server}/postgres"), "-qc", "CREATE DATABASE petpixel_cluster"]).output();
            format!("{server}/petpixel_cluster")
        }
    };
    let env = |name: &str| std::env::var(name).ok();
    let s3 = env("S3_ENDPOINT").map(|endpoint| {
        Ok::<_, String>(S3 {
            endpoint,
            bucket: env("S3_BUCKET").ok_or("S3_BUCKET is required with S3_ENDPOINT")?,
            region: env("S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: env("S3_ACCESS_KEY_ID").ok_or("S3_ACCESS_KEY_ID is required with S3_ENDPOINT")?,
            secret_access_key: env("S3_SECRET_ACCESS_KEY").ok_or("S3_SECRET_ACCESS_KEY is required with S3_ENDPOINT")?,
        })
    });
    let work = crate::frontend::root().join("data/cluster");
    let options = Options {
        bin: target.join("release/petpixel"),
        replicas,
        port,
        database_url,
        redis_url: env("REDIS_URL").unwrap_or_else(|| "redis://127.0.0.1:6379".into()),
        s3: s3.transpose()?,
        work: work.clone(),
        env: Vec::new(),
    };
    let cluster = Cluster::start(options).map_err(|e| format!("the cluster did not start: {e}"))?;
    if let Some(email) = flag("--admin") {
        let out = cluster.petpixel(&["create-admin", "--email", &email]).map_err(|e| e.to_string())?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            return Err(format!("create-admin failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    if args.iter().any(|a| a == "--seed-demo") {
        let out = cluster.petpixel(&["seed-demo"]).map_err(|e| e.to_string())?;
        print!("{}", String::from_utf8_lossy(&out.stdout));
        if !out.status.success() {
            return Err(format!("seed-demo failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    println!("PetPixel Studio: {} (nginx in front of {replicas} replicas and a worker); logs in {}", cluster.url, work.display());
    println!("Ctrl-C stops it all.");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}
