//! Configuration: one typed struct read from the environment (and an optional `.env`), every
//! setting with a working default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use secrecy::{ExposeSecret, SecretString};

/// Where files live.
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// A folder (default: `<data dir>/files`).
    Local {
        dir: PathBuf,
    },
    S3(S3Config),
}

/// Where backup archives go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackupTarget {
    Dir(PathBuf),
    /// A bucket on the S3 endpoint the `S3_*` settings name (`s3://bucket/prefix`).
    S3 {
        bucket: String,
        prefix: String,
    },
}

impl BackupTarget {
    /// A folder, or `s3://bucket[/prefix]`.
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        let Some(rest) = value.strip_prefix("s3://") else { return Ok(BackupTarget::Dir(PathBuf::from(value))) };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        anyhow::ensure!(
            !bucket.is_empty() && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-.".contains(c)),
            "`{value}`: an s3:// target names a bucket (lower-case letters, digits, `-` and `.`), then an optional prefix"
        );
        Ok(BackupTarget::S3 { bucket: bucket.to_owned(), prefix: s3_prefix(Some(prefix))? })
    }
}

impl std::fmt::Display for BackupTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BackupTarget::Dir(dir) => write!(f, "{}", dir.display()),
            BackupTarget::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

/// An S3 bucket, addressed path-style (`S3_ENDPOINT/bucket/key`), so any S3 API works.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// Unset for AWS itself.
    pub endpoint: Option<String>,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// Where in the bucket the app's objects live (`S3_PREFIX`, `studio/`): a bucket shared with
    /// other things, or with other installs. Empty: the whole bucket.
    pub prefix: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: SecretString,
    /// Pool size; SQLite is given fewer connections since it has one writer anyway.
    pub database_max_connections: u32,
    /// How long a request waits for a database connection before it answers 503
    /// (`DATABASE_ACQUIRE_TIMEOUT_MS`, PostgreSQL).
    pub database_acquire_timeout: Duration,
    /// `None` means: generate one and keep it in the data dir.
    pub jwt_secret: Option<SecretString>,
    pub public_url: String,
    /// Where games are served from, when that is an origin of their own (`PETPIXEL_GAMES_URL`);
    /// by default the studio's, with every game page sandboxed into an opaque origin.
    pub games_url: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// The largest JSON body any endpoint reads.
    pub max_json_body_bytes: usize,
    /// The largest file upload, through the API or a signed link alike.
    pub max_upload_bytes: u64,
    pub storage: StorageConfig,
    /// How long a signed upload link works; an upload not completed by then is removed.
    pub upload_link_ttl: Duration,
    /// How long a download, thumbnail or preview link works.
    pub download_link_ttl: Duration,
    /// Pictures larger than this on either side are refused.
    pub image_max_side: u32,
    /// Pictures of more pixels than this are refused (a decompression bomb is refused from its
    /// header, before anything decodes it).
    pub image_max_pixels: u64,
    /// ClamAV's clamd (`tcp://host:port` or `host:port`): every upload is scanned when set.
    pub clamav_url: Option<String>,
    /// The program that turns HEIC pictures into PNG (libheif's `heif-convert`).
    pub heif_convert: String,
    /// Redis, for the event bus across processes (and, later, the cache); unset: in-process.
    pub redis_url: Option<SecretString>,
    /// The SMTP server notifications are e-mailed through (lettre's URL form:
    /// `smtp://user:pass@host:587?tls=required` for STARTTLS, `smtps://user:pass@host` for TLS,
    /// plain `smtp://host:port` for a local relay). Unset: the outbox keeps them, for admins.
    pub smtp_url: Option<SecretString>,
    /// The sender of notification e-mails.
    pub email_from: String,
    /// The Redis pub/sub channel events travel on (processes of one deployment share it).
    pub events_channel: String,
    /// How long a worker holds a job before another may take it (renewed while it runs).
    pub job_lease: Duration,
    /// The first retry's delay; each further one doubles it.
    pub job_retry_base: Duration,
    /// How often an idle worker looks for due jobs.
    pub job_poll_interval: Duration,
    /// Whether `serve` also runs a job worker (`petpixel worker` runs one alone).
    pub run_worker: bool,
    /// Failed logins for one e-mail address from one client address within `login_window`
    /// before 429.
    pub login_max_failures: u32,
    /// Failed logins from one client address, whatever the e-mail, within `login_window` before
    /// 429 (password spraying).
    pub login_max_failures_per_client: u32,
    pub login_window: Duration,
    /// A login session ends this long after it began, however often it is refreshed.
    pub session_max_lifetime: Duration,
    /// Password hashes (argon2id, 19 MiB each) running at once; defaults to the number of cores.
    pub password_hash_concurrency: usize,
    /// Logins waiting for a hashing slot before further ones are answered 503.
    pub password_hash_queue: usize,
    pub request_timeout: Duration,
    /// The time an upload through the API may take (10 MB over a slow line).
    pub upload_timeout: Duration,
    /// The longest a cached credential or list count is kept (changes invalidate them at once
    /// through the event bus; this bounds a lost message). Zero turns the caches off.
    pub cache_ttl: Duration,
    /// How many ids of each list order (a filter and a sort) are kept in memory: pages within it
    /// are served from memory, deeper ones read their ids from the index.
    pub list_order_depth: u64,
    /// How long a game address stays reserved without a deployed game before its slug is free.
    pub url_reservation_ttl: Duration,
    /// The most memory the live games' files may take in each process (least used go first).
    pub game_cache_bytes: u64,
    /// How often each process writes the game views it counted (and at shutdown).
    pub view_flush_interval: Duration,
    /// Whether `/g/<slug>` counts views at all (`PETPIXEL_COUNT_VIEWS=false` for no analytics).
    pub count_views: bool,
    /// Take the client address from `X-Forwarded-For` (behind a load balancer).
    pub trust_proxy: bool,
    /// How many proxies of ours stand in front: the client address is the entry the outermost of
    /// them appended, counted from the right of `X-Forwarded-For`.
    pub trusted_proxy_hops: usize,
    /// Where `/metrics` is also served without authentication (a scraper's private port); on the
    /// main address it needs an admin's bearer token.
    pub metrics_bind: Option<SocketAddr>,
    pub log_json: bool,
    /// Where traces go (`OTEL_EXPORTER_OTLP_ENDPOINT`); none are made without it.
    pub otlp: Option<Otlp>,
    /// Where error reports go (`SENTRY_DSN`); none are sent without it.
    pub sentry_dsn: Option<SecretString>,
    /// The reports' environment (`SENTRY_ENVIRONMENT`: production, staging...).
    pub sentry_environment: Option<String>,
    /// The web app's error reports taken from one person per minute.
    pub client_errors_per_minute: u32,
    /// Seals backup archives (`PETPIXEL_BACKUP_KEY`, an age passphrase); archives are plain
    /// without it, and one sealed with it restores only with it.
    pub backup_key: Option<SecretString>,
    /// How often the scheduled backup runs (`PETPIXEL_BACKUP_SCHEDULE`: `daily`, `hourly`, or
    /// `6h`, `30m`, `2d`); none without it.
    pub backup_schedule: Option<Duration>,
    /// The scheduled archives kept in the backup folder (`PETPIXEL_BACKUP_KEEP`, 7).
    pub backup_keep: usize,
    /// Where archives go (`PETPIXEL_BACKUP_TO`: a folder, or `s3://bucket/prefix` with the S3_*
    /// endpoint and keys; default: the data dir's `backups`).
    pub backup_to: Option<BackupTarget>,
    /// Days a deleted project can be restored before it is purged with its files
    /// (`PETPIXEL_DELETED_RETENTION_DAYS`, 30).
    pub deleted_retention_days: u32,
    /// Days activity entries are kept (`PETPIXEL_ACTIVITY_RETENTION_DAYS`; unset: for ever).
    pub activity_retention_days: Option<u32>,
    /// Days sent e-mails are kept in the outbox (`PETPIXEL_EMAIL_RETENTION_DAYS`, 90).
    pub email_retention_days: u32,
    /// Lets webhook endpoints lead to loopback, private, link-local and metadata addresses
    /// (tests, on-premises receivers); off, such addresses are refused when registered and again
    /// at each delivery.
    pub webhook_allow_private: bool,
    /// The wait before each retry of a failed webhook delivery; the last repeats until the
    /// endpoint is switched off (`PETPIXEL_WEBHOOK_RETRY_SCHEDULE`, seconds, comma-separated).
    pub webhook_retry_schedule: Vec<Duration>,
    /// An endpoint failing without a success for this long is switched off.
    pub webhook_disable_after: Duration,
    /// How long a receiver may take to answer.
    pub webhook_timeout: Duration,
    /// The key that seals customers' e-mail and phone at rest (`PETPIXEL_DATA_KEY`: 32 bytes as
    /// 64 hex digits or base64). Unset: a key derived from the token secret.
    pub data_key: Option<SecretString>,
    /// The name stored with every value it seals (`PETPIXEL_DATA_KEY_ID`; default: from the key).
    pub data_key_id: Option<String>,
    /// Keys retired by a rotation, still read until the server has sealed everything again with
    /// the current one (`PETPIXEL_DATA_KEYS_PREVIOUS`: `id:key` pairs, comma-separated).
    pub data_keys_previous: Vec<(String, SecretString)>,
    /// The most people one save of a project's notes may mention; those past it are not told.
    pub mentions_per_save: usize,
    /// The most mentions and messages one person's writing may send in an hour (each may be an
    /// e-mail); past it their mentions reach no one (they are told) and messages are refused (429).
    pub notifications_per_author_hour: u64,
}

