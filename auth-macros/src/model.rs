//! The typed model between `check` and `expand` (serde's `Container`, thiserror's `Input`).
//!
//! `check` builds a [`Model`] from the syntax tree, keeping only what is valid and turning
//! every name into a typed key; `expand` reads nothing else. The model borrows the user's
//! syn nodes, so generated code keeps their spans.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::{Attribute, Block, Expr, ExprCall, LitStr, Type};

use crate::spec::{CallbackKind, ClientAuth, EventKind, Opt, ProviderKind, Strategy};

/// One valid `auth! { .. }` invocation.
pub struct Model<'a> {
    pub runtime: Runtime,
    pub session: Session<'a>,
    /// Declared `token: { .. }` fields (without duplicates or standard names).
    pub token: Vec<Field<'a>>,
    /// Declared `session_user: { .. }` fields.
    pub session_user: Vec<Field<'a>>,
    /// `user: { .. }`: the generated `User`'s declared fields; `None` without the section
    /// (`authorize` and `jwt` then use the runtime's `User`).
    pub user: Option<Vec<Field<'a>>>,
    pub providers: Vec<Provider<'a>>,
    pub callbacks: Vec<Handler<'a, CallbackKind>>,
    pub events: Vec<Handler<'a, EventKind>>,
    pub pages: Pages<'a>,
    pub base_path: Option<&'a Expr>,
    pub trust_host: Option<&'a Expr>,
    /// `trust_proxy`: the client address from a proxy's `X-Forwarded-For` / `Forwarded`.
    pub trust_proxy: Option<&'a Expr>,
    /// `limits: { sign_in: .. }`; `None` keeps the runtime's default limits.
    pub limits: Option<SignInLimits<'a>>,
    /// `second_factor: { totp: { .. } }`.
    pub second_factor: Option<Totp<'a>>,
    /// `state: AppState`: `config` takes it and every handler binding `state` gets a clone.
    pub state: Option<&'a Type>,
    /// The top-level keys as written (`token`, `session_user`, ..): where the generated
    /// types are defined ([`Model::key`]).
    pub keys: &'a [Ident],
}

/// `second_factor: { totp: { issuer, digits?, period? } }` as checked (ranges verified).
pub struct Totp<'a> {
    pub issuer: &'a LitStr,
    pub digits: Option<u32>,
    pub period: Option<u64>,
}

/// `limits: { sign_in: { .. } }` as checked: every value validated at compile time.
#[derive(Default)]
pub struct SignInLimits<'a> {
    /// `sign_in: off` (or `limits: off`): start from no limit instead of the defaults.
    pub off: bool,
    pub per_ip: LimitRate,
    pub per_identifier: LimitRate,
    /// `identifier: "email"`.
    pub identifier: Option<&'a LitStr>,
    /// `max_keys: 10000`.
    pub max_keys: Option<usize>,
}

/// One rate of `limits: { sign_in: { .. } }`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitRate {
    /// Not written: the runtime's default.
    #[default]
    Default,
    /// `off`.
    Off,
    /// `count / period`, the period in seconds (both non-zero).
    Rate { count: u32, period_secs: u64 },
}

impl<'a> Model<'a> {
    /// The top-level key `name` as written, if it is.
    pub fn key(&self, name: &str) -> Option<&'a Ident> {
        self.keys.iter().find(|k| *k == name)
    }

    /// The callbacks of `kind` (one in a valid model).
    pub fn callbacks_of(
        &self,
        kind: CallbackKind,
    ) -> impl Iterator<Item = &Handler<'a, CallbackKind>> {
        self.callbacks.iter().filter(move |c| c.kind == kind)
    }
}

/// The path of the runtime crate in the generated code: the `$crate` that
/// `auth_runtime::auth!` passes, so a renamed dependency works.
pub struct Runtime {
    pub root: TokenStream,
}

impl Runtime {
    /// `::auth_runtime`, for an invocation without a crate path (unit tests, benches).
    pub fn absolute() -> Self {
        Runtime {
            root: quote!(::auth_runtime),
        }
    }
}

/// The runtime's numbered private module, holding the items only generated code calls:
/// `__private` and this crate's version (`auth-runtime` pins the same one), so its name
/// changes with every release and nothing else can depend on it.
pub fn private_module() -> Ident {
    format_ident!(
        "__private{}",
        env!("CARGO_PKG_VERSION").replace(['.', '-', '+'], "_")
    )
}

/// `session: { .. }`.
#[derive(Default)]
pub struct Session<'a> {
    pub strategy: Strategy,
    pub max_age: Option<&'a Expr>,
    pub update_age: Option<&'a Expr>,
    pub reissue_after: Option<&'a Expr>,
}

