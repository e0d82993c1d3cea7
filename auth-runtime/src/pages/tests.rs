use super::*;

fn providers() -> Vec<PageProvider> {
    vec![
        PageProvider {
            id: "github".into(),
            name: "GitHub".into(),
            kind: "oauth",
            action: "http://localhost:3000/api/auth/signin/github".into(),
            fields: vec![],
        },
        PageProvider {
            id: "credentials".into(),
            name: "Credentials".into(),
            kind: "credentials",
            action: "http://localhost:3000/api/auth/callback/credentials".into(),
            fields: vec![
                CredentialField::new("username", "Username", "text"),
                CredentialField::new("password", "Password", "password"),
            ],
        },
    ]
}

fn page<'a>(providers: &'a [PageProvider], error: Option<&'a str>) -> SignInPage<'a> {
    SignInPage {
        providers,
        csrf_token: "abc123",
        callback_url: "/dashboard",
        error,
        message: None,
    }
}

/// Every `<tag` in the output is one of the tags the pages write themselves.
fn assert_only_own_tags(html: &str) {
    const OWN: &[&str] = &[
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "main", "h1", "div", "p",
        "form", "input", "label", "button", "span", "a",
    ];
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let tag: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!')
            .collect();
        assert!(
            OWN.contains(&tag.as_str()),
            "unexpected tag <{tag}> in:\n{html}"
        );
    }
}

#[test]
fn escape_covers_html_metacharacters() {
    assert_eq!(
        escape(r#"<a href="x" onclick='y'>&</a>"#),
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
    );
    assert_eq!(escape("plain"), "plain");
    assert_eq!(escape("é<"), "é&lt;");
}

#[test]
fn sign_in_lists_a_button_per_oauth_provider_and_a_form_per_credentials_provider() {
    let providers = providers();
    let html = sign_in(&page(&providers, None));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<h1 id=\"title\">Sign in</h1>"));
    assert!(html.contains(
        "<form class=\"provider\" action=\"http://localhost:3000/api/auth/signin/github\" method=\"POST\">"
    ));
    assert!(html.contains("Sign in with GitHub</button>"));
    assert!(html.contains("action=\"http://localhost:3000/api/auth/callback/credentials\""));
    assert_eq!(
        html.matches("<input type=\"hidden\" name=\"csrfToken\" value=\"abc123\">")
            .count(),
        2
    );
    assert_eq!(
        html.matches("<input type=\"hidden\" name=\"callbackUrl\" value=\"/dashboard\">")
            .count(),
        2
    );
    // Each field has a label bound to it.
    assert!(
        html.contains("<label for=\"input-username-for-credentials-provider\">Username</label>")
    );
    assert!(html.contains(
        "<input id=\"input-password-for-credentials-provider\" name=\"password\" type=\"password\" autocomplete=\"current-password\">"
    ));
    assert!(html.contains("autocomplete=\"username\" autofocus"));
    assert!(html.contains("role=\"separator\""));
    assert!(!html.contains("role=\"alert\""));
    assert!(!html.contains("<script"));
    assert_only_own_tags(&html);
}

#[test]
fn sign_in_shows_the_authjs_message_for_each_error() {
    let providers = providers();
    for (code, text) in [
        (
            "CredentialsSignin",
            "Sign in failed. Check the details you provided are correct.",
        ),
        ("OAuthSignin", "Try signing in with a different account."),
        (
            "OAuthAccountNotLinked",
            "To confirm your identity, sign in with the same account you used originally.",
        ),
        ("SessionRequired", "Please sign in to access this page."),
        ("EmailSignin", "The e-mail could not be sent."),
        ("SomethingElse", "Unable to sign in."),
    ] {
        let html = sign_in(&page(&providers, Some(code)));
        assert!(
            html.contains(&format!(
                "<div class=\"alert\" role=\"alert\"><p>{text}</p></div>"
            )),
            "{code}: {html}"
        );
    }
    // An unknown (attacker-chosen) code is never echoed.
    let html = sign_in(&page(&providers, Some("<script>alert(1)</script>")));
    assert!(!html.contains("alert(1)"));
    assert!(html.contains("Unable to sign in."));
}

#[test]
fn sign_in_escapes_names_ids_fields_tokens_and_callback_urls() {
    let evil = "\"><script>alert(1)</script>";
    let providers = vec![
        PageProvider {
            id: evil.into(),
            name: evil.into(),
            kind: "oidc",
            action: format!("/api/auth/signin/{evil}"),
            fields: vec![],
        },
        PageProvider {
            id: evil.into(),
            name: evil.into(),
            kind: "credentials",
            action: format!("/api/auth/callback/{evil}"),
            fields: vec![CredentialField::new(evil, evil, evil).with_placeholder(evil)],
        },
    ];
    let html = sign_in(&SignInPage {
        providers: &providers,
        csrf_token: evil,
        callback_url: "javascript:alert(1)//\"><script>x</script>",
        error: Some("CredentialsSignin"),
        message: Some("<script>alert(2)</script> & more"),
    });
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains(
        "<p id=\"credentials-error-message\">&lt;script&gt;alert(2)&lt;/script&gt; &amp; more</p>"
    ));
    assert!(html.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_only_own_tags(&html);
}