/// Standard Webhooks' suggested schedule: 5 s, 5 min, 30 min, 2 h, 5 h, then every 10 h.
pub const WEBHOOK_RETRY_SCHEDULE: [u64; 6] = [5, 300, 1800, 7200, 18_000, 36_000];

/// `id:key,id:key`: the data keys a rotation retired.
fn previous_keys(value: Option<&str>) -> anyhow::Result<Vec<(String, SecretString)>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    value
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once(':') {
            Some((id, key)) if !id.is_empty() && !key.is_empty() => Ok((id.to_owned(), SecretString::from(key.to_owned()))),
            _ => bail!("PETPIXEL_DATA_KEYS_PREVIOUS takes `id:key` pairs separated by commas"),
        })
        .collect()
}

fn schedule_var(name: &str, default: &[u64]) -> anyhow::Result<Vec<Duration>> {
    let Some(v) = var(name) else { return Ok(default.iter().copied().map(Duration::from_secs).collect()) };
    let parsed: Result<Vec<Duration>, _> = v.split(',').map(|s| s.trim().parse::<u64>().map(Duration::from_secs)).collect();
    match parsed {
        Ok(s) if !s.is_empty() => Ok(s),
        _ => bail!("{name}={v:?} is not valid: give seconds, comma-separated (5,300,1800)"),
    }
}

