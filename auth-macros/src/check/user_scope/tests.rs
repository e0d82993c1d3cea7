//! Unit tests of rule 1: the checker on guard and misuse shapes, and a generated corpus.

use super::*;
use syn::parse_quote;

fn flagged(body: Block) -> Vec<String> {
    let tracked: Vec<String> = GUARDED.iter().map(|s| (*s).to_owned()).collect();
    find_unguarded(&tracked, &body)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn if_let_guard_with_shadowing_is_fine() {
    let body: Block = parse_quote!({
        if let Some(user) = user {
            token.id = user.id.clone();
            token.name = user.name;
        }
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn else_branch_is_flagged() {
    let body: Block = parse_quote!({
        if let Some(u) = user {
            token.id = u.id;
        } else {
            token.name = user.and_then(|u| u.name);
        }
        token
    });
    assert_eq!(flagged(body), ["user"]);
}

#[test]
fn raw_option_inside_guard_with_other_binding_is_flagged() {
    let body: Block = parse_quote!({
        if let Some(u) = &user {
            token.id = user.clone().map(|x| x.id).unwrap_or_default();
        }
        token
    });
    assert_eq!(flagged(body), ["user"]);
}

#[test]
fn match_and_let_else_are_guards() {
    let body: Block = parse_quote!({
        match account {
            Some(account) => token.provider = account.provider,
            None => {}
        }
        let Some(profile) = profile else {
            return token;
        };
        token.email = profile.email;
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn let_else_block_is_flagged() {
    let body: Block = parse_quote!({
        let Some(p) = profile else {
            println!("{:?}", profile);
            return token;
        };
        token
    });
    assert_eq!(flagged(body), ["profile"]);
}

#[test]
fn references_as_ref_and_tuples_are_guards() {
    let body: Block = parse_quote!({
        if let Some(u) = &user {
            token.id = u.id.clone();
        }
        if let Some(u) = user.as_ref() {
            token.id = u.id.clone();
        }
        match (user, account) {
            (Some(u), Some(a)) => token.id = format!("{}:{}", a.provider, u.id),
            _ => {}
        }
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn let_chains_and_while_let() {
    let body: Block = parse_quote!({
        if let Some(u) = user
            && let Some(a) = account
            && u.id == a.provider_account_id
        {
            token.id = u.id;
        }
        while let Some(s) = session {
            token.name = s.to_string();
            break;
        }
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn a_pattern_without_some_is_not_a_guard() {
    let body: Block = parse_quote!({
        if let x = user {
            drop(x);
        }
        match user {
            u => drop(u),
        }
        token
    });
    assert_eq!(flagged(body), ["user", "user"]);
}

#[test]
fn closures_are_flagged_unless_the_parameter_shadows() {
    let body: Block = parse_quote!({
        let f = || user.is_some();
        let g = |user: Option<u8>| user.is_some();
        token
    });
    assert_eq!(flagged(body), ["user"]);
}

#[test]
fn macros_are_looked_into() {
    let body: Block = parse_quote!({
        let a = format!("{}", user.unwrap().name);
        println!("{account:?}");
        assert!(profile.is_none(), "no profile");
        my_json!({ "s": session });
        token
    });
    assert_eq!(flagged(body), ["user", "account", "profile", "session"]);
}

#[test]
fn macros_named_args_and_escapes_are_not_uses() {
    let body: Block = parse_quote!({
        let a = format!("{user} {{account}}", user = token.name);
        vec![token.sub.clone()];
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn macro_statements_keep_scopes() {
    let body: Block = parse_quote!({
        my_macro! { let user = 1; drop(user); }
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn fields_other_names_rebinding_and_items_are_not_flagged() {
    let body: Block = parse_quote!({
        let user_id = token.user.clone();
        token.profile = token.user.account();
        fn helper(user: u8) -> u8 {
            user
        }
        let user = 5;
        drop(user);
        for account in [1, 2] {
            drop(account);
        }
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn plain_uses_are_flagged() {
    let body: Block = parse_quote!({
        token.id = user.unwrap().id;
        let s = Foo { session };
        if user.is_some() {}
        token
    });
    assert_eq!(flagged(body), ["user", "session", "user"]);
}

#[test]
fn scope_ends_with_its_block() {
    let body: Block = parse_quote!({
        {
            let user = 1;
            drop(user);
        }
        drop(user);
        token
    });
    assert_eq!(flagged(body), ["user"]);
}

#[test]
fn only_tracked_parameters_count() {
    let body: Block = parse_quote!({
        drop(user);
        token
    });
    assert!(find_unguarded(&["account".to_owned()], &body).is_empty());
}

#[test]
fn raw_identifiers_are_the_same_names() {
    let body: Block = parse_quote!({
        drop(r#user);
        if let Some(r#account) = account {
            drop(account);
        }
        token
    });
    assert_eq!(flagged(body), ["r#user"]);
}

#[test]
fn tuple_positions_are_matched_one_by_one() {
    let body: Block = parse_quote!({
        match (user, account) {
            (x, Some(a)) => drop((x, a)),
            _ => {}
        }
        if let (Some(u), p) = (&user, &profile) {}
        if let [Some(a), b] = [user.clone(), account.clone()] {}
        match (user, account) {
            (Some(u), _) => {}
            t => drop(t),
        }
        match (user, 1, account) {
            (Some(u), ..) => {}
            (.., Some(a)) => {}
            _ => {}
        }
        token
    });
    assert_eq!(
        flagged(body),
        ["user", "profile", "account", "user", "account"]
    );
}

#[test]
fn derived_scrutinees_and_arm_forms_are_guards() {
    let body: Block = parse_quote!({
        if let Some(u) = user.clone() {}
        if let Some(u) = user.as_deref() {}
        if let Some(id) = user.as_ref().map(|u| u.id.clone()) {}
        match user.as_ref() {
            Some(u) if u.id.is_empty() => {}
            Some(ref u) => {}
            x @ Some(_) => {}
            Some(User { id, .. }) | None => {}
            Option::Some { 0: u } => {}
            None => {}
        }
        let Some(User { id, .. }) = user.clone() else {
            return token;
        };
        if let (Some(u), ..) = (&user, &account) {}
        token
    });
    assert_eq!(flagged(body), Vec::<String>::new());
}

#[test]
fn a_name_binding_the_option_in_another_arm_is_flagged() {
    let body: Block = parse_quote!({
        match user {
            Some(_) => {}
            other => drop(other),
        }
        if let Some(u) = user.unwrap_or_default().into() {}
        token
    });
    assert_eq!(flagged(body), ["user", "user"]);
}

#[test]
fn macro_rules_bodies_are_read() {
    let body: Block = parse_quote!({
        macro_rules! leak {
            ($x:expr) => {
                user.map(|u| $x)
            };
        }
        if let Some(user) = user {
            macro_rules! fine {
                () => {
                    user.id
                };
            }
        }
        token
    });
    assert_eq!(flagged(body), ["user"]);
}

#[test]
fn tracing_and_log_forms_are_read() {
    let body: Block = parse_quote!({
        tracing::info!(target: "auth", "{user:?}");
        tracing::info!(?account);
        tracing::info!(%profile, "signed in");
        tracing::info!(session = ?session);
        log::log!(log::Level::Info, "{user:?}");
        log::info!(a = 1; "{account:?}");
        format!("{:>user$}", 1);
        token
    });
    assert_eq!(
        flagged(body),
        [
            "user", "account", "profile", "session", "user", "account", "user"
        ]
    );
}

#[test]
fn field_names_in_macros_are_not_reads() {
    let body: Block = parse_quote!({
        tracing::info!(user = %token.sub, user.id = 1, "signed in");
        tracing::info!(target: "auth", account = 1, "{}", token.sub);
        format!("{user}", user = 1);
        token
    });
    assert!(flagged(body).is_empty());
}

#[test]
fn format_string_names() {
    assert_eq!(
        inline_format_args("{a} {{b}} {c:?} {0} {} {d.e}"),
        ["a", "c", "d"]
    );
}

#[test]
fn format_spec_names() {
    assert_eq!(
        inline_format_args("{:>w$} {x:.p$} {:1$} {r#user}"),
        ["w", "x", "p", "user"]
    );
}

/// A generated corpus: every guard shape around every misuse shape, nested, with the
/// expected verdict computed from the shapes.
mod generated {
    use super::*;
    use proptest::prelude::*;

    const PARAMS: &[&str] = &["user", "account", "profile", "session"];

    /// Scrutinee forms over parameter `p` that guard it.
    fn scrutinee(p: &str, k: usize) -> String {
        [
            p.to_owned(),
            format!("&{p}"),
            format!("{p}.clone()"),
            format!("{p}.as_ref()"),
            format!("{p}.as_deref()"),
            format!("({p}).as_ref().cloned()"),
            format!("r#{p}"),
            format!("{p}.as_ref().map(|x| x.clone())"),
        ][k % 8]
            .clone()
    }

    /// Wraps `inner` in a guard of `p` binding `b`.
    fn guard(p: &str, b: &str, k: usize, s: usize, inner: &str) -> String {
        let e = scrutinee(p, s);
        match k % 9 {
            0 => format!("if let Some({b}) = {e} {{ {inner} }}"),
            1 => format!("if let Some(ref {b}) = {e} {{ {inner} }}"),
            2 => format!(
                "match {e} {{ Some({b}) if true => {{ {inner} }} Some(_) => {{}} None => {{}} }}"
            ),
            3 => format!("match {e} {{ Some({b}) => {{ {inner} }} _ => {{}} }}"),
            4 => format!("{{ let Some({b}) = {e} else {{ return token; }}; {inner} }}"),
            5 => format!("match ({e}, 1) {{ (Some({b}), _) => {{ {inner} }} _ => {{}} }}"),
            6 => format!("if let (.., Some({b})) = (0, {e}) {{ {inner} }}"),
            7 => format!("if true && let Some({b}) = {e} {{ {inner} }}"),
            _ => format!("while let Some({b} @ _) = {e} {{ {inner} break; }}"),
        }
    }

    /// A statement that reads `p` (flagged unless `p` is rebound).
    fn misuse(p: &str, k: usize) -> String {
        match k % 12 {
            0 => format!("drop({p});"),
            1 => format!("drop(r#{p});"),
            2 => format!("println!(\"{{{p}:?}}\");"),
            3 => format!("tracing::info!(target: \"t\", \"{{{p}:?}}\");"),
            4 => format!("tracing::info!(?{p});"),
            5 => format!("tracing::info!(%{p}, \"x\");"),
            6 => format!("log::log!(Level::Info, \"{{{p}:?}}\");"),
            7 => format!("macro_rules! m {{ () => {{ {p}.is_some() }}; }}"),
            8 => format!("let f = || {p}.is_some();"),
            9 => format!("match ({p}, account) {{ (x, Some(a)) => {{}} _ => {{}} }}"),
            10 => format!("if let x = {p} {{}}"),
            _ => format!("tracing::info!(x = ?{p});"),
        }
    }

    /// A statement that reads nothing tracked.
    fn harmless(b: &str, k: usize) -> String {
        match k % 5 {
            0 => format!("drop({b});"),
            1 => format!("tracing::info!(user = %{b}.len(), \"{{}}\", 1);"),
            2 => "format!(\"{user}\", user = 1);".to_owned(),
            3 => format!("let x = token.{b};"),
            _ => "let user_id = 1;".to_owned(),
        }
    }

    #[derive(Debug, Clone)]
    struct Shape {
        /// (param, binding is the param itself, guard form, scrutinee form) from outside in.
        guards: Vec<(usize, bool, usize, usize)>,
        /// (param, misuse form, misuse or harmless)
        leaf: (usize, usize, bool),
    }

    fn render(shape: &Shape) -> (String, usize) {
        let (lp, lk, bad) = shape.leaf;
        let p = PARAMS[lp];
        let mut code = if bad {
            misuse(p, lk)
        } else {
            harmless("u", lk)
        };
        for (i, (gp, same, gk, gs)) in shape.guards.iter().enumerate().rev() {
            let gp = PARAMS[*gp];
            let b = if *same {
                gp.to_owned()
            } else {
                format!("u{i}")
            };
            // the leaf's harmless form reads `u`
            code = format!("let u = 1; {}", guard(gp, &b, *gk, *gs, &code));
        }
        let shadowed = shape
            .guards
            .iter()
            .any(|(gp, same, _, _)| *same && PARAMS[*gp] == p);
        let expected = usize::from(bad && !shadowed);
        (format!("{{ {code} token }}"), expected)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn guards_and_misuses(
            guards in proptest::collection::vec((0..4usize, any::<bool>(), 0..9usize, 0..8usize), 0..4),
            leaf in (0..4usize, 0..12usize, any::<bool>()),
        ) {
            let shape = Shape { guards, leaf };
            let (code, expected) = render(&shape);
            let body: Block = syn::parse_str(&code).map_err(|e| TestCaseError::fail(format!("{e}: {code}")))?;
            let found = flagged(body);
            let want: Vec<&str> = std::iter::repeat_n(PARAMS[shape.leaf.0], expected).collect();
            let found: Vec<String> = found.iter().map(|f| f.trim_start_matches("r#").to_owned()).collect();
            prop_assert_eq!(found, want, "{}", code);
        }
    }
}

/// An arm's `if` guard is read with the arm's bindings: `user` there is a read unless the
/// arm's pattern bound the name (syn keeps the guard inside the pattern, as `Pat::Guard`).
#[test]
fn arm_guards_are_read() {
    let body: Block = parse_quote!({
        match account {
            Some(a) if user.is_some() => token.provider = a.provider,
            _ => {}
        }
        match user {
            Some(user) if user.id.is_empty() => {}
            Some(u) if u.id.is_empty() || profile.is_none() => {}
            _ => {}
        }
        token
    });
    assert_eq!(flagged(body), ["user", "profile"]);
}

/// A name bound inside a pattern's type or guard does not shadow the parameter after it.
#[test]
fn bindings_inside_a_pattern_s_type_or_guard_do_not_shadow() {
    let body: Block = parse_quote!({
        let _x: [u8; {
            let user = 0;
            user
        }] = [0; 0];
        drop(user);
        match account {
            Some(a)
                if {
                    let profile = 1;
                    profile > 0
                } =>
            {
                drop(profile)
            }
            _ => {}
        }
        token
    });
    assert_eq!(flagged(body), ["user", "profile"]);
}
