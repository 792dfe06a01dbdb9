//! Outgoing webhooks: endpoints the admins register, and the deliveries made to them, signed the
//! Standard Webhooks way. `GET`/`POST /api/v1/webhooks`, `GET`/`PATCH`/`DELETE .../{id}`,
//! `POST .../{id}/rotate-secret`, `POST .../{id}/test`, `GET .../{id}/deliveries`,
//! `POST .../{id}/deliveries/{delivery_id}/resend`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::page::PageRequest;

#[cfg(feature = "signatures")]
pub mod signature;
use crate::validate::{optional_text, required_text};
use crate::ValidationErrors;

string_enum!(
    /// What a delivery tells. Its `data` is the resource as the change left it.
    WebhookEventType {
        /// A project was created (data: Project).
        ProjectCreated = "project.created",
        /// A project's fields or assignee changed, not its status (data: Project).
        ProjectUpdated = "project.updated",
        /// A project moved on the board (data: Project).
        ProjectStatusChanged = "project.status_changed",
        /// An asset finished processing (data: Asset).
        AssetProcessed = "asset.processed",
        /// A build is ready to deploy (data: Build).
        BuildReady = "build.ready",
        /// A build failed (data: Build).
        BuildFailed = "build.failed",
        /// A game address was reserved (data: GameUrl).
        UrlReserved = "url.reserved",
        /// A game address went live, or changed build (data: GameUrl).
        UrlDeployed = "url.deployed",
        /// A reservation ran out before it was deployed (data: GameUrl).
        UrlExpired = "url.expired",
        /// Sent from the Integrations page or `POST /webhooks/{id}/test`, whatever the endpoint
        /// subscribes to (data: WebhookTest).
        WebhookTest = "webhook.test",
    }
);

impl WebhookEventType {
    /// The types an endpoint may subscribe to (the test is sent on request only).
    pub fn subscribable() -> impl Iterator<Item = WebhookEventType> {
        Self::ALL.into_iter().filter(|t| *t != Self::WebhookTest)
    }
}

string_enum!(
    /// Where a delivery stands.
    DeliveryStatus {
        /// Not yet answered with a 2xx: waiting its turn or its next try.
        Pending = "pending",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Given up: the endpoint was switched off (by an admin, or after failing for 3 days).
        Failed = "failed",
    }
);

/// The longest endpoint address.
pub const URL_MAX: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// The event types it receives.
    pub event_types: Vec<WebhookEventType>,
    pub enabled: bool,
    /// Why it is off, when the server switched it off.
    pub disabled_reason: Option<String>,
    /// When its deliveries started failing without a success since; none while they succeed.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs alongside the current one.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The answer to creating an endpoint: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedWebhookEndpoint {
    #[serde(flatten)]
    pub endpoint: WebhookEndpoint,
    /// `whsec_...`: verify deliveries' signatures with it. Shown once.
    pub secret: String,
}

/// The answer to a rotation: the new secret, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RotatedSecret {
    pub secret: String,
    /// Until then deliveries carry a signature with the old secret too.
    pub previous_secret_expires_at: DateTime<Utc>,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookEndpoint {
    /// An `http(s)` address that does not lead to a private network.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000, example = "https://shop.example.com/hooks/petpixel"))]
    pub url: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: Option<String>,
    /// At least one.
    pub event_types: Vec<WebhookEventType>,
    /// On unless said otherwise.
    pub enabled: Option<bool>,
}

/// `PATCH /api/v1/webhooks/{id}`: what is given changes. Switching an endpoint on again clears
/// its failure record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookEndpoint {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub url: Option<String>,
    /// An empty string clears it.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: Option<String>,
    pub event_types: Option<Vec<WebhookEventType>>,
    pub enabled: Option<bool>,
}

/// An endpoint's fields, checked.
pub struct ValidEndpoint {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<WebhookEventType>>,
}

/// An `http(s)` address with a host. The server also resolves it, refusing private networks.
pub fn check_url(errors: &mut ValidationErrors, field: &str, value: &str) -> String {
    let url = required_text(errors, field, value, URL_MAX);
    if !url.is_empty() && errors.iter().all(|e| e.field != field) {
        let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
        if host.is_none_or(|h| h.is_empty() || h.starts_with(':')) || url.contains(char::is_whitespace) {
            errors.add(field, "invalid_url", "Must be an http:// or https:// address with a host.");
        }
    }
    url
}