/// A period: `hourly`, `daily`, `weekly`, or a number and a unit (`30m`, `6h`, `2d`).
fn every(value: &str) -> anyhow::Result<Duration> {
    let value = value.trim().to_ascii_lowercase();
    let secs = match value.as_str() {
        "hourly" => 3600,
        "daily" => 86_400,
        "weekly" => 7 * 86_400,
        _ => {
            let split = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
            let (n, unit) = value.split_at(split);
            let n: u64 = n.parse().map_err(|_| anyhow::anyhow!("`{value}` is not a period: try daily, hourly, 6h or 30m"))?;
            let unit = match unit {
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => anyhow::bail!("`{value}` is not a period: try daily, hourly, 6h or 30m"),
            };
            n * unit
        }
    };
    anyhow::ensure!(secs >= 15 * 60, "a backup schedule shorter than 15 minutes is not checked that often");
    Ok(Duration::from_secs(secs))
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match var(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|e| anyhow::anyhow!("{name}={v:?} is not valid: {e}")),
    }
}

fn bool_var(name: &str) -> anyhow::Result<bool> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("0" | "false" | "no" | "off") => Ok(false),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some(other) => bail!("{name}={other:?} is not a boolean (use true or false)"),
    }
}

/// S3 when `S3_BUCKET` is set (with its keys), else a folder in the data dir.
fn storage_from_env(data_dir: &std::path::Path) -> anyhow::Result<StorageConfig> {
    let Some(bucket) = var("S3_BUCKET") else {
        return Ok(StorageConfig::Local { dir: var("PETPIXEL_FILES_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("files")) });
    };
    let required = |name: &str| var(name).with_context(|| format!("{name} is required when S3_BUCKET is set"));
    Ok(StorageConfig::S3(S3Config {
        endpoint: var("S3_ENDPOINT"),
        bucket,
        region: var("S3_REGION").unwrap_or_else(|| "us-east-1".into()),
        access_key_id: required("S3_ACCESS_KEY_ID")?,
        secret_access_key: SecretString::from(required("S3_SECRET_ACCESS_KEY")?),
        prefix: s3_prefix(var("S3_PREFIX").as_deref())?,
    }))
}

/// `S3_PREFIX` as keys start with it: no leading slash, one trailing slash.
pub fn s3_prefix(value: Option<&str>) -> anyhow::Result<String> {
    let trimmed = value.unwrap_or_default().trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    anyhow::ensure!(
        trimmed.split('/').all(|part| !part.is_empty()
            && part != "."
            && part != ".."
            && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))),
        "S3_PREFIX takes letters, digits, `-`, `_` and `.` in `/`-separated parts (`studio/` or `petpixel/prod`)"
    );
    Ok(format!("{trimmed}/"))
}

fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(2)
}

