// Every error of the invocation in one compile, and the generated types still exist:
// `main` compiles against `Token`, `Session` and `config()` without further errors.
mod auth {
    auth_runtime::auth! {
        token: { id: String },
        session_user: { id: String },
        providers: [ Gitub { client_id: "a", client_secret: "b" } ],
        callbacks: {
            sign_in(token) { true },
            jwt(token, user) { token.id = user.unwrap().id; token },
            session(session, user) { session },
        },
    }
}

fn main() {
    let token = auth::Token { id: "1".to_owned(), ..Default::default() };
    let mut session = auth::Session::default();
    session.user.id = token.id;
    let _config = auth::config();
}
