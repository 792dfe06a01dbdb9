//! 500 logins at once keep the server's memory bounded: password hashes (19 MiB each) run a few at
//! a time and the rest are turned away with 503, instead of all running at once.
//!
//! Its own test binary, so that the process's peak memory is this test's alone.

#[allow(dead_code)]
#[path = "api/support.rs"]
mod support;

use axum::http::StatusCode;

/// The process's peak resident memory (Linux), in MiB.
fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kib| kib / 1024)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_hundred_parallel_logins_keep_memory_bounded() {
    let app = support::TestApp::with_config(|c| {
        c.login_max_failures = 0;
        c.login_max_failures_per_client = 0;
    })
    .await;
    // Warm up: the first hash builds the timing-equaliser hash and the allocator's arenas.
    assert_eq!(app.login("warm@studio.example", "wrong password!").await.status, StatusCode::UNAUTHORIZED);
    let before = peak_rss_mib();

    let emails: Vec<String> = (0..500).map(|i| format!("guess{i}@studio.example")).collect();
    let replies = futures::future::join_all(emails.iter().map(|e| app.login(e, "wrong password!"))).await;

    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let busy = replies.iter().filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE).count();
    assert_eq!(checked + busy, 500, "every login is answered 401 or 503");
    assert!(checked >= app.state.config.password_hash_queue, "the queue's worth were checked: {checked}");
    assert!(app.state.hasher.peak_running() <= app.state.config.password_hash_concurrency);
    if let (Some(before), Some(after)) = (before, peak_rss_mib()) {
        // Unbounded, 500 hashes at once would take about 9.5 GiB.
        let grown = after.saturating_sub(before);
        eprintln!("peak memory: {before} MiB before, {after} MiB after ({grown} MiB more)");
        assert!(grown < 150, "peak memory grew by {grown} MiB");
    }
}
