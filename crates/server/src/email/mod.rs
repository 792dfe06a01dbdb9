//! E-mail: a transactional outbox. A message is a row written in the transaction of the change
//! that causes it, with a job (the platform's durable queue) that sends it over SMTP, retried with
//! backoff; the job is claimed by one worker, so a message goes out once however many processes
//! run. With no `SMTP_URL` the outbox keeps the messages (`held`) for admins to read.

pub mod handlers;
pub mod mailer;
pub mod outbox;
mod send;
pub mod service;

use crate::jobs::Registry;

/// Sends one outbox message.
pub const SEND: &str = "email.send";

/// Tries before a message is given up (`failed`); the waits between them double from
/// `PETPIXEL_JOB_RETRY_BASE_SECS`.
pub const ATTEMPTS: i32 = 6;

pub fn register(registry: Registry) -> Registry {
    registry.register(SEND, send::run)
}
