use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// The page size when a list request names none.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// The largest page a list answers; the server's checks and the SPA's pagers both read this.
pub const MAX_PAGE_SIZE: u32 = 100;

/// One page of a list, with the total across all pages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub limit: u32,
    pub offset: u64,
}

/// A validated `limit`/`offset` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: u32,
    pub offset: u64,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { limit: DEFAULT_PAGE_SIZE, offset: 0 }
    }
}

impl PageRequest {
    pub fn parse(errors: &mut ValidationErrors, limit: Option<i64>, offset: Option<i64>) -> Self {
        Self { limit: parse_limit(errors, limit), offset: parse_offset(errors, offset) }
    }
}

pub fn parse_limit(errors: &mut ValidationErrors, limit: Option<i64>) -> u32 {
    match limit {
        None => DEFAULT_PAGE_SIZE,
        Some(l) if (1..=i64::from(MAX_PAGE_SIZE)).contains(&l) => l as u32,
        Some(_) => {
            errors.add("limit", "out_of_range", format!("Must be between 1 and {MAX_PAGE_SIZE}."));
            DEFAULT_PAGE_SIZE
        }
    }
}

fn parse_offset(errors: &mut ValidationErrors, offset: Option<i64>) -> u64 {
    match offset {
        None => 0,
        Some(o) if o >= 0 => o as u64,
        Some(_) => {
            errors.add("offset", "out_of_range", "Must be 0 or more.");
            0
        }
    }
}
