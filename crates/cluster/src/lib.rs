//! PetPixel Studio's production topology on one machine, without containers: Debian's nginx in
//! front of N `petpixel serve` replicas and one `petpixel worker`, all on one PostgreSQL, one
//! Redis and one S3 server (s3s-fs when no other is named). `cargo xtask cluster` runs it for
//! people without Docker; the cluster tests start one each and break its parts.
//!
//! Processes are plain children: a [`Cluster`] dropped stops them all.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An S3 bucket the replicas share.
#[derive(Clone, Debug)]
pub struct S3 {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
}

#[derive(Clone, Debug)]
pub struct Options {
    /// The `petpixel` binary (a release build for load, any build for faults).
    pub bin: PathBuf,
    pub replicas: usize,
    /// The balancer's port; 0 takes a free one.
    pub port: u16,
    /// A PostgreSQL database of the cluster's own, existing and empty or already migrated.
    pub database_url: String,
    pub redis_url: String,
    /// None: an s3s-fs of the cluster's own, under `work`.
    pub s3: Option<S3>,
    /// Logs, data folders, nginx's files.
    pub work: PathBuf,
    /// Set on every replica and the worker (after the cluster's own settings, so they win).
    pub env: Vec<(String, String)>,
}

/// One `petpixel` process: a replica (with its port) or the worker.
struct Process {
    name: String,
    args: Vec<&'static str>,
    port: Option<u16>,
    child: Option<Child>,
}

pub struct Cluster {
    options: Options,
    pub url: String,
    s3: S3,
    /// Replicas first, the worker last.
    processes: Vec<Process>,
    nginx: Option<Child>,
    s3_server: Option<Child>,
    /// Redis channel of this cluster's events, so clusters sharing a Redis hear only their own.
    channel: String,
}

/// A port nobody listens on now.
pub fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16, within: Duration) -> io::Result<()> {
    let deadline = Instant::now() + within;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(io::Error::new(io::ErrorKind::TimedOut, format!("nothing listens on port {port} after {within:?}")))
}

fn log_file(work: &Path, name: &str) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new().create(true).append(true).open(work.join(format!("{name}.log")))
}

impl Cluster {
    /// Migrates the database, then starts the S3 server (when needed), the replicas, the worker
    /// and nginx, and returns once the balancer answers.
    pub fn start(options: Options) -> io::Result<Cluster> {
        std::fs::create_dir_all(&options.work)?;
        let mut s3_server = None;
        let s3 = match &options.s3 {
            Some(s3) => s3.clone(),
            None => {
                let (child, s3) = start_s3s_fs(&options.work)?;
                s3_server = Some(child);
                s3
            }
        };
        let port = if options.port == 0 { free_port()? } else { options.port };
        let channel = format!("petpixel:cluster:{}:{}", std::process::id(), port);
        let mut processes: Vec<Process> = (0..options.replicas)
            .map(|i| Ok(Process { name: format!("replica-{}", i + 1), args: vec!["serve"], port: Some(free_port()?), child: None }))
            .collect::<io::Result<_>>()?;
        processes.push(Process { name: "worker".into(), args: vec!["worker"], port: None, child: None });
        let mut cluster = Cluster { url: format!("http://127.0.0.1:{port}"), options, s3, processes, nginx: None, s3_server, channel };
        let migrate = cluster.command("migrate", &["migrate"], None)?.status()?;
        if !migrate.success() {
            return Err(io::Error::other(format!("petpixel migrate failed ({migrate}); see {}", cluster.log_path("migrate").display())));
        }
        for i in 0..cluster.processes.len() {
            cluster.spawn(i)?;
        }
        for i in 0..cluster.options.replicas {
            cluster.wait_ready(i)?;
        }
        cluster.nginx = Some(cluster.start_nginx(port)?);
        wait_for_port(port, Duration::from_secs(10))?;
        Ok(cluster)
    }

    pub fn replicas(&self) -> usize {
        self.options.replicas
    }

