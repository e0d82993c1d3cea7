// Apple's client secret is minted from its key (`team_id`, `key_id`, `private_key`, all
// three) or written (`client_secret`), one of the two.
auth_runtime::auth! {
    providers: [
        Apple { client_id: env("APPLE_ID") },
        Apple { id: "apple-2", client_id: env("APPLE_ID"), team_id: env("APPLE_TEAM_ID") },
        Apple {
            id: "apple-3",
            client_id: env("APPLE_ID"),
            client_secret: env("APPLE_SECRET"),
            team_id: env("APPLE_TEAM_ID"),
            key_id: env("APPLE_KEY_ID"),
            private_key: env("APPLE_PRIVATE_KEY"),
        },
    ],
}

fn main() {}
