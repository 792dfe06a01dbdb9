//! Error reports to a Sentry-compatible service, when `SENTRY_DSN` is set: what the server logs at
//! ERROR (a request's internal error, a job that failed for good), its panics, and the web app's
//! uncaught errors, which it sends through `POST /api/v1/client-errors`. They carry no customer
//! data: no request bodies, headers, cookies, query strings or users, no logs from before the
//! error, and e-mail addresses anywhere in their text are masked.

use std::sync::Arc;

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use sentry::protocol::{Event, Level, Request};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::{Layer, Registry};

/// Reports from now until the guard is dropped (which sends what is still queued).
pub fn init(dsn: &SecretString, environment: Option<&str>) -> anyhow::Result<sentry::ClientInitGuard> {
    let dsn: sentry::types::Dsn = dsn.expose_secret().parse().context("SENTRY_DSN is not a DSN (https://key@host/project)")?;
    let mut options = sentry::ClientOptions::new();
    options.dsn = Some(dsn);
    options.release = Some(concat!("petpixel@", env!("CARGO_PKG_VERSION")).into());
    options.environment = environment.map(|e| e.to_owned().into());
    options.send_default_pii = false;
    // What was logged before an error may name what the error does not.
    options.max_breadcrumbs = 0;
    options.before_send = Some(Arc::new(|event| Some(scrub(event))));
    Ok(sentry::init(options))
}

/// An event as it may leave: no user, no request but its method and path, e-mail addresses masked.
pub fn scrub(mut event: Event<'static>) -> Event<'static> {
    event.user = None;
    event.request = event.request.take().map(|request| Request {
        url: request.url.map(|mut url| {
            url.set_query(None);
            url.set_fragment(None);
            url
        }),
        method: request.method,
        ..Default::default()
    });
    // Every text of the event, wherever the integration put it.
    match serde_json::to_value(&event) {
        Ok(mut value) => {
            mask_strings(&mut value);
            serde_json::from_value(value).unwrap_or(event)
        }
        Err(_) => event,
    }
}

fn mask_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if s.contains('@') => *s = mask_emails(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(mask_strings),
        serde_json::Value::Object(fields) => fields.values_mut().for_each(mask_strings),
        _ => {}
    }
}

/// `text` with every e-mail address in it replaced by `[email]`.
pub fn mask_emails(text: &str) -> String {
    let local = |c: char| c.is_alphanumeric() || "._%+-'".contains(c);
    let domain = |c: char| c.is_alphanumeric() || ".-".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let start = rest[..at].char_indices().rev().take_while(|(_, c)| local(*c)).last().map_or(at, |(i, _)| i);
        let host = rest[at + 1..].char_indices().take_while(|(_, c)| domain(*c)).last().map_or(0, |(i, c)| i + c.len_utf8());
        let host_text = rest[at + 1..at + 1 + host].trim_end_matches('.');
        if start < at && host_text.contains('.') {
            out.push_str(&rest[..start]);
            out.push_str("[email]");
            rest = &rest[at + 1 + host_text.len()..];
        } else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// The server's side of the reports: ERROR events become reports; nothing else (no spans, no
/// breadcrumbs, no logs) is sent.
pub fn layer() -> Box<dyn Layer<Registry> + Send + Sync> {
    sentry::integrations::tracing::ErrorLayer::new().with_filter(LevelFilter::ERROR).boxed()
}

/// An address without its query and fragment, which may hold a search for a customer.
pub fn without_query(page: &str) -> &str {
    page.split(['?', '#']).next().unwrap_or_default()
}

/// The web app's uncaught error, as reported by a signed-in member's browser (`page` already
/// without its query).
pub fn report_web_error(message: &str, stack: Option<&str>, page: Option<&str>) {
    let mut event = Event { level: Level::Error, message: Some(message.to_owned()), logger: Some("web".into()), ..Default::default() };
    event.tags.insert("source".into(), "web".into());
    if let Some(page) = page {
        event.tags.insert("page".into(), page.to_owned());
    }
    if let Some(stack) = stack {
        event.extra.insert("stack".into(), stack.into());
    }
    sentry::capture_event(event);
}

#[cfg(test)]
mod tests {
    use super::mask_emails;

    #[test]
    fn addresses_are_masked_and_the_rest_kept() {
        assert_eq!(mask_emails("duplicate key (email)=(sunny.lee+pets@example.com) exists"), "duplicate key (email)=([email]) exists");
        assert_eq!(mask_emails("a@b.co and c.d@e.org."), "[email] and [email].");
        assert_eq!(mask_emails("@ alone, user@localhost, @handle"), "@ alone, user@localhost, @handle");
        assert_eq!(mask_emails("Zoë@exämple.de"), "[email]");
    }
}
