//! Auth.js's sign-in mail (subject, text, HTML) and the SMTP transport of a server URL.

use std::time::Duration;

use lettre::{AsyncSmtpTransport, Tokio1Executor};

/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The mail's subject: `Sign in to {host}` (Auth.js's).
pub fn verification_subject(host: &str) -> String {
    format!("Sign in to {host}")
}

/// The mail's text part (Auth.js's): `Sign in to {host}\n{url}\n\n`.
pub fn verification_text(url: &str, host: &str) -> String {
    format!("Sign in to {host}\n{url}\n\n")
}

/// The mail's HTML part (Auth.js's layout: the host with a zero-width space before each dot,
/// so mail clients do not turn it into a link; a "Sign in" button; the notice).
pub fn verification_html(url: &str, host: &str) -> String {
    let host = crate::pages::escape_html(host).replace('.', "&#8203;.");
    let url = crate::pages::escape_html(url);
    let (background, text, main_background, button_background, button_border, button_text) =
        ("#f9f9f9", "#444", "#fff", "#346df1", "#346df1", "#fff");
    format!(
        r#"<body style="background: {background};">
  <table width="100%" border="0" cellspacing="20" cellpadding="0"
    style="background: {main_background}; max-width: 600px; margin: auto; border-radius: 10px;">
    <tr>
      <td align="center"
        style="padding: 10px 0px; font-size: 22px; font-family: Helvetica, Arial, sans-serif; color: {text};">
        Sign in to <strong>{host}</strong>
      </td>
    </tr>
    <tr>
      <td align="center" style="padding: 20px 0;">
        <table border="0" cellspacing="0" cellpadding="0">
          <tr>
            <td align="center" style="border-radius: 5px;" bgcolor="{button_background}"><a href="{url}"
                target="_blank"
                style="font-size: 18px; font-family: Helvetica, Arial, sans-serif; color: {button_text}; text-decoration: none; border-radius: 5px; padding: 10px 20px; border: 1px solid {button_border}; display: inline-block; font-weight: bold;">Sign
                in</a></td>
          </tr>
        </table>
      </td>
    </tr>
    <tr>
      <td align="center"
        style="padding: 0px 0px 10px 0px; font-size: 16px; line-height: 22px; font-family: Helvetica, Arial, sans-serif; color: {text};">
        If you did not request this email you can safely ignore it.
      </td>
    </tr>
  </table>
</body>
"#
    )
}

/// The SMTP transport of a server URL. `smtps://` is TLS from the start; `smtp://` with
/// `tls=required` or `tls=opportunistic` is STARTTLS as named; a plain `smtp://` is plain
/// text to a loopback host only, anywhere else STARTTLS is required (so a password never
/// goes out in clear); `tls=none` asks for plain text explicitly.
pub(super) fn transport(server: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let mut url = url::Url::parse(server).map_err(|e| format!("not a URL ({e})"))?;
    if url.scheme() != "smtp" && url.scheme() != "smtps" {
        return Err(format!(
            "the scheme is `{}`, not smtp or smtps",
            url.scheme()
        ));
    }
    let host = url.host().ok_or("the URL names no host")?;
    // `smtp:` is not a special scheme: its host is opaque text, an address included.
    let loopback = match host {
        url::Host::Domain(d) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    if url.scheme() == "smtp" {
        let rest: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "tls")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let tls = match tls.as_deref() {
            None if loopback => None,
            None => Some("required"),
            Some("none") => None,
            Some(t @ ("required" | "opportunistic")) => Some(t),
            Some(other) => {
                return Err(format!(
                    "`tls={other}` is not one of `required`, `opportunistic`, `none`"
                ));
            }
        };
        let mut pairs = url.query_pairs_mut();
        pairs.clear();
        for (k, v) in &rest {
            pairs.append_pair(k, v);
        }
        if let Some(t) = tls {
            pairs.append_pair("tls", t);
        }
        drop(pairs);
        if url.query() == Some("") {
            url.set_query(None);
        }
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())
        // lettre's message may quote the URL: keep the password out of it.
        .map_err(|e| {
            let e = e.to_string();
            match url.password() {
                Some(p) if !p.is_empty() => e.replace(p, "***"),
                _ => e,
            }
        })?;
    Ok(builder.timeout(Some(SMTP_TIMEOUT)).build())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_mail_is_authjs_s() {
        let url = "https://example.com/api/auth/callback/email?token=t&email=a%40b.com";
        assert_eq!(
            verification_text(url, "example.com"),
            format!("Sign in to example.com\n{url}\n\n")
        );
        let html = verification_html(url, "example.com");
        assert!(html.contains("Sign in to <strong>example&#8203;.com</strong>"));
        assert!(html.contains("#346df1"));
        assert!(html.contains("If you did not request this email you can safely ignore it."));
        assert!(html.contains("token=t&amp;email=a%40b.com"));
        assert_eq!(
            verification_subject("example.com:8443"),
            "Sign in to example.com:8443"
        );
    }

    #[test]
    fn loopback_servers_may_be_plain_and_others_need_tls() {
        // lettre's debug form names its TLS setting.
        let plain = |url: &str| !format!("{:?}", transport(url).unwrap()).contains("Required");
        assert!(plain("smtp://127.0.0.1:2525"));
        assert!(plain("smtp://localhost:2525"));
        assert!(plain("smtp://[::1]:2525"));
        assert!(plain("smtp://mail.example.com:25?tls=none"));
        assert!(!plain("smtp://mail.example.com:587"));
        assert!(!plain("smtp://10.0.0.1:587"));
    }

    #[test]
    fn server_urls() {
        assert!(transport("smtp://127.0.0.1:2525").is_ok());
        assert!(transport("smtps://user:pw@mail.example.com").is_ok());
        assert!(transport("smtp://mail.example.com:587?tls=required").is_ok());
        assert!(transport("smtp://mail.example.com:25?tls=none").is_ok());
        assert!(transport("smtp://mail.example.com").is_ok());
        assert!(transport("http://mail.example.com").is_err());
        assert!(transport("smtp://mail.example.com?tls=maybe").is_err());
        let e = transport("nonsense").err().unwrap_or_default();
        assert!(e.contains("not a URL"), "{e}");
    }
}