    /// Replica `i`'s own address, bypassing the balancer.
    pub fn replica_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}", self.processes[i].port.expect("a replica has a port"))
    }

    /// Runs another `petpixel` command with the cluster's settings (`create-admin`, say).
    pub fn petpixel(&self, args: &[&str]) -> io::Result<std::process::Output> {
        let mut c = self.command("command", args, None)?;
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c.output()
    }

    /// SIGKILL: no goodbye, requests in flight cut.
    pub fn kill(&mut self, i: usize) -> io::Result<()> {
        if let Some(mut child) = self.processes[i].child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts replica (or the worker) `i` again on the same port, and waits until it answers.
    pub fn restart(&mut self, i: usize) -> io::Result<()> {
        self.kill(i)?;
        self.spawn(i)?;
        if self.processes[i].port.is_some() {
            self.wait_ready(i)?;
        }
        Ok(())
    }

    /// The process ids of the replicas and the worker, in that order (None: not running).
    pub fn pids(&self) -> Vec<Option<u32>> {
        self.processes.iter().map(|p| p.child.as_ref().map(Child::id)).collect()
    }

    /// The Redis channel of this cluster's events (its counter is `<channel>:seq`).
    pub fn channel(&self) -> &str {
        &self.channel
    }

    /// Stops the cluster's own S3 server (SIGKILL), as an S3 outage.
    pub fn stop_s3(&mut self) -> io::Result<()> {
        if let Some(mut child) = self.s3_server.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts the cluster's own S3 server again, on the same port and folder.
    pub fn start_s3(&mut self) -> io::Result<()> {
        if self.s3_server.is_none() && self.options.s3.is_none() {
            let port = self.s3.endpoint.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or_else(|| io::Error::other("no S3 port"))?;
            self.s3_server = Some(spawn_s3s_fs(&self.options.work, &self.s3, port)?);
        }
        Ok(())
    }

    pub fn log_path(&self, name: &str) -> PathBuf {
        self.options.work.join(format!("{name}.log"))
    }

    fn command(&self, log: &str, args: &[&str], process: Option<&Process>) -> io::Result<Command> {
        let o = &self.options;
        let mut c = Command::new(&o.bin);
        c.args(args)
            .env("DATABASE_URL", &o.database_url)
            .env("REDIS_URL", &o.redis_url)
            .env("PETPIXEL_EVENTS_CHANNEL", &self.channel)
            .env("S3_ENDPOINT", &self.s3.endpoint)
            .env("S3_BUCKET", &self.s3.bucket)
            .env("S3_ACCESS_KEY_ID", &self.s3.access_key_id)
            .env("S3_SECRET_ACCESS_KEY", &self.s3.secret_access_key)
            .env("S3_REGION", &self.s3.region)
            // Shared by every process, as replicas must agree on tokens and sealed data.
            .env("PETPIXEL_JWT_SECRET", "cluster-secret-cluster-secret-cluster-0123")
            .env("PETPIXEL_DATA_KEY", "22".repeat(32))
            .env("PETPIXEL_PUBLIC_URL", &self.url)
            .env("PETPIXEL_TRUST_PROXY", "true")
            .env("PETPIXEL_LOG_FORMAT", "json")
            .env("PETPIXEL_WORKER", "false")
            .env("PETPIXEL_DATA_DIR", o.work.join(format!("data-{log}")))
            .stdin(Stdio::null())
            .stdout(log_file(&o.work, log)?)
            .stderr(log_file(&o.work, log)?);
        if let Some(port) = process.and_then(|p| p.port) {
            c.env("PETPIXEL_BIND", format!("127.0.0.1:{port}"));
        }
        for (k, v) in &o.env {
            c.env(k, v);
        }
        Ok(c)
    }

    fn spawn(&mut self, i: usize) -> io::Result<()> {
        let p = &self.processes[i];
        let child = self.command(&p.name, &p.args, Some(p))?.spawn()?;
        self.processes[i].child = Some(child);
        Ok(())
    }

    fn wait_ready(&mut self, i: usize) -> io::Result<()> {
        let port = self.processes[i].port.expect("a replica has a port");
        let name = self.processes[i].name.clone();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.processes[i].child.as_mut().and_then(|c| c.try_wait().transpose()) {
                return Err(io::Error::other(format!("{name} exited ({:?}); see {}", status?, self.log_path(&name).display())));
            }
            if TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(io::Error::new(io::ErrorKind::TimedOut, format!("{name} did not listen within 60 s; see {}", self.log_path(&name).display())))
    }

    fn start_nginx(&self, port: u16) -> io::Result<Child> {
        let dir = self.options.work.join("nginx");
        std::fs::create_dir_all(dir.join("logs"))?;
        let locations = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/nginx/locations.conf").canonicalize()?;
        let servers: String = (0..self.options.replicas)
            .map(|i| format!("        server 127.0.0.1:{} max_fails=1 fail_timeout=2s;\n", self.processes[i].port.unwrap_or_default()))
            .collect();
        let d = dir.display();
        let conf = format!(
            "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/logs/error.log warn;\nevents {{ worker_connections 8192; }}\nhttp {{\n    access_log off;\n    \
             client_body_temp_path {d}/body;\n    proxy_temp_path {d}/proxy;\n    fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    \
             scgi_temp_path {d}/scgi;\n    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n    upstream petpixel {{\n{servers}        \
             keepalive 128;\n    }}\n    server {{\n        listen 127.0.0.1:{port};\n        include {};\n    }}\n}}\n",
            locations.display()
        );
        std::fs::write(dir.join("nginx.conf"), conf)?;
        let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists()).unwrap_or("nginx");
        Command::new(nginx)
            .args(["-e", &format!("{d}/logs/error.log"), "-p"])
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(log_file(&self.options.work, "nginx")?)
            .stderr(log_file(&self.options.work, "nginx")?)
            .spawn()
    }
}

/// s3s-fs (`cargo install s3s-fs --features binary`) on a free port, its bucket a folder.
fn start_s3s_fs(work: &Path) -> io::Result<(Child, S3)> {
    std::fs::create_dir_all(work.join("s3/petpixel"))?;
    let port = free_port()?;
    let s3 = S3 {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: "petpixel".into(),
        region: "us-east-1".into(),
        access_key_id: "cluster".into(),
        secret_access_key: "cluster-secret".into(),
    };
    Ok((spawn_s3s_fs(work, &s3, port)?, s3))
}

fn spawn_s3s_fs(work: &Path, s3: &S3, port: u16) -> io::Result<Child> {
    let child = Command::new("s3s-fs")
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--access-key",
            &s3.access_key_id,
            "--secret-key",
            &s3.secret_access_key,
        ])
        .arg(work.join("s3"))
        .stdin(Stdio::null())
        .stdout(log_file(work, "s3")?)
        .stderr(log_file(work, "s3")?)
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot start s3s-fs (cargo install s3s-fs --features binary): {e}")))?;
    wait_for_port(port, Duration::from_secs(10))?;
    Ok(child)
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // nginx's workers outlive a SIGKILLed master (holding its port): the master is asked to
        // stop them and itself first.
        if let Some(nginx) = self.nginx.as_mut() {
            let _ = Command::new("kill").args(["-TERM", &nginx.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && !matches!(nginx.try_wait(), Ok(Some(_))) {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let children = self.processes.iter_mut().filter_map(|p| p.child.as_mut()).chain(self.nginx.as_mut()).chain(self.s3_server.as_mut());
        for child in children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
