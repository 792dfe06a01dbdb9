//! What every request and job shares: configuration, the database, the signing keys, the
//! password hasher, storage and the caches.

use std::sync::Arc;

use crate::auth::jwt::{self, JwtKeys};
use crate::auth::password::Hasher;
use crate::cache::Caches;
use crate::client_errors;
use crate::config::Config;
use crate::customers::DataKeys;
use crate::db::Db;
use crate::email::mailer::Mailer;
use crate::storage::Storage;
use crate::urls::live::LiveGames;
use crate::urls::views::Views;
use crate::webhooks::http::Sender;
use crate::webhooks::outbox::Writer;

/// A key that signs links (to files, to game previews): derived from the token secret, so every
/// process that accepts the same tokens accepts the same links, and a leaked link key reveals
/// nothing of the secret or of the other keys.
fn links_key(secret: &secrecy::SecretString, purpose: &[u8]) -> [u8; 32] {
    use secrecy::ExposeSecret;
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    hash.update(purpose);
    hash.update(secret.expose_secret().as_bytes());
    hash.finalize().into()
}

/// The configured file store alone (for the commands that copy files: backup, restore), signing
/// its links with the same key a server does.
pub fn storage(config: &Config) -> anyhow::Result<Storage> {
    let secret = jwt::load_or_create_secret(config.jwt_secret.as_ref(), &config.data_dir)?;
    Ok(Storage::new(&config.storage, &config.public_url, links_key(&secret, FILE_LINKS)))
}

const FILE_LINKS: &[u8] = b"petpixel file links\0";

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub jwt: Arc<JwtKeys>,
    pub hasher: Hasher,
    pub storage: Storage,
    /// Signs the links that play a build's game.
    pub preview_key: [u8; 32],
    /// Kept right by the database's event bus.
    pub caches: Arc<Caches>,
    /// What `/g/<slug>` serves, kept right by the event bus too.
    pub games: Arc<LiveGames>,
    /// Game views counted, not yet written.
    pub views: Arc<Views>,
    /// Sends the outbox's e-mails; none without `SMTP_URL`.
    pub mailer: Option<Mailer>,
    /// Seals webhook signing secrets at rest.
    pub webhook_key: [u8; 32],
    /// Makes webhook deliveries.
    pub webhooks: Sender,
    /// Seals customers' contact details at rest.
    pub data_keys: Arc<DataKeys>,
    /// The web app's error reports each person may still send this minute.
    pub client_errors: Arc<client_errors::Budget>,
}

impl AppState {
    /// Connects to the database, brings its schema up to date and loads the signing key.
    pub async fn new(config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config).await?;
        db.migrate().await?;
        Self::with_db(config, db)
    }

    pub fn with_db(config: Config, db: Db) -> anyhow::Result<Self> {
        // Every write transaction leaves its webhook deliveries behind as it commits.
        let db = db.with_outbox(Arc::new(Writer));
        let secret = jwt::load_or_create_secret(config.jwt_secret.as_ref(), &config.data_dir)?;
        let jwt = JwtKeys::new(&secret, config.access_token_ttl);
        let hasher = Hasher::new(config.password_hash_concurrency, config.password_hash_queue);
        let storage = Storage::new(&config.storage, &config.public_url, links_key(&secret, FILE_LINKS));
        let preview_key = links_key(&secret, b"petpixel game previews\0");
        let caches = Caches::new(config.cache_ttl, db.bus.barrier());
        db.bus.listen(caches.clone());
        let games = LiveGames::new(config.cache_ttl, config.game_cache_bytes, db.bus.barrier());
        db.bus.listen(games.clone());
        let views = Arc::new(Views::new());
        let mailer = Mailer::from_config(&config)?;
        let webhook_key = links_key(&secret, b"petpixel webhook secrets\0");
        let webhooks = Sender::new(config.webhook_timeout, config.webhook_allow_private)?;
        let data_keys = Arc::new(DataKeys::from_config(&config, &secret)?);
        let config_client_errors = config.client_errors_per_minute;
        Ok(AppState {
            config: Arc::new(config),
            db,
            jwt: Arc::new(jwt),
            hasher,
            storage,
            preview_key,
            caches,
            games,
            views,
            mailer,
            webhook_key,
            webhooks,
            data_keys,
            client_errors: Arc::new(client_errors::Budget::new(config_client_errors)),
        })
    }
}