/// `pages: { .. }`.
#[derive(Default)]
pub struct Pages<'a> {
    pub sign_in: Option<&'a Expr>,
    pub sign_out: Option<&'a Expr>,
    pub error: Option<&'a Expr>,
    pub verify_request: Option<&'a Expr>,
}

/// A declared field of `Token`, `SessionUser` or `User`.
pub struct Field<'a> {
    pub name: &'a Ident,
    pub ty: &'a Type,
    pub attrs: FieldAttrs<'a>,
}

/// The attributes of a declared field, sorted by what they mean to `auth!`. Options of
/// `auth!` itself on a field (such as a future `#[session]`) are parsed into here by
/// `check::fields` (`#[session]`); every other attribute goes through to the generated field.
#[derive(Default)]
pub struct FieldAttrs<'a> {
    /// `///` comments (`#[doc = ".."]`).
    pub docs: Vec<&'a Attribute>,
    /// Attributes for the generated field (`#[serde(..)]`, `#[allow(..)]`, ..).
    pub forwarded: Vec<&'a Attribute>,
    /// `#[session]` on a `token` field: the `SessionUser` field it is copied to (its own
    /// name, or `rename`'s, spanned on the user's tokens).
    pub session: Option<Ident>,
}

/// A callback (`K` = [`CallbackKind`]) or an event (`K` = [`EventKind`]).
pub struct Handler<'a, K> {
    pub kind: K,
    /// Its name as written (`jwt`).
    pub name: &'a Ident,
    /// The parameters it names (known to it, each once).
    pub params: Vec<Param<'a>>,
    /// The `state` parameter, when it is named (a clone of the application state).
    pub state: Option<&'a Ident>,
    pub body: &'a Block,
}

/// A parameter of a handler, bound by name from the runtime's arguments.
pub struct Param<'a> {
    pub name: &'a Ident,
    /// Bound `mut` (the value the body changes and returns, as `token` in `jwt`).
    pub mutable: bool,
}

