//! [`delegate_adapter!`](crate::delegate_adapter): the `Adapter` methods a test's wrapping
//! adapter passes on unchanged to the adapter it wraps.

/// Inside an `impl Adapter for Wrapper`, writes each listed method as a plain call to the
/// same method of the field `$inner` (an `Arc<dyn Adapter>`), so a test's adapter spells out
/// only the methods it changes:
///
/// ```ignore
/// impl Adapter for Recorder {
///     fn verification_token_hashing(&self) -> VerificationTokenHashing { self.hashing }
///     auth_tests::delegate_adapter!(inner => create_user, get_user, delete_session);
/// }
/// ```
///
/// Methods not listed keep the trait's default; listing one the wrapper also writes is a
/// duplicate-definition error.
#[macro_export]
macro_rules! delegate_adapter {
    ($inner:ident => $($method:ident),+ $(,)?) => {
        $($crate::delegate_adapter!(@one $inner $method);)+
    };
    (@one $inner:ident create_user) => {
        fn create_user<'a>(
            &'a self,
            user: &'a ::auth_runtime::User,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, ::auth_runtime::User> {
            self.$inner.create_user(user)
        }
    };
    (@one $inner:ident get_user) => {
        fn get_user<'a>(
            &'a self,
            id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, Option<::auth_runtime::User>> {
            self.$inner.get_user(id)
        }
    };
    (@one $inner:ident get_user_by_email) => {
        fn get_user_by_email<'a>(
            &'a self,
            email: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, Option<::auth_runtime::User>> {
            self.$inner.get_user_by_email(email)
        }
    };
    (@one $inner:ident get_user_by_account) => {
        fn get_user_by_account<'a>(
            &'a self,
            provider: &'a str,
            provider_account_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, Option<::auth_runtime::User>> {
            self.$inner.get_user_by_account(provider, provider_account_id)
        }
    };
    (@one $inner:ident update_user) => {
        fn update_user<'a>(
            &'a self,
            user: &'a ::auth_runtime::User,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, Option<::auth_runtime::User>> {
            self.$inner.update_user(user)
        }
    };
    (@one $inner:ident delete_user) => {
        fn delete_user<'a>(
            &'a self,
            id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, bool> {
            self.$inner.delete_user(id)
        }
    };
    (@one $inner:ident link_account) => {
        fn link_account<'a>(
            &'a self,
            user_id: &'a str,
            account: &'a ::auth_runtime::Account,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, ()> {
            self.$inner.link_account(user_id, account)
        }
    };
    (@one $inner:ident unlink_account) => {
        fn unlink_account<'a>(
            &'a self,
            provider: &'a str,
            provider_account_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, bool> {
            self.$inner.unlink_account(provider, provider_account_id)
        }
    };
    (@one $inner:ident create_session) => {
        fn create_session<'a>(
            &'a self,
            key: &'a ::auth_runtime::adapter::SessionKey,
            user_id: &'a str,
            expires: i64,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, ::auth_runtime::adapter::AdapterSession> {
            self.$inner.create_session(key, user_id, expires)
        }
    };
    (@one $inner:ident get_session_and_user) => {
        fn get_session_and_user<'a>(
            &'a self,
            key: &'a ::auth_runtime::adapter::SessionKey,
        ) -> ::auth_runtime::adapter::AdapterFuture<
            'a,
            Option<(::auth_runtime::adapter::AdapterSession, ::auth_runtime::User)>,
        > {
            self.$inner.get_session_and_user(key)
        }
    };
    (@one $inner:ident update_session) => {
        fn update_session<'a>(
            &'a self,
            key: &'a ::auth_runtime::adapter::SessionKey,
            expires: i64,
        ) -> ::auth_runtime::adapter::AdapterFuture<
            'a,
            Option<::auth_runtime::adapter::AdapterSession>,
        > {
            self.$inner.update_session(key, expires)
        }
    };
    (@one $inner:ident delete_session) => {
        fn delete_session<'a>(
            &'a self,
            key: &'a ::auth_runtime::adapter::SessionKey,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, bool> {
            self.$inner.delete_session(key)
        }
    };
    (@one $inner:ident create_verification_token) => {
        fn create_verification_token<'a>(
            &'a self,
            token: &'a ::auth_runtime::adapter::VerificationToken,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, ()> {
            self.$inner.create_verification_token(token)
        }
    };
    (@one $inner:ident use_verification_token) => {
        fn use_verification_token<'a>(
            &'a self,
            identifier: &'a str,
            token: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<
            'a,
            Option<::auth_runtime::adapter::VerificationToken>,
        > {
            self.$inner.use_verification_token(identifier, token)
        }
    };
    (@one $inner:ident delete_verification_tokens) => {
        fn delete_verification_tokens<'a>(
            &'a self,
            identifier: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, u64> {
            self.$inner.delete_verification_tokens(identifier)
        }
    };
    (@one $inner:ident list_user_sessions) => {
        fn list_user_sessions<'a>(
            &'a self,
            user_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<
            'a,
            Vec<::auth_runtime::adapter::AdapterSession>,
        > {
            self.$inner.list_user_sessions(user_id)
        }
    };
    (@one $inner:ident delete_user_sessions) => {
        fn delete_user_sessions<'a>(
            &'a self,
            user_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, u64> {
            self.$inner.delete_user_sessions(user_id)
        }
    };
    (@one $inner:ident delete_expired_sessions) => {
        fn delete_expired_sessions(&self) -> ::auth_runtime::adapter::AdapterFuture<'_, u64> {
            self.$inner.delete_expired_sessions()
        }
    };
    (@one $inner:ident session_version) => {
        fn session_version<'a>(
            &'a self,
            user_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, i64> {
            self.$inner.session_version(user_id)
        }
    };
    (@one $inner:ident bump_session_version) => {
        fn bump_session_version<'a>(
            &'a self,
            user_id: &'a str,
        ) -> ::auth_runtime::adapter::AdapterFuture<'a, i64> {
            self.$inner.bump_session_version(user_id)
        }
    };
}
