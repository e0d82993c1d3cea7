auth_runtime::auth! {
    callbacks: {
        jwt(token, usr, isNewUser) { token },
        redirect(url, base, url) { url },
    },
}

fn main() {}