#[test]
fn sign_in_without_callback_url_has_no_empty_hidden_field() {
    let providers = providers();
    let html = sign_in(&SignInPage {
        callback_url: "",
        ..page(&providers, None)
    });
    assert!(!html.contains("name=\"callbackUrl\""));
}

#[test]
fn sign_in_without_providers_says_so() {
    let html = sign_in(&page(&[], None));
    assert!(html.contains("No sign-in method is configured."));
    assert!(!html.contains("<form"));
}

#[test]
fn sign_out_is_a_csrf_protected_form() {
    let html = sign_out("http://localhost:3000/api/auth/signout", "tok", "/after");
    assert!(html.contains("<h1 id=\"title\">Sign out</h1>"));
    assert!(html.contains("Are you sure you want to sign out?"));
    assert!(
        html.contains("<form action=\"http://localhost:3000/api/auth/signout\" method=\"POST\">")
    );
    assert!(html.contains("<input type=\"hidden\" name=\"csrfToken\" value=\"tok\">"));
    assert!(html.contains("<input type=\"hidden\" name=\"callbackUrl\" value=\"/after\">"));
    assert!(html.contains("<a href=\"/after\">Cancel</a>"));
    assert_only_own_tags(&html);
}

#[test]
fn sign_out_escapes_and_never_links_to_unsafe_urls() {
    let html = sign_out("/signout\"><script>", "<script>", "javascript:alert(1)");
    assert!(!html.contains("<script"));
    assert!(!html.contains("href=\"javascript"));
    for url in [
        "//evil.example",
        "/\\evil.example",
        "JavaScript:alert(1)",
        "/a\nb",
        " data:text/html,x",
    ] {
        let html = sign_out("/signout", "t", url);
        assert!(!html.contains("Cancel</a>"), "{url:?} became a link");
    }
    for url in [
        "/",
        "/dashboard?x=1",
        "https://app.example/after",
        "http://127.0.0.1:3000/",
    ] {
        assert!(
            sign_out("/signout", "t", url).contains("Cancel</a>"),
            "{url:?}"
        );
    }
}

#[test]
fn error_pages_match_authjs_headings_statuses_and_texts() {
    let cases = [
        (
            "Configuration",
            500,
            "Server error",
            "There is a problem with the server configuration.",
            false,
        ),
        (
            "AccessDenied",
            403,
            "Access Denied",
            "You do not have permission to sign in.",
            true,
        ),
        (
            "Verification",
            403,
            "Unable to sign in",
            "The sign in link is no longer valid.",
            true,
        ),
        (
            "Anything",
            200,
            "Error",
            "Something went wrong while signing in.",
            true,
        ),
    ];
    for (code, status, heading, text, link) in cases {
        let html = error(code, "/api/auth/signin");
        assert_eq!(error_status(code).as_u16(), status, "{code}");
        assert!(
            html.contains(&format!("<h1 id=\"title\">{heading}</h1>")),
            "{code}"
        );
        assert!(
            html.contains(&format!("<title>{heading}</title>")),
            "{code}"
        );
        assert!(html.contains(text), "{code}");
        assert!(html.contains("role=\"alert\""), "{code}");
        assert_eq!(html.contains("href=\"/api/auth/signin\""), link, "{code}");
        assert_only_own_tags(&html);
    }
}

#[test]
fn error_page_escapes_code_and_url() {
    let html = error("<script>alert(1)</script>", "/signin\"><script>");
    assert!(!html.contains("<script"));
    assert!(!html.contains("alert(1)"));
    assert_only_own_tags(&html);
}

#[test]
fn forbidden_page_links_home_safely() {
    let html = forbidden("/");
    assert!(html.contains("You do not have permission to view this page."));
    assert!(html.contains("href=\"/\""));
    assert!(forbidden("javascript:alert(1)").contains("href=\"/\""));
}

#[test]
fn pages_support_dark_mode_and_focus_styles_without_javascript() {
    for html in [
        sign_in(&page(&providers(), Some("CredentialsSignin"))),
        sign_out("/s", "t", "/"),
        error("AccessDenied", "/s"),
    ] {
        assert!(html.contains("@media (prefers-color-scheme:dark)"));
        assert!(html.contains(":focus-visible"));
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(!html.contains("<script"));
    }
}

#[test]
fn declared_fields_show_their_placeholder_and_required() {
    let providers = vec![PageProvider {
        id: "otp".into(),
        name: "One-time code".into(),
        kind: "credentials",
        action: "/api/auth/callback/otp".into(),
        fields: vec![
            CredentialField::new("email", "E-mail", "email")
                .with_placeholder("you@example.com")
                .with_required(true),
            CredentialField::new("code", "Code", "text"),
        ],
    }];
    let html = sign_in(&page(&providers, None));
    assert!(html.contains(
        "<input id=\"input-email-for-otp-provider\" name=\"email\" type=\"email\" placeholder=\"you@example.com\" required autocomplete=\"email\" autofocus>"
    ), "{html}");
    assert!(
        html.contains("<input id=\"input-code-for-otp-provider\" name=\"code\" type=\"text\">"),
        "{html}"
    );
}
