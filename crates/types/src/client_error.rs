//! The web app's own errors, reported to the server so that they reach the error-report service.

use serde::{Deserialize, Serialize};

use crate::problem::ValidationErrors;
use crate::validate::{optional_text, required_text};

/// The longest message kept; the web app cuts longer ones before sending.
pub const MAX_MESSAGE: usize = 2_000;
/// The longest stack kept.
pub const MAX_STACK: usize = 20_000;

/// An uncaught error (or panic) in the web app, as the browser it happened in saw it. Only the
/// page's path is kept; e-mail addresses in the text are masked before it goes anywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientErrorReport {
    /// What went wrong (at most 2,000 characters).
    pub message: String,
    /// The stack, as the browser gave it (at most 20,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stack: Option<String>,
    /// The page's address when it happened (its path is kept, not its query).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
}

impl ClientErrorReport {
    pub fn validate(&self) -> Result<ClientErrorReport, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let message = required_text(&mut e, "message", &self.message, MAX_MESSAGE);
        let stack = optional_text(&mut e, "stack", self.stack.as_deref(), MAX_STACK);
        let page = optional_text(&mut e, "page", self.page.as_deref(), 2_000);
        e.finish(ClientErrorReport { message, stack, page })
    }
}
