// `user: { .. }`: a typed `User` with the standard fields and the declared ones, built with
// `User::new(id).with_..(..)`; `authorize` (a closure or a function) returns it, `jwt` sees
// it as `user`; it converts to and from `auth_runtime::User`.
#![deny(warnings)]

#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Role {
    #[default]
    Member,
    Admin,
}

mod auth {
    use auth_runtime::CredentialsError;

    use super::Role;

    async fn by_function(c: auth_runtime::Credentials) -> Result<User, CredentialsError> {
        c.get("id").map(User::new).ok_or_else(|| CredentialsError::new("no_id"))
    }

    auth_runtime::auth! {
        user: {
            role: Role,
            /// Documented, renamed on the wire.
            #[serde(rename = "orgId")]
            org_id: Option<u64>,
        },
        token: { #[session] role: Role, org_id: Option<u64> },
        providers: [
            Credentials {
                authorize: |credentials| async move {
                    let id = credentials.get("id")?;
                    Some(User::new(id).with_name("Ada").with_role(Role::Admin).with_org_id(Some(7)))
                },
            },
            Credentials { id: "fn", authorize: by_function },
            Credentials { id: "never", authorize: |_c| async move { None } },
        ],
        callbacks: {
            jwt(token, user) {
                if let Some(user) = user {
                    let User { role, org_id, .. } = user;
                    token.role = role;
                    token.org_id = org_id;
                }
                token
            },
        },
    }
}

mod empty {
    auth_runtime::auth! {
        user: {},
        providers: [ Credentials { authorize: |c| async move { c.get("id").map(User::new) } } ],
    }
}

fn main() {
    let user = auth::User::new("ada").with_email("ada@example.com").with_role(Role::Admin);
    let runtime: auth_runtime::User = user.clone().try_into().unwrap();
    assert_eq!(runtime.extra["role"], "Admin");
    assert_eq!(auth::User::try_from(runtime).unwrap(), user);
    assert_eq!(auth::config().providers().len(), 3);
    assert_eq!(empty::User::new("x").id, "x");
}
