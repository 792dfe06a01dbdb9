//! Who acts, and from where: the authenticated caller of a request, or the server itself.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use petpixel_types::auth::AuthMethod;
use petpixel_types::{Permissions, Role};
use uuid::Uuid;

use crate::state::AppState;

/// An authenticated caller, with their effective permissions and where the request came from.
/// Handlers take it as an argument; a request without valid credentials never reaches them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub email: String,
    pub role: Role,
    pub permissions: Permissions,
    pub method: AuthMethod,
    /// The session of a JWT-authenticated request.
    pub session_id: Option<Uuid>,
    pub client: ClientInfo,
}

/// Where a request came from, for the activity log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// With `trusted_hops` (`PETPIXEL_TRUST_PROXY`), the address our outermost proxy appended to
    /// `X-Forwarded-For`: entries left of it were written by the client and prove nothing.
    pub fn from_parts(parts: &Parts, trusted_hops: Option<usize>) -> Self {
        let forwarded = trusted_hops.and_then(|hops| forwarded_for(&parts.headers, hops));
        let ip = forwarded
            .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip()))
            .or_else(|| parts.extensions.get::<MockConnectInfo<SocketAddr>>().map(|MockConnectInfo(addr)| addr.ip()))
            .map(|ip| ip.to_canonical().to_string());
        let user_agent =
            parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|ua| ua.chars().take(500).collect::<String>());
        ClientInfo { ip, user_agent }
    }
}

/// The `hops`-th address from the right of every `X-Forwarded-For` line taken together.
fn forwarded_for(headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
    let index = entries.len().checked_sub(hops.max(1))?;
    entries[index].parse().ok()
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientInfo::from_parts(parts, state.config.trusted_hops()))
    }
}

impl ClientInfo {
    /// The server acting on its own (a command, a job): no address, and the work's name where a
    /// browser would be.
    pub fn system(what: &str) -> Self {
        ClientInfo { ip: None, user_agent: Some(format!("petpixel {what}")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_address_is_the_one_our_proxy_appended() {
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", "6.6.6.6, 10.0.0.1".parse().unwrap());
        headers.append("x-forwarded-for", "198.51.100.9".parse().unwrap());
        assert_eq!(forwarded_for(&headers, 1), Some("198.51.100.9".parse().unwrap()), "not the client-written leftmost entry");
        assert_eq!(forwarded_for(&headers, 2), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(forwarded_for(&headers, 4), None, "fewer entries than proxies: none can be trusted");
    }
}
