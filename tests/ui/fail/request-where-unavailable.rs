auth_runtime::auth! {
    callbacks: {
        jwt(token, request) { token },
        redirect(url, request) { url },
    },
    events: {
        sign_in(user, request) {},
        session(request) {},
    },
}

fn main() {}