/// A provider with its options, as [`spec::PROVIDERS`](crate::spec::PROVIDERS) defines them.
pub enum Provider<'a> {
    Credentials(Credentials<'a>),
    GitHub(Preset<'a>),
    Google(Preset<'a>),
    /// Microsoft Entra ID, Apple, GitLab, Discord, Keycloak, Okta, Auth0, Facebook,
    /// Twitter, Slack, LinkedIn, Twitch.
    Named(NamedPreset<'a>),
    Oidc(Oidc<'a>),
    OAuth(OAuth<'a>),
    Passkey(Passkey<'a>),
    Email(Email<'a>),
}

/// `Passkey { rp_name?, rp_id?, id?, name? }`.
pub struct Passkey<'a> {
    /// The provider's name as written: where the `passkey` feature's error points.
    pub written: &'a Ident,
    pub id: Option<&'a LitStr>,
    pub name: Option<&'a Expr>,
    pub rp_name: Option<&'a Expr>,
    pub rp_id: Option<&'a Expr>,
}

/// `Email { server, from?, id?, name?, max_age?, send_verification_request? }`.
pub struct Email<'a> {
    pub server: ConfigValue<'a>,
    pub from: Option<&'a Expr>,
    pub id: Option<&'a LitStr>,
    pub name: Option<&'a Expr>,
    pub max_age: Option<&'a Expr>,
    pub send: Option<SendHook<'a>>,
}

/// `send_verification_request`: a closure whose parameters are bound by name (`request`,
/// `state`), or any other expression (a function, called with the request).
#[derive(Clone, Copy)]
pub enum SendHook<'a> {
    Closure {
        closure: &'a syn::ExprClosure,
        /// The request's pattern (with its type, if written).
        request: Option<&'a syn::Pat>,
        /// The `state` parameter.
        state: Option<&'a Ident>,
    },
    Expr(&'a Expr),
}

/// `Credentials { authorize, id?, name?, fields? }`.
pub struct Credentials<'a> {
    pub authorize: Authorize<'a>,
    pub id: Option<&'a LitStr>,
    pub name: Option<&'a Expr>,
    /// `fields: { .. }`: the typed form `authorize` receives.
    pub form: Option<Form>,
}

/// A declared credentials form: the generated type's name (from the provider id, see
/// [`spec::form_type_name`](crate::spec::form_type_name)) and its fields, in order.
pub struct Form {
    pub ty: Ident,
    pub fields: Vec<FormField>,
}

#[derive(Clone)]
/// A declared field of a credentials form (`email: { label: "E-mail", type: "email" }`).
pub struct FormField {
    /// The user's identifier (its span is the field's in the generated type).
    pub name: Ident,
    pub label: String,
    /// One of [`spec::INPUT_TYPES`](crate::spec::INPUT_TYPES).
    pub input_type: String,
    pub placeholder: Option<String>,
    /// `String` when required (the default), `Option<String>` otherwise.
    pub required: bool,
}

/// The `authorize` option: a closure whose parameters are bound by name, or any other
/// expression (a function, called with the credentials).
#[derive(Clone, Copy)]
pub enum Authorize<'a> {
    /// `|credentials, request, state| async move { .. }` (a subset, any order; a single parameter
    /// of another name is the credentials).
    Closure(AuthorizeClosure<'a>),
    /// Any other expression.
    Expr(&'a Expr),
}

/// A closure `authorize` with its parameters sorted by name.
#[derive(Clone, Copy)]
pub struct AuthorizeClosure<'a> {
    pub closure: &'a syn::ExprClosure,
    /// The credentials' pattern (with its type, if written).
    pub credentials: Option<&'a syn::Pat>,
    /// The `request` parameter's pattern (with its type, if written).
    pub request: Option<&'a syn::Pat>,
    /// The `state` parameter.
    pub state: Option<&'a Ident>,
}

/// `GitHub { .. }` and `Google { .. }`: a client and Auth.js's preset.
pub struct Preset<'a> {
    /// The provider's name as written (`GitHub`): where an error about the provider points.
    pub written: &'a Ident,
    pub client: Client<'a>,
    pub id: Option<&'a LitStr>,
    pub login: Login<'a>,
}

/// A preset beyond GitHub and Google: its kind, client and written options.
pub struct NamedPreset<'a> {
    pub kind: ProviderKind,
    /// The provider's name as written (`Apple`): where an error about the provider points.
    pub written: &'a Ident,
    pub id: Option<&'a LitStr>,
    pub client_id: ConfigValue<'a>,
    /// `None` only for Apple with its key (`team_id`, `key_id`, `private_key` in `values`).
    pub client_secret: Option<ConfigValue<'a>>,
    /// The written values of the options of kind `Config` other than the client's
    /// (`issuer`, the endpoint URLs, `tenant_id`, Apple's key), in the order written.
    pub values: Vec<(Opt, ConfigValue<'a>)>,
    /// `allowed_tenants` (Entra ID).
    pub allowed_tenants: Option<&'a Expr>,
    pub login: Login<'a>,
}

impl<'a> NamedPreset<'a> {
    /// The written value of `opt`.
    pub fn value(&self, opt: Opt) -> Option<ConfigValue<'a>> {
        self.values.iter().find(|(o, _)| *o == opt).map(|(_, v)| *v)
    }
}

/// `Oidc { id, issuer, client_id, client_secret, .. }` (endpoints by discovery).
pub struct Oidc<'a> {
    /// The provider's name as written (`GitHub`): where an error about the provider points.
    pub written: &'a Ident,
    pub id: &'a LitStr,
    pub issuer: ConfigValue<'a>,
    pub client: Client<'a>,
    pub client_auth: Option<ClientAuth>,
    pub login: Login<'a>,
}

/// `OAuth { id, authorization_url, token_url, userinfo_url, client_id, client_secret, .. }`.
pub struct OAuth<'a> {
    /// The provider's name as written (`GitHub`): where an error about the provider points.
    pub written: &'a Ident,
    pub id: &'a LitStr,
    pub authorization_url: ConfigValue<'a>,
    pub token_url: ConfigValue<'a>,
    pub userinfo_url: ConfigValue<'a>,
    pub client: Client<'a>,
    pub profile: Option<&'a Expr>,
    pub client_auth: Option<ClientAuth>,
    pub login: Login<'a>,
}

/// `client_id` and `client_secret`.
pub struct Client<'a> {
    pub id: ConfigValue<'a>,
    pub secret: ConfigValue<'a>,
}

/// The options every OAuth provider takes: how it shows and what it asks for.
#[derive(Default)]
pub struct Login<'a> {
    pub name: Option<&'a Expr>,
    pub scope: Option<&'a Expr>,
    pub allow_dangerous_email_account_linking: Option<&'a Expr>,
}

/// A value read at start-up (`env("NAME")`) or written in the configuration.
#[derive(Clone, Copy)]
pub enum ConfigValue<'a> {
    Env(&'a ExprCall),
    Expr(&'a Expr),
}
