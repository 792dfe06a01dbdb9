use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use petpixel_types::client_error::ClientErrorReport;
use uuid::Uuid;

use crate::actor::Actor;
use crate::error::{ApiResult, AppError};
use crate::error_reports;
use crate::state::AppState;

/// Each member's reports in the current minute (from their first).
pub struct Budget {
    per_minute: u32,
    used: moka::sync::Cache<Uuid, Arc<AtomicU32>>,
}

impl Budget {
    pub fn new(per_minute: u32) -> Self {
        Budget { per_minute, used: moka::sync::Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(60)).build() }
    }

    fn admit(&self, user: Uuid) -> bool {
        self.used.get_with(user, Arc::default).fetch_add(1, Ordering::Relaxed) < self.per_minute
    }
}

pub fn report(state: &AppState, actor: &Actor, report: &ClientErrorReport) -> ApiResult<()> {
    let report = report.validate()?;
    if !state.client_errors.admit(actor.user_id) {
        return Err(AppError::TooManyRequests {
            detail: format!(
                "At most {} error reports a minute are taken from one person; try again shortly.",
                state.client_errors.per_minute
            ),
            retry_after_secs: 60,
        });
    }
    metrics::counter!("petpixel_web_errors_total").increment(1);
    let page = report.page.as_deref().map(error_reports::without_query);
    tracing::info!(page, "the web app reported an error");
    error_reports::report_web_error(&report.message, report.stack.as_deref(), page);
    Ok(())
}
