//! Where deliveries may go: `http(s)` addresses whose host does not lead into the studio's own
//! networks (loopback, private, link-local, carrier-grade NAT, cloud metadata, ...), unless the
//! deployment allows it. Checked when an endpoint is saved and again by the resolver every
//! delivery connects through, so a name that later resolves elsewhere (DNS rebinding) is refused
//! at the moment it matters.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use petpixel_types::ValidationErrors;
use url::{Host, Url};

/// Whether an address is one a webhook may not reach unless private addresses are allowed: any
/// that is not global unicast. IPv6 is taken from its global unicast block (2000::/3) only, less
/// its special-purpose ranges (Teredo and the other IETF assignments, 6to4, documentation), and
/// any IPv6 form that carries an IPv4 address (mapped, compatible, NAT64, ISATAP) is judged by
/// that address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, cloud metadata's 169.254.169.254 among them
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 88 && c == 99) // the 6to4 relays' anycast
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // ::/96, compatible (deprecated), and ::ffff:0:0/96, mapped: the IPv4 address they carry.
    if s[..5] == [0; 5] && (s[5] == 0 || s[5] == 0xffff) {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return s[5] == 0 || internal_v4(v4);
    }
    // ISATAP interface identifiers (::0:5efe:a.b.c.d, ::200:5efe:a.b.c.d) carry an IPv4 address.
    if (s[4] == 0 || s[4] == 0x0200) && s[5] == 0x5efe {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        if internal_v4(v4) {
            return true;
        }
    }
    (s[0] & 0xe000) != 0x2000 // only 2000::/3 is global unicast: loopback, ULA, link-local, site-local (fec0::/10), multicast, 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64) all fall outside
        || (s[0] == 0x2001 && s[1] < 0x0200) // 2001::/23, IETF protocol assignments: Teredo (2001::/32), benchmarking, ORCHID
        || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        || s[0] == 0x2002 // 6to4, a tunnel to any IPv4 address
        || (s[0] == 0x3fff && s[1] < 0x1000) // documentation (3fff::/20)
}

/// What the activity log keeps of an address: its scheme, host and port. The rest may be a
/// capability (chat services put their hook's secret in the path).
pub fn logged(url: &str) -> String {
    Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

/// A parsed endpoint address: `http(s)`, a host, no credentials.
pub fn parse(field: &str, value: &str) -> Result<Url, ValidationErrors> {
    let invalid = |message: &str| ValidationErrors::single(field, "invalid_url", message);
    let url = Url::parse(value).map_err(|e| invalid(&format!("Not a valid address: {e}.")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("Must be an http:// or https:// address."));
    }
    if url.host().is_none() {
        return Err(invalid("Must name a host."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("Must not carry a user name or password; authenticate deliveries by their signature."));
    }
    Ok(url)
}

/// The refusal of an address that leads inside.
pub fn refusal(field: &str, ip: IpAddr) -> ValidationErrors {
    ValidationErrors::single(
        field,
        "private_address",
        format!(
            "This address leads to {ip}, a private, loopback or link-local address; webhooks go to public addresses \
             (set PETPIXEL_WEBHOOK_ALLOW_PRIVATE=true to allow on-premises receivers)."
        ),
    )
}

/// Resolves the address's host and refuses it when any of its addresses leads inside (unless
/// allowed) or when it does not resolve.
pub async fn check(field: &str, url: &Url, allow_private: bool) -> Result<(), ValidationErrors> {
    let port = url.port_or_known_default().unwrap_or(443);
    let ips: Vec<IpAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![IpAddr::V4(ip)],
        Some(Host::Ipv6(ip)) => vec![IpAddr::V6(ip)],
        Some(Host::Domain(name)) => match tokio::net::lookup_host((name, port)).await {
            Ok(addrs) => addrs.map(|a| a.ip()).collect(),
            Err(_) => {
                return Err(ValidationErrors::single(field, "unresolvable", format!("`{name}` does not resolve to any address.")));
            }
        },
        None => return Err(ValidationErrors::single(field, "invalid_url", "Must name a host.")),
    };
    if ips.is_empty() {
        return Err(ValidationErrors::single(field, "unresolvable", "The host does not resolve to any address."));
    }
    match ips.into_iter().find(|ip| is_internal(*ip)) {
        Some(ip) if !allow_private => Err(refusal(field, ip)),
        _ => Ok(()),
    }
}

/// The resolver deliveries connect through: the system's, refusing names that lead inside.
pub struct Guard {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private {
                if let Some(inside) = addrs.iter().find(|a| is_internal(a.ip())) {
                    let refused: Box<dyn std::error::Error + Send + Sync> =
                        format!("{host} resolves to {}, a private address: refused", inside.ip()).into();
                    return Err(refused);
                }
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_told_apart_from_public_ones() {
        for inside in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b::808:808",
            "64:ff9b:1::1",
            "::8.8.8.8",
            "::10.0.0.1",
            "2002:a00:1::1",
            "2002:808:808::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:db8::1",
            "fec0::1",
            "fc00::1",
            "ff02::1",
            "2606:4700::5efe:a00:1",
            "192.88.99.1",
        ] {
            assert!(is_internal(inside.parse().unwrap()), "{inside}");
        }
        for outside in ["93.184.215.14", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2a00:1450:4001::200e"] {
            assert!(!is_internal(outside.parse().unwrap()), "{outside}");
        }
    }

    #[test]
    fn addresses_must_be_http_with_a_host_and_no_credentials() {
        assert!(parse("url", "https://shop.example.com/hooks?x=1").is_ok());
        for bad in ["ftp://shop.example.com/", "https://user:pw@shop.example.com/", "mailto:a@b.c", "https://"] {
            assert!(parse("url", bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn private_destinations_are_refused_unless_allowed() {
        let loopback = parse("url", "http://127.0.0.1:9/hook").unwrap();
        let e = check("url", &loopback, false).await.unwrap_err();
        assert_eq!(e.iter().next().unwrap().code, "private_address");
        assert!(check("url", &loopback, true).await.is_ok());
        let metadata = parse("url", "http://[::ffff:169.254.169.254]/latest/meta-data").unwrap();
        assert!(check("url", &metadata, false).await.is_err());
        let localhost = parse("url", "http://localhost:8080/").unwrap();
        assert!(check("url", &localhost, false).await.is_err(), "a name that resolves inside");
    }
}
