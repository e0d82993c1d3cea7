// The second factor: `second_factor: { totp: .. }` with and without its optional keys;
// `sign_in` binds `amr`, `jwt` reads the standard `amr` claim.
#![deny(warnings)]

use auth_runtime::config::{SecondFactor, TotpSettings};

auth_runtime::auth! {
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
    second_factor: { totp: { issuer: "Acme", digits: 8, period: 60 } },
    callbacks: {
        sign_in(amr) {
            let _: &Vec<String> = &amr;
            amr.iter().any(|m| m == "pwd")
        },
        jwt(token) {
            let _: Option<&Vec<String>> = token.amr.as_ref();
            token
        },
    },
}

mod defaults {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        second_factor: { totp: { issuer: "Acme", } },
    }
}

fn main() {
    assert_eq!(
        config().second_factor(),
        Some(&SecondFactor::Totp(
            TotpSettings::new("Acme").with_digits(8).with_period(60)
        ))
    );
    assert_eq!(
        defaults::config().second_factor(),
        Some(&SecondFactor::Totp(TotpSettings::new("Acme")))
    );
}
