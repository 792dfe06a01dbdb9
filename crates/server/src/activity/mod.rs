//! The activity log. Every mutation records its entry through [`record`] on the transaction that
//! makes the change, so the two commit together or not at all.

pub mod handlers;
pub mod service;

pub use service::{diff, record, Audit, NewEntry};
