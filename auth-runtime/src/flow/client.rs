//! The client's IP address: the peer of the connection, or, behind a proxy the
//! configuration trusts (`trust_proxy`), the address that proxy reports.
//!
//! # Which address, and why
//!
//! The peer address comes from the request's extensions: [`ClientAddr`] (inserted by
//! whoever calls [`Auth::handle`](crate::Auth::handle); under actix-web, the `actix`
//! integration inserts the connection's peer) or, with the `axum` feature, axum's
//! `ConnectInfo<SocketAddr>` (served with `into_make_service_with_connect_info`).
//!
//! `X-Forwarded-For` and `Forwarded` are written by whoever sends the request: a client
//! connecting directly can put any address there. They are read only when the
//! configuration says a proxy sits in front (`trust_proxy: true`), and then only the
//! **last** hop is used: each proxy appends the address it received the connection from,
//! so the last entry is the one written by the proxy closest to the application (the one
//! trusted), while every entry before it may have been supplied by the client. Trusting
//! one proxy means trusting one hop, never the leftmost address.
//!
//! When both headers are present, `X-Forwarded-For` wins (what nginx, HAProxy, Envoy and
//! the cloud load balancers write); a proxy that writes only `Forwarded` must drop an
//! incoming `X-Forwarded-For`. A last hop that is not an IP address (`unknown`, an
//! obfuscated `_name`, garbage) gives no address rather than an earlier, forgeable hop
//! or the proxy's own address.

use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use http::request::Parts;

/// The address of the client that sent a request, for callers of
/// [`Auth::handle`](crate::Auth::handle) outside axum: insert it into the request's
/// extensions (`request.extensions_mut().insert(ClientAddr::from(peer))`) and `authorize`
/// and `sign_in` see it as [`RequestInfo::client_ip`](crate::RequestInfo::client_ip).
///
/// Under actix-web (feature `actix`) nothing is needed: the integration inserts
/// `HttpRequest::peer_addr`. Under axum, serving the app with
/// `into_make_service_with_connect_info::<SocketAddr>()` is enough: axum's
/// `ConnectInfo<SocketAddr>` is read when no `ClientAddr` is present.
///
/// This is the peer of the connection. Behind a reverse proxy it is the proxy's address;
/// set `trust_proxy: true` (or [`AuthConfig::with_trust_proxy`](crate::AuthConfig::with_trust_proxy))
/// to read the client's from the proxy's `X-Forwarded-For` / `Forwarded` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl From<IpAddr> for ClientAddr {
    fn from(ip: IpAddr) -> Self {
        ClientAddr(ip)
    }
}

impl From<SocketAddr> for ClientAddr {
    fn from(addr: SocketAddr) -> Self {
        ClientAddr(addr.ip())
    }
}

/// The client's IP address: with `trust_proxy`, the last hop of `X-Forwarded-For` (else of
/// `Forwarded: for=`) when the request carries one; otherwise the connection's peer
/// ([`ClientAddr`], else axum's `ConnectInfo<SocketAddr>`). `None` when nothing says.
pub(crate) fn client_ip(parts: &Parts, trust_proxy: bool) -> Option<IpAddr> {
    if trust_proxy && let Some(forwarded) = forwarded_ip(&parts.headers) {
        return forwarded;
    }
    peer_ip(parts)
}

/// The connection's peer, from the request's extensions.
fn peer_ip(parts: &Parts) -> Option<IpAddr> {
    if let Some(ClientAddr(ip)) = parts.extensions.get::<ClientAddr>() {
        return Some(*ip);
    }
    #[cfg(feature = "axum")]
    if let Some(info) = parts
        .extensions
        .get::<::axum::extract::ConnectInfo<SocketAddr>>()
    {
        return Some(info.0.ip());
    }
    None
}

/// What a trusted proxy's headers say: `None` when it sent neither header, `Some(None)`
/// when its last hop is not an address.
fn forwarded_ip(headers: &HeaderMap) -> Option<Option<IpAddr>> {
    if let Some(last) = last_header_line(headers, "x-forwarded-for") {
        return Some(last.and_then(last_x_forwarded_for));
    }
    if let Some(last) = last_header_line(headers, "forwarded") {
        return Some(last.and_then(last_forwarded_for));
    }
    None
}

/// The last line of a header (later lines continue the list), `Some(None)` when it is not
/// visible ASCII.
fn last_header_line<'a>(headers: &'a HeaderMap, name: &str) -> Option<Option<&'a str>> {
    let last = headers.get_all(name).iter().next_back()?;
    Some(last.to_str().ok())
}

/// The last entry of an `X-Forwarded-For` list (`client, proxy1, proxy2`).
fn last_x_forwarded_for(value: &str) -> Option<IpAddr> {
    parse_node(value.rsplit(',').next()?.trim())
}

/// The `for=` of the last element of a `Forwarded` header (RFC 7239:
/// `for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`).
fn last_forwarded_for(value: &str) -> Option<IpAddr> {
    let element = value.rsplit(',').next()?;
    let node = element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim())
    })?;
    let node = match node.strip_prefix('"') {
        Some(quoted) => quoted.strip_suffix('"')?,
        None => node,
    };
    parse_node(node)
}