/// An OTLP/HTTP traces endpoint, as OpenTelemetry's own variables name it.
#[derive(Debug, Clone)]
pub struct Otlp {
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`: the collector's base address; traces go to `/v1/traces`.
    pub endpoint: String,
    pub protocol: OtlpProtocol,
    /// `OTEL_SERVICE_NAME`, `petpixel` by default.
    pub service_name: String,
}

/// `OTEL_EXPORTER_OTLP_PROTOCOL`: `http/protobuf` (the default) or `http/json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    Protobuf,
    Json,
}

fn otlp_from_env() -> anyhow::Result<Option<Otlp>> {
    let Some(endpoint) = var("OTEL_EXPORTER_OTLP_ENDPOINT") else { return Ok(None) };
    let protocol = match var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
        None | Some("http/protobuf") => OtlpProtocol::Protobuf,
        Some("http/json") => OtlpProtocol::Json,
        Some(other) => bail!("OTEL_EXPORTER_OTLP_PROTOCOL={other:?} is not supported: use http/protobuf or http/json"),
    };
    if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
        bail!("OTEL_EXPORTER_OTLP_ENDPOINT={endpoint:?} must be an http:// or https:// address (OTLP over HTTP)");
    }
    Ok(Some(Otlp { endpoint, protocol, service_name: var("OTEL_SERVICE_NAME").unwrap_or_else(|| "petpixel".into()) }))
}

