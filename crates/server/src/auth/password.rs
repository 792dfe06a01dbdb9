//! argon2id password hashing, bounded: each hash takes 19 MiB and a core for tens of
//! milliseconds, so a burst of logins queues for a few dedicated hashing threads instead of taking
//! gigabytes, and past the queue's length is answered 503 at once.
//!
//! Each hashing thread owns its 19 MiB of argon2 memory and reuses it: allocating it afresh per
//! hash left the allocator holding several freed copies per thread (measured: 130 MiB more after
//! ten hashes on one thread), and tokio's blocking pool would have multiplied that by hundreds of
//! threads.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use crate::error::{ApiResult, AppError};

/// Seconds a client turned away for load is told to wait.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

/// The most argon2 memory a stored hash may ask for (64 MiB); more is refused, not allocated.
const MAX_BLOCKS: usize = 64 * 1024;

/// The process's password hasher: `concurrency` threads hash, `queue` more hashes may wait.
/// The threads end when the last clone is dropped.
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    gauge: Arc<RunningGauge>,
}

#[derive(Default)]
struct RunningGauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl Hasher {
    pub fn new(concurrency: usize, queue: usize) -> Self {
        let (jobs, receiver) = mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let gauge = Arc::new(RunningGauge::default());
        for i in 0..concurrency.max(1) {
            let (receiver, gauge) = (receiver.clone(), gauge.clone());
            let spawned = std::thread::Builder::new().name(format!("password-hash-{i}")).spawn(move || work(&receiver, &gauge));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing thread");
            }
        }
        Hasher { jobs, gauge }
    }

    /// The most hashes that have run at the same moment since start.
    pub fn peak_running(&self) -> usize {
        self.gauge.peak.load(Ordering::Relaxed)
    }

    pub async fn hash(&self, password: String) -> ApiResult<String> {
        self.run(move |memory| hash_with(memory, &password)).await?.map_err(AppError::Internal)
    }

    /// Checks `password` against `hash`. With no hash (unknown user) it still spends the time of a
    /// real check, so response times do not tell which addresses have accounts.
    pub async fn verify(&self, password: String, hash: Option<String>) -> ApiResult<bool> {
        self.run(move |memory| {
            let stored = hash.as_deref().unwrap_or_else(|| dummy_hash());
            verify_with(memory, password.as_bytes(), stored) && hash.is_some()
        })
        .await
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static) -> ApiResult<T> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _ = reply.send(work(memory));
        });
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(busy()),
            Err(TrySendError::Disconnected(_)) => return Err(AppError::Internal(anyhow::anyhow!("the password hashing threads are gone"))),
        }
        answer.await.map_err(|_| AppError::Internal(anyhow::anyhow!("a password hashing job failed")))
    }
}

fn work(receiver: &Mutex<Receiver<Job>>, gauge: &RunningGauge) {
    let mut memory = Vec::new();
    loop {
        // The lock is held only while waiting for the next job, never while hashing.
        let next = match receiver.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        let Ok(job) = next else { return };
        let running = gauge.now.fetch_add(1, Ordering::SeqCst) + 1;
        gauge.peak.fetch_max(running, Ordering::SeqCst);
        job(&mut memory);
        gauge.now.fetch_sub(1, Ordering::SeqCst);
    }
}

