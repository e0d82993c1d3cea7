// `fields: { .. }` on a credentials provider: a typed form per provider, named from its id
// (`PasswordForm`, `OneTimeCodeForm`, `CredentialsForm` for the default id), that
// `authorize` receives (a required field `String`, an optional one `Option<String>`),
// with `request` and `state` still bound by name and the typed `User` returned.
#![deny(warnings)]

#[derive(Clone)]
pub struct AppState;

mod auth {
    use auth_runtime::{CredentialsError, RequestInfo};

    use super::AppState;

    async fn by_code(form: OneTimeCodeForm) -> Option<User> {
        (form.code == "123456").then(|| User::new(form.phone))
    }

    auth_runtime::auth! {
        state: AppState,
        user: { team: Option<String> },
        providers: [
            Credentials {
                id: "password",
                name: "E-mail and password",
                fields: {
                    email: { label: "E-mail", type: "email", placeholder: "you@example.com" },
                    password: { label: "Password", type: password },
                    team: { required: false },
                },
                authorize: |request: RequestInfo, credentials, state| async move {
                    let _: &AppState = &state;
                    let _ = request.client_ip();
                    let email: String = credentials.email;
                    let team: Option<String> = credentials.team;
                    if credentials.password.is_empty() {
                        return Err(CredentialsError::new("empty"));
                    }
                    Ok(User::new(email).with_team(team))
                },
            },
            Credentials {
                id: "one-time-code",
                fields: { phone: { type: "tel" }, code: { label: "Code", type: "number" } },
                authorize: by_code,
            },
            Credentials {
                fields: { r#type: { label: "Kind" } },
                authorize: |c| async move { Some(User::new(c.r#type)) },
            },
        ],
    }
}

fn main() {
    assert_eq!(auth::PasswordForm::FIELDS, ["email", "password", "team"]);
    assert_eq!(auth::OneTimeCodeForm::FIELDS, ["phone", "code"]);
    assert_eq!(auth::CredentialsForm::FIELDS, ["type"]);
    let _ = auth::config(AppState);
}
