//! The refresh-token cookie for browsers: HttpOnly (scripts never see it), SameSite=Strict (no
//! cross-site request carries it) and scoped to the auth endpoints.

use axum::http::{header, HeaderMap, HeaderValue};

pub const NAME: &str = "petpixel_refresh";
const PATH: &str = "/api/v1/auth";

fn attributes(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("Path={PATH}; HttpOnly; SameSite=Strict{secure}")
}

pub fn set(token: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let value = format!("{NAME}={token}; Max-Age={max_age_secs}; {}", attributes(secure));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear(secure: bool) -> HeaderValue {
    let value = format!("{NAME}=; Max-Age=0; {}", attributes(secure));
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A second cookie beside the refresh token, without any secret and readable by the page: it
/// only tells the web app that there may be a session to renew, so a first visit makes no
/// refresh request (that would be refused, and show as an error in the console).
pub const HINT: &str = "petpixel_session";

pub fn hint(max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{HINT}=1; Max-Age={max_age_secs}; Path=/; SameSite=Strict{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn clear_hint(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{HINT}=; Max-Age=0; Path=/; SameSite=Strict{secure}")).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub fn read(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == NAME)
        .map(|(_, value)| value.to_owned())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_its_cookie_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; petpixel_refresh=abc.def; b=2"));
        assert_eq!(read(&headers).as_deref(), Some("abc.def"));
        let set = set("abc.def", 60, true);
        assert_eq!(set.to_str().unwrap(), "petpixel_refresh=abc.def; Max-Age=60; Path=/api/v1/auth; HttpOnly; SameSite=Strict; Secure");
    }
}