fn busy() -> AppError {
    AppError::Unavailable {
        detail: "The server is busy checking other passwords; try again in a moment.".into(),
        retry_after_secs: BUSY_RETRY_AFTER_SECS,
    }
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    hash_with(&mut Vec::new(), password)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`, in `memory`.
fn hash_with(memory: &mut Vec<Block>, password: &str) -> anyhow::Result<String> {
    let salt = Salt::generate();
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory.resize(params.block_count(), Block::default());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, &mut memory[..])
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("params: {e}"))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("output: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `stored`, computed in `memory`.
fn verify_with(memory: &mut Vec<Block>, password: &[u8], stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let (Ok(algorithm), Ok(params), Some(expected), Some(salt)) =
        (Algorithm::try_from(parsed.algorithm.as_str()), Params::try_from(&parsed), parsed.hash, parsed.salt)
    else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    if params.block_count() > MAX_BLOCKS {
        return false;
    }
    memory.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(password, &salt, &mut out, &mut memory[..]);
    computed.is_ok() && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("no such user, no such password").unwrap_or_default())
}

/// Whether `password` is a well-known one of the length taken (12 characters or more), compared
/// without case: the 12+ character entries of zxcvbn-ts' common password list (MIT, npm
/// `@zxcvbn-ts/language-common` 4.1.3) and of SecLists' `10k-most-common.txt`.
pub fn is_common(password: &str) -> bool {
    static COMMON: OnceLock<HashSet<String>> = OnceLock::new();
    let common = COMMON.get_or_init(|| include_str!("common-passwords.txt").lines().map(str::to_lowercase).collect());
    common.contains(&password.to_lowercase())
}

/// The least zxcvbn score (0 to 4) a new password needs: 3 is "safely unguessable: moderate
/// protection from offline slow-hash scenarios" (about 10^8 guesses or more).
pub const MIN_SCORE: u8 = 3;

/// Why `password` is too easy to guess, if it is: a common password, or a zxcvbn score under
/// [`MIN_SCORE`] counting the person's own e-mail address and names (`personal`) as likely
/// guesses. The reason is worded for the person choosing it.
pub fn weakness(password: &str, personal: &[&str]) -> Option<(&'static str, String)> {
    if is_common(password) {
        return Some(("too_common", "This is one of the most common passwords; choose another.".into()));
    }
    // zxcvbn's own cost grows with the length; beyond a point a password's length alone is enough.
    let judged: String = password.chars().take(100).collect();
    // Each detail whole, an address's name before the `@`, and every word of them.
    let local = personal.iter().filter_map(|p| p.split_once('@').map(|(name, _)| name));
    let words = personal.iter().flat_map(|p| p.split(['@', '.', ' ', '-', '_', '+']));
    let inputs: Vec<&str> = personal.iter().copied().chain(local).chain(words).filter(|p| p.len() >= 3).collect();
    let entropy = zxcvbn::zxcvbn(&judged, &inputs);
    if u8::from(entropy.score()) >= MIN_SCORE {
        return None;
    }
    let mut why = String::from("This password is too easy to guess");
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            why.push_str(&format!(": {}", warning.to_string().trim_end_matches('.')));
        }
        why.push('.');
        if let Some(suggestion) = feedback.suggestions().first() {
            why.push_str(&format!(" {suggestion}"));
        }
    } else {
        why.push('.');
    }
    why.push_str(" A few unrelated words make a strong one.");
    Some(("weak", why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_standard_phc_strings_that_argon2_itself_verifies() {
        use argon2::password_hash::PasswordVerifier;
        let stored = hash_blocking("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        let parsed = PasswordHash::new(&stored).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        let mut memory = Vec::new();
        assert!(verify_with(&mut memory, b"correct horse battery", &stored));
        assert!(!verify_with(&mut memory, b"correct horse batterY", &stored));
        assert!(!verify_with(&mut memory, b"x", "not a hash"));
        // A hash made by the argon2 crate's own API (as earlier releases stored) still verifies.
        use argon2::password_hash::PasswordHasher;
        let older = Argon2::default().hash_password(b"an older password").unwrap().to_string();
        assert!(verify_with(&mut memory, b"an older password", &older));
    }

    #[test]
    fn common_passwords_are_recognised() {
        for p in ["1q2w3e4r5t6y", "QWERTY123456", "administrator", "1qaz2wsx3edc"] {
            assert!(is_common(p), "{p}");
        }
        assert!(!is_common("correct horse battery"));
    }

    #[test]
    fn weak_passwords_are_refused_with_the_reason() {
        assert_eq!(weakness("1q2w3e4r5t6y", &[]).map(|w| w.0), Some("too_common"));
        for weak in ["aaaaaaaaaaaa", "abcdefghijkl", "qwertyuiopas", "Password2026"] {
            let (code, why) = weakness(weak, &[]).unwrap_or_else(|| panic!("{weak} passes"));
            assert_eq!(code, "weak", "{weak}");
            assert!(why.starts_with("This password is too easy to guess"), "{why}");
        }
        // The person's own details are guessed first.
        assert!(weakness("iris.maple2026", &["iris.maple@studio.example", "Iris", "Maple"]).is_some());
        assert!(weakness("marigold.fenwick", &["marigold.fenwick@studio.example"]).is_some());
        assert!(weakness("marigold.fenwick", &[]).is_none(), "strong enough for someone else");
        for strong in ["correct horse battery", "violet tractor mends seventeen", "Tq8#vLp2!zR9wX"] {
            assert_eq!(weakness(strong, &["ann@example.com"]), None, "{strong}");
        }
    }

    #[tokio::test]
    async fn a_full_queue_is_answered_busy_and_hashes_never_exceed_the_slots() {
        let hasher = Hasher::new(1, 1);
        let attempts = (0..6).map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.verify("x".into(), None).await })
        });
        let results = futures::future::join_all(attempts).await;
        let busy = results.iter().filter(|r| matches!(r, Ok(Err(AppError::Unavailable { .. })))).count();
        assert!(busy >= 1, "with one slot and one place in the queue, six at once cannot all be admitted");
        assert_eq!(hasher.peak_running(), 1);
    }
}