fn check_types(errors: &mut ValidationErrors, types: &[WebhookEventType]) -> Vec<WebhookEventType> {
    if types.is_empty() {
        errors.add("event_types", "required", "Choose at least one event type.");
    }
    if types.contains(&WebhookEventType::WebhookTest) {
        errors.add("event_types", "invalid", "`webhook.test` is sent on request; it cannot be subscribed to.");
    }
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    types
}

impl CreateWebhookEndpoint {
    pub fn validate(&self) -> Result<ValidEndpoint, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let url = check_url(&mut e, "url", &self.url);
        let description = optional_text(&mut e, "description", self.description.as_deref(), 500);
        let event_types = check_types(&mut e, &self.event_types);
        e.finish(ValidEndpoint { url: Some(url), description: Some(description), event_types: Some(event_types) })
    }
}

impl UpdateWebhookEndpoint {
    pub fn validate(&self) -> Result<ValidEndpoint, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let url = self.url.as_deref().map(|u| check_url(&mut e, "url", u));
        let description = self.description.as_deref().map(|d| optional_text(&mut e, "description", Some(d), 500));
        let event_types = self.event_types.as_deref().map(|t| check_types(&mut e, t));
        e.finish(ValidEndpoint { url, description, event_types })
    }
}

/// One try at a delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryAttempt {
    pub at: DateTime<Utc>,
    /// The answer's status; none when there was no answer (timeout, refused connection, ...).
    pub status_code: Option<u16>,
    pub duration_ms: u64,
    /// The answer's first kilobyte.
    pub response_body: Option<String>,
    /// What went wrong, when it did.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    /// The `webhook-id` header: the same for each try and each resend of one message, so a
    /// receiver can drop what it has already handled.
    pub message_id: String,
    pub event_type: WebhookEventType,
    pub status: DeliveryStatus,
    /// The signed body, as sent.
    pub payload: serde_json::Value,
    /// Tries so far.
    pub attempts: u32,
    /// When it is tried next, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Each try, newest first.
    pub tries: Vec<DeliveryAttempt>,
}

/// The query of `GET /api/v1/webhooks/{id}/deliveries`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    pub status: Option<DeliveryStatus>,
    pub event_type: Option<WebhookEventType>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl DeliveryQuery {
    pub fn validate(&self) -> Result<PageRequest, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(page)
    }
}

/// The `data` of a `webhook.test` delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookTest {
    pub endpoint_id: Uuid,
    pub message: String,
}

/// The body of every delivery (what `webhook-signature` signs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookMessage {
    #[serde(rename = "type")]
    pub event_type: WebhookEventType,
    /// When the change happened.
    pub timestamp: DateTime<Utc>,
    /// The resource as the change left it: a Project, Asset, Build, GameUrl or WebhookTest.
    pub data: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(e: ValidationErrors) -> Vec<String> {
        e.iter().map(|e| format!("{}:{}", e.field, e.code)).collect()
    }

    #[test]
    fn endpoints_need_an_http_address_and_an_event_type() {
        let ok = CreateWebhookEndpoint {
            url: " https://shop.example.com/hooks ".into(),
            description: Some("  ".into()),
            event_types: vec![WebhookEventType::ProjectUpdated, WebhookEventType::ProjectCreated, WebhookEventType::ProjectUpdated],
            enabled: None,
        };
        let valid = ok.validate().unwrap();
        assert_eq!(valid.url.as_deref(), Some("https://shop.example.com/hooks"));
        assert_eq!(valid.description, Some(None));
        assert_eq!(valid.event_types.unwrap(), [WebhookEventType::ProjectCreated, WebhookEventType::ProjectUpdated]);
        for bad in ["ftp://x", "https://", "https:///path", "http://:80/", "https://a b", "shop.example.com"] {
            let e = CreateWebhookEndpoint { url: bad.into(), ..ok.clone() }.validate().err().unwrap();
            assert_eq!(fields(e), ["url:invalid_url"], "{bad}");
        }
        let e = CreateWebhookEndpoint { url: "".into(), event_types: vec![], ..ok.clone() }.validate().err().unwrap();
        assert_eq!(fields(e), ["url:required", "event_types:required"]);
        let e = CreateWebhookEndpoint { event_types: vec![WebhookEventType::WebhookTest], ..ok }.validate().err().unwrap();
        assert_eq!(fields(e), ["event_types:invalid"]);
    }
}
