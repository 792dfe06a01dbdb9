//! The HTTP side of deliveries: one POST, no redirects followed, a time limit, at most 64 KB of
//! the answer read (the first kilobyte kept), and every connection made through the resolver
//! that refuses private addresses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use url::{Host, Url};

use super::address::{self, Guard};

/// The most of an answer that is read; the rest is dropped with the connection.
pub const READ_LIMIT: usize = 64 * 1024;
/// The most of an answer that is kept in the delivery log.
pub const KEEP: usize = 1024;

/// How one try went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: Option<u16>,
    /// The first kilobyte of the answer.
    pub body: Option<String>,
    pub error: Option<String>,
    pub duration: Duration,
}

impl Answer {
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private: bool,
}

impl Sender {
    pub fn new(timeout: Duration, allow_private: bool) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            // A proxy would connect for us, past the resolver's check.
            .no_proxy()
            .dns_resolver(Arc::new(Guard { allow_private }))
            .user_agent(concat!("PetPixel-Studio-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Sender { client, allow_private })
    }

    /// POSTs `body` to `url` with `headers`.
    pub async fn post(&self, url: &str, headers: &[(&str, String)], body: String) -> Answer {
        let start = Instant::now();
        let failed = |error: String| Answer { status: None, body: None, error: Some(error), duration: start.elapsed() };
        let Ok(parsed) = Url::parse(url) else { return failed("The endpoint's address is not valid.".into()) };
        // An address written as an IP is connected to without asking the resolver.
        let literal = match parsed.host() {
            Some(Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(ip) = literal.filter(|ip| !self.allow_private && address::is_internal(*ip)) {
            return failed(format!("{ip} is a private address: refused."));
        }
        let mut request = self.client.post(parsed).header("content-type", "application/json").body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = match request.send().await {
            Ok(r) => r,
            Err(e) => return failed(describe(&e)),
        };
        let status = response.status().as_u16();
        let mut read = Vec::new();
        let mut error = None;
        while read.len() < READ_LIMIT {
            match response.chunk().await {
                Ok(Some(chunk)) => read.extend_from_slice(&chunk[..chunk.len().min(READ_LIMIT - read.len())]),
                Ok(None) => break,
                Err(e) => {
                    error = Some(describe(&e));
                    break;
                }
            }
        }
        let duration = start.elapsed();
        Answer { status: Some(status), body: Some(first_kilobyte(&read)).filter(|b| !b.is_empty()), error, duration }
    }
}

/// The first kilobyte as text, cut at a character boundary.
fn first_kilobyte(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(KEEP)]).into_owned();
    if text.len() <= KEEP {
        return text;
    }
    let mut end = KEEP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// What went wrong, in a sentence, with the cause (a refused address, a TLS error) kept.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "No answer in time"
    } else if e.is_connect() {
        "Could not connect"
    } else {
        "The request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    causes.dedup();
    if causes.is_empty() {
        what.to_owned()
    } else {
        format!("{what}: {}", causes.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_a_kilobyte_cut_between_characters() {
        assert_eq!(first_kilobyte(b"ok"), "ok");
        assert_eq!(first_kilobyte(&[b'a'; 5000]).len(), KEEP);
        let mut bytes = vec![b'a'; KEEP - 1];
        bytes.extend("é".as_bytes());
        let kept = first_kilobyte(&bytes);
        assert!(kept.len() <= KEEP && kept.ends_with('a'), "{}", kept.len());
    }
}
