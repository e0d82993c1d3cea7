// The second factor: every mistake in one compile, each on its own tokens.
auth_runtime::auth! {
    providers: [
        Credentials { authorize: |credentials| async move { let _ = credentials; None } },
    ],
    second_factor: {
        totp: { issuer: "a:b", digits: 4, period: 5, perod: 30 },
        sms: { from: "+1" },
    },
}

mod missing_issuer {
    auth_runtime::auth! {
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        second_factor: { totp: { digits: 6 } },
    }
}

mod amr_declared {
    auth_runtime::auth! {
        token: { amr: Vec<String> },
        providers: [
            Credentials { authorize: |credentials| async move { let _ = credentials; None } },
        ],
        second_factor: { totp: { issuer: "Acme" } },
    }
}

mod without_credentials {
    auth_runtime::auth! {
        providers: [ GitHub { client_id: "id", client_secret: "secret" } ],
        second_factor: { totp: { issuer: "Acme" } },
    }
}

fn main() {}
