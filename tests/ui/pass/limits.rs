// Sign-in limits and the security events: rates with units, `off`, the identifier field;
// `sign_in_failed` and `locked_out` bind their typed parameters.
#![deny(warnings)]

use std::net::IpAddr;
use std::time::Duration;

use auth_runtime::config::{LimitKind, Rate};

auth_runtime::auth! {
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
    limits: {
        sign_in: { per_ip: 30 / 1min, per_identifier: 5 / 15min, identifier: "email", max_keys: 1000 },
    },
    events: {
        sign_in_failed(provider, identifier, ip, code) {
            let _: (String, Option<String>, Option<IpAddr>, String) = (provider, identifier, ip, code);
        }
        locked_out(identifier, ip, limit, retry_after) {
            let _: (Option<String>, Option<IpAddr>) = (identifier, ip);
            let _: Duration = retry_after;
            if limit == LimitKind::PerIp {
                return Err("an address is locked out");
            }
            Ok::<(), &str>(())
        }
    },
}

mod off {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        limits: { sign_in: off },
    }
}

mod per_ip_off {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        limits: { sign_in: { per_ip: off } },
    }
}

fn main() {
    let config = config();
    let limits = config.sign_in_limits();
    assert_eq!(limits.per_ip, Rate::new(30, Duration::from_secs(60)));
    assert_eq!(limits.per_identifier, Rate::new(5, Duration::from_secs(900)));
    assert_eq!(limits.identifier.as_deref(), Some("email"));
    assert_eq!(limits.max_keys, 1000);

    assert!(!off::config().sign_in_limits().is_on());
    let per_ip_off = per_ip_off::config();
    assert_eq!(per_ip_off.sign_in_limits().per_ip, None);
    assert_eq!(
        per_ip_off.sign_in_limits().per_identifier,
        auth_runtime::config::SignInLimits::default().per_identifier
    );
}