/// An address as proxies write it: `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, or any of
/// these with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    let bracketed = node.strip_prefix('[')?.strip_suffix(']')?;
    bracketed.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use http::{HeaderValue, Request};

    use super::*;

    fn parts(headers: &[(&str, &str)], peer: Option<&str>) -> Parts {
        let mut request = Request::builder().uri("/api/auth/csrf");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts
                .extensions
                .insert(ClientAddr(peer.parse::<IpAddr>().unwrap()));
        }
        parts
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_peer_without_a_trusted_proxy() {
        let p = parts(&[("x-forwarded-for", "203.0.113.9")], Some("198.51.100.7"));
        assert_eq!(client_ip(&p, false), ip("198.51.100.7"));
        let p = parts(&[("forwarded", "for=203.0.113.9")], None);
        assert_eq!(client_ip(&p, false), None);
        assert_eq!(client_ip(&parts(&[], None), true), None);
    }

    #[cfg(feature = "axum")]
    #[test]
    fn axum_connect_info_is_the_peer() {
        let mut p = parts(&[], None);
        let addr: SocketAddr = "192.0.2.4:5000".parse().unwrap();
        p.extensions.insert(::axum::extract::ConnectInfo(addr));
        assert_eq!(client_ip(&p, false), ip("192.0.2.4"));
        // `ClientAddr` wins over `ConnectInfo`.
        p.extensions
            .insert(ClientAddr::from(ip("192.0.2.5").unwrap()));
        assert_eq!(client_ip(&p, false), ip("192.0.2.5"));
    }

    #[test]
    fn a_trusted_proxy_gives_the_last_hop() {
        let peer = Some("10.0.0.2");
        let p = parts(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9")], peer);
        assert_eq!(client_ip(&p, true), ip("203.0.113.9"));
        // Later header lines continue the list.
        let p = parts(
            &[
                ("x-forwarded-for", "1.1.1.1"),
                ("x-forwarded-for", "203.0.113.9:4711"),
            ],
            peer,
        );
        assert_eq!(client_ip(&p, true), ip("203.0.113.9"));
        let p = parts(&[("x-forwarded-for", "[2001:db8::1]:80")], peer);
        assert_eq!(client_ip(&p, true), ip("2001:db8::1"));
        let p = parts(
            &[(
                "forwarded",
                "for=1.1.1.1, For=\"[2001:db8:cafe::17]:4711\";proto=https",
            )],
            peer,
        );
        assert_eq!(client_ip(&p, true), ip("2001:db8:cafe::17"));
        // X-Forwarded-For wins over Forwarded.
        let p = parts(
            &[
                ("forwarded", "for=1.1.1.1"),
                ("x-forwarded-for", "203.0.113.9"),
            ],
            peer,
        );
        assert_eq!(client_ip(&p, true), ip("203.0.113.9"));
        // No header: the peer.
        assert_eq!(client_ip(&parts(&[], peer), true), ip("10.0.0.2"));
    }

    #[test]
    fn an_unreadable_last_hop_is_no_address() {
        let peer = Some("10.0.0.2");
        for (name, value) in [
            ("x-forwarded-for", "203.0.113.9, unknown"),
            ("x-forwarded-for", "203.0.113.9,"),
            ("forwarded", "for=203.0.113.9, for=_hidden"),
            ("forwarded", "for=203.0.113.9, proto=https"),
            ("forwarded", "for=\"[2001:db8::1]"),
        ] {
            let p = parts(&[(name, value)], peer);
            assert_eq!(client_ip(&p, true), None, "{name}: {value}");
        }
        let mut p = parts(&[], peer);
        p.headers.insert(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"203.0.113.9, \xff").unwrap(),
        );
        assert_eq!(client_ip(&p, true), None);
    }
}

/// Generated cases (`proptest`, a fixed number each, listed in the README).
#[cfg(test)]
mod properties {
    use http::HeaderValue;
    use proptest::prelude::*;

    use super::*;

    fn values() -> impl Strategy<Value = Vec<u8>> {
        let node = prop_oneof![
            any::<std::net::Ipv4Addr>().prop_map(|ip| ip.to_string()),
            any::<std::net::Ipv6Addr>().prop_map(|ip| format!("\"[{ip}]:{}\"", 4711)),
            any::<std::net::Ipv6Addr>().prop_map(|ip| ip.to_string()),
            "[ -~]{0,16}",
        ];
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..64),
            proptest::collection::vec(
                (
                    prop_oneof![Just("for="), Just("For="), Just(""), Just("proto=")],
                    node
                ),
                0..6
            )
            .prop_map(|hops| {
                hops.iter()
                    .map(|(k, v)| format!("{k}{v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into_bytes()
            }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any `X-Forwarded-For` / `Forwarded` lines parse without a panic; without a
        /// trusted proxy the answer is the peer's, whatever the headers say.
        #[test]
        fn forwarded_headers_never_panic_nor_count_untrusted(
            lines in proptest::collection::vec(
                (prop_oneof![Just("x-forwarded-for"), Just("forwarded")], values()),
                0..4,
            ),
            peer in proptest::option::of(any::<IpAddr>()),
        ) {
            let (mut parts, ()) = http::Request::new(()).into_parts();
            for (name, value) in &lines {
                if let Ok(v) = HeaderValue::from_bytes(value) {
                    parts.headers.append(*name, v);
                }
            }
            if let Some(peer) = peer {
                parts.extensions.insert(ClientAddr(peer));
            }
            prop_assert_eq!(client_ip(&parts, false), peer);
            let trusted = client_ip(&parts, true);
            if !parts.headers.contains_key("x-forwarded-for") && !parts.headers.contains_key("forwarded") {
                prop_assert_eq!(trusted, peer);
            }
        }
    }
}
