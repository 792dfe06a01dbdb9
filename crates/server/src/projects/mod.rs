//! `/api/v1/projects`: orders, from intake to delivery.

pub mod handlers;
pub mod retention;
pub mod service;

#[cfg(test)]
mod plans;
