//! `POST /api/v1/client-errors`: the web app's uncaught errors and panics, passed on to the
//! error-report service (`SENTRY_DSN`, see `error_reports`) and counted in
//! `petpixel_web_errors_total`. Any signed-in member's browser may report; each member's reports
//! are limited per minute (`PETPIXEL_CLIENT_ERRORS_PER_MINUTE`), so that a tab failing in a loop
//! cannot flood the service.

pub mod handlers;
pub mod service;

pub use service::Budget;
