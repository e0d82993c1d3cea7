auth_runtime::auth! {
    callbacks: {
        redirect(url, base_url) { url.starts_with(&base_url) },
    },
}

fn main() {}