impl Config {
    /// Reads the environment, after loading `.env` from the working directory if there is one.
    pub fn from_env() -> anyhow::Result<Self> {
        // A missing .env is the normal case; a malformed one should not pass silently.
        if let Err(e) = dotenvy::dotenv() {
            if !e.not_found() {
                return Err(e).context("reading .env");
            }
        }
        let data_dir = PathBuf::from(var("PETPIXEL_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let storage = storage_from_env(&data_dir)?;
        let database_url = var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("petpixel.db").display()));
        let is_sqlite = database_url.starts_with("sqlite:");
        let bind: SocketAddr = parse_var("PETPIXEL_BIND", SocketAddr::from(([127, 0, 0, 1], 3000)))?;
        let config = Config {
            bind,
            public_url: var("PETPIXEL_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}")).trim_end_matches('/').to_owned(),
            games_url: var("PETPIXEL_GAMES_URL").map(|u| u.trim_end_matches('/').to_owned()),
            data_dir,
            database_max_connections: parse_var("DATABASE_MAX_CONNECTIONS", if is_sqlite { 8 } else { 16 })?,
            database_acquire_timeout: Duration::from_millis(parse_var("DATABASE_ACQUIRE_TIMEOUT_MS", 800)?),
            database_url: SecretString::from(database_url),
            jwt_secret: var("PETPIXEL_JWT_SECRET").map(SecretString::from),
            access_token_ttl: Duration::from_secs(parse_var("PETPIXEL_ACCESS_TOKEN_TTL_SECS", 15 * 60)?),
            refresh_token_ttl: Duration::from_secs(parse_var("PETPIXEL_REFRESH_TOKEN_TTL_SECS", 7 * 24 * 3600)?),
            max_json_body_bytes: parse_var("PETPIXEL_MAX_JSON_BODY_BYTES", 1024 * 1024)?,
            max_upload_bytes: parse_var("PETPIXEL_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)?,
            storage,
            upload_link_ttl: Duration::from_secs(parse_var("PETPIXEL_UPLOAD_LINK_TTL_SECS", 15 * 60)?),
            download_link_ttl: Duration::from_secs(parse_var("PETPIXEL_DOWNLOAD_LINK_TTL_SECS", 3600)?),
            image_max_side: parse_var("PETPIXEL_IMAGE_MAX_SIDE", 12_000)?,
            image_max_pixels: parse_var("PETPIXEL_IMAGE_MAX_PIXELS", 50_000_000)?,
            clamav_url: var("CLAMAV_URL"),
            heif_convert: var("PETPIXEL_HEIF_CONVERT").unwrap_or_else(|| "heif-convert".into()),
            redis_url: var("REDIS_URL").map(SecretString::from),
            smtp_url: var("SMTP_URL").map(SecretString::from),
            email_from: var("PETPIXEL_EMAIL_FROM").unwrap_or_else(|| "PetPixel Studio <studio@petpixel.invalid>".into()),
            events_channel: var("PETPIXEL_EVENTS_CHANNEL").unwrap_or_else(|| "petpixel:events".into()),
            job_lease: Duration::from_secs(parse_var("PETPIXEL_JOB_LEASE_SECS", 300)?),
            job_retry_base: Duration::from_secs(parse_var("PETPIXEL_JOB_RETRY_BASE_SECS", 10)?),
            job_poll_interval: Duration::from_millis(parse_var("PETPIXEL_JOB_POLL_MS", 1000)?),
            run_worker: !matches!(var("PETPIXEL_WORKER").map(|v| v.to_ascii_lowercase()).as_deref(), Some("false" | "0" | "off" | "no")),
            login_max_failures: parse_var("PETPIXEL_LOGIN_MAX_FAILURES", 5)?,
            login_max_failures_per_client: parse_var("PETPIXEL_LOGIN_MAX_FAILURES_PER_CLIENT", 30)?,
            login_window: Duration::from_secs(parse_var("PETPIXEL_LOGIN_WINDOW_SECS", 15 * 60)?),
            session_max_lifetime: Duration::from_secs(parse_var("PETPIXEL_SESSION_MAX_LIFETIME_SECS", 30 * 24 * 3600)?),
            password_hash_concurrency: parse_var("PETPIXEL_PASSWORD_HASH_CONCURRENCY", default_hash_concurrency())?.max(1),
            password_hash_queue: parse_var("PETPIXEL_PASSWORD_HASH_QUEUE", 64)?,
            request_timeout: Duration::from_secs(parse_var("PETPIXEL_REQUEST_TIMEOUT_SECS", 30)?),
            upload_timeout: Duration::from_secs(parse_var("PETPIXEL_UPLOAD_TIMEOUT_SECS", 600)?),
            cache_ttl: Duration::from_secs(parse_var("PETPIXEL_CACHE_TTL_SECS", 60)?),
            list_order_depth: parse_var("PETPIXEL_LIST_ORDER_DEPTH", 5_000u64)?.max(1),
            url_reservation_ttl: Duration::from_secs(parse_var("PETPIXEL_URL_RESERVATION_DAYS", 14u64)?.max(1) * 24 * 3600),
            game_cache_bytes: parse_var("PETPIXEL_GAME_CACHE_MB", 256u64)? * 1024 * 1024,
            view_flush_interval: Duration::from_secs(parse_var("PETPIXEL_VIEW_FLUSH_SECS", 10u64)?.max(1)),
            count_views: var("PETPIXEL_COUNT_VIEWS").is_none() || bool_var("PETPIXEL_COUNT_VIEWS")?,
            trust_proxy: bool_var("PETPIXEL_TRUST_PROXY")?,
            trusted_proxy_hops: parse_var("PETPIXEL_TRUSTED_PROXY_HOPS", 1)?.max(1),
            metrics_bind: var("PETPIXEL_METRICS_BIND")
                .map(|v| v.parse().map_err(|e| anyhow::anyhow!("PETPIXEL_METRICS_BIND={v:?} is not valid: {e}")))
                .transpose()?,
            log_json: var("PETPIXEL_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json")),
            otlp: otlp_from_env()?,
            sentry_dsn: var("SENTRY_DSN").map(SecretString::from),
            sentry_environment: var("SENTRY_ENVIRONMENT"),
            client_errors_per_minute: parse_var("PETPIXEL_CLIENT_ERRORS_PER_MINUTE", 30)?,
            backup_key: var("PETPIXEL_BACKUP_KEY").map(SecretString::from),
            backup_schedule: var("PETPIXEL_BACKUP_SCHEDULE").map(|v| every(&v)).transpose().context("PETPIXEL_BACKUP_SCHEDULE")?,
            backup_keep: parse_var("PETPIXEL_BACKUP_KEEP", 7usize)?.max(1),
            backup_to: var("PETPIXEL_BACKUP_TO").map(|v| BackupTarget::parse(&v)).transpose().context("PETPIXEL_BACKUP_TO")?,
            deleted_retention_days: parse_var("PETPIXEL_DELETED_RETENTION_DAYS", 30u32)?,
            activity_retention_days: var("PETPIXEL_ACTIVITY_RETENTION_DAYS")
                .map(|v| v.parse::<u32>().map_err(|_| anyhow::anyhow!("PETPIXEL_ACTIVITY_RETENTION_DAYS must be a number of days")))
                .transpose()?,
            email_retention_days: parse_var("PETPIXEL_EMAIL_RETENTION_DAYS", 90u32)?,
            webhook_allow_private: bool_var("PETPIXEL_WEBHOOK_ALLOW_PRIVATE")?,
            webhook_retry_schedule: schedule_var("PETPIXEL_WEBHOOK_RETRY_SCHEDULE", &WEBHOOK_RETRY_SCHEDULE)?,
            webhook_disable_after: Duration::from_secs(parse_var("PETPIXEL_WEBHOOK_DISABLE_AFTER_HOURS", 72u64)?.max(1) * 3600),
            webhook_timeout: Duration::from_secs(parse_var("PETPIXEL_WEBHOOK_TIMEOUT_SECS", 10u64)?.max(1)),
            data_key: var("PETPIXEL_DATA_KEY").map(SecretString::from),
            data_key_id: var("PETPIXEL_DATA_KEY_ID"),
            data_keys_previous: previous_keys(var("PETPIXEL_DATA_KEYS_PREVIOUS").as_deref())?,
            mentions_per_save: parse_var("PETPIXEL_MENTIONS_PER_SAVE", 10)?,
            notifications_per_author_hour: parse_var("PETPIXEL_NOTIFICATIONS_PER_AUTHOR_HOUR", 60)?,
        };
        if let Some(secret) = &config.jwt_secret {
            if secret.expose_secret().len() < 32 {
                bail!("PETPIXEL_JWT_SECRET must be at least 32 characters");
            }
        }
        Ok(config)
    }

    /// Defaults for tests and tools: an in-memory SQLite database and a throwaway data dir.
    pub fn for_tests(data_dir: PathBuf, database_url: &str) -> Self {
        let storage = StorageConfig::Local { dir: data_dir.join("files") };
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir,
            database_url: SecretString::from(database_url),
            database_max_connections: if database_url.starts_with("sqlite:") { 1 } else { 4 },
            database_acquire_timeout: Duration::from_secs(5),
            jwt_secret: Some(SecretString::from("test-secret-test-secret-test-secret-0123")),
            public_url: "http://studio.test".into(),
            games_url: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(7 * 24 * 3600),
            max_json_body_bytes: 64 * 1024,
            max_upload_bytes: 10 * 1024 * 1024,
            storage,
            upload_link_ttl: Duration::from_secs(15 * 60),
            download_link_ttl: Duration::from_secs(3600),
            image_max_side: 12_000,
            image_max_pixels: 50_000_000,
            clamav_url: None,
            heif_convert: "heif-convert".into(),
            redis_url: None,
            smtp_url: None,
            email_from: "PetPixel Studio <studio@petpixel.invalid>".into(),
            events_channel: "petpixel:events".into(),
            job_lease: Duration::from_secs(300),
            job_retry_base: Duration::from_secs(10),
            job_poll_interval: Duration::from_millis(50),
            run_worker: false,
            login_max_failures: 5,
            login_max_failures_per_client: 30,
            login_window: Duration::from_secs(15 * 60),
            session_max_lifetime: Duration::from_secs(30 * 24 * 3600),
            password_hash_concurrency: 2,
            password_hash_queue: 64,
            request_timeout: Duration::from_secs(30),
            upload_timeout: Duration::from_secs(600),
            cache_ttl: Duration::from_secs(60),
            list_order_depth: 5_000,
            url_reservation_ttl: Duration::from_secs(14 * 24 * 3600),
            game_cache_bytes: 64 * 1024 * 1024,
            view_flush_interval: Duration::from_secs(10),
            count_views: true,
            trust_proxy: false,
            trusted_proxy_hops: 1,
            metrics_bind: None,
            log_json: false,
            otlp: None,
            sentry_dsn: None,
            sentry_environment: None,
            client_errors_per_minute: 30,
            backup_key: None,
            backup_schedule: None,
            backup_keep: 7,
            backup_to: None,
            deleted_retention_days: 30,
            activity_retention_days: None,
            email_retention_days: 90,
            // Tests' receivers listen on loopback.
            webhook_allow_private: true,
            webhook_retry_schedule: WEBHOOK_RETRY_SCHEDULE.iter().copied().map(Duration::from_secs).collect(),
            webhook_disable_after: Duration::from_secs(72 * 3600),
            webhook_timeout: Duration::from_secs(10),
            data_key: None,
            data_key_id: None,
            data_keys_previous: Vec::new(),
            mentions_per_save: 10,
            notifications_per_author_hour: 60,
        }
    }

    /// How many `X-Forwarded-For` entries our own proxies add, when they are trusted at all.
    pub fn trusted_hops(&self) -> Option<usize> {
        self.trust_proxy.then_some(self.trusted_proxy_hops)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose_secret().starts_with("sqlite:")
    }
}
