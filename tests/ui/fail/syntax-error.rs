// A syntax error in one section does not hide the errors of the others.
auth_runtime::auth! {
    providers: [ GitHub { client_id env("GITHUB_ID") } ],
    callbacks: { jwt(token, usr) { token } },
}

fn main() {}
