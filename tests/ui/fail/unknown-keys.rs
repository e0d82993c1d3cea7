// Unknown keys at the top level, in `session` and in `pages`, and an unknown strategy.
auth_runtime::auth! {
    sesion: { strategy: jwt },
    session: { strategy: jtw, maxAge: 60 },
    pages: { signin: "/login" },
    adapter: my_adapter(),
}

fn main() {}
