use super::*;

/// RFC 6238 appendix B: the SHA-1 seed and the codes (8 digits) at its test times.
#[test]
fn rfc6238_sha1_test_vectors() {
    let settings = TotpSettings::new("RFC").with_digits(8).with_period(30);
    let secret = b"12345678901234567890";
    for (time, code) in [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ] {
        let step = step_at(&settings, time);
        assert_eq!(code_at_step(&settings, secret, step), code, "T = {time}");
        assert_eq!(matching_step(&settings, secret, code, time), Some(step));
    }
}

#[test]
fn codes_match_within_one_step_only() {
    let settings = TotpSettings::new("Site");
    let secret = b"0123456789abcdef0123";
    let now = 1_700_000_000;
    let step = step_at(&settings, now);
    for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
        let code = code_at_step(&settings, secret, step + offset);
        assert_eq!(
            matching_step(&settings, secret, &code, now).is_some(),
            accepted,
            "offset {offset}"
        );
    }
    assert_eq!(matching_step(&settings, secret, "12345", now), None);
    assert_eq!(matching_step(&settings, secret, "abcdef", now), None);
}

#[test]
fn sealed_secret_opens_for_its_user_only_and_across_rotation() {
    let old = TotpKeys::derive(&["a".repeat(32)]).unwrap_or_else(|e| panic!("{e}"));
    let secret = new_secret();
    let sealed = old.seal("user-1", &secret).unwrap_or_default();
    assert_eq!(old.open("user-1", &sealed), Some(secret.clone()));
    assert_eq!(old.open("user-2", &sealed), None);
    let rotated =
        TotpKeys::derive(&["b".repeat(32), "a".repeat(32)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rotated.open("user-1", &sealed), Some(secret));
    let other = TotpKeys::derive(&["c".repeat(32)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(other.open("user-1", &sealed), None);
}

#[test]
fn recovery_codes_are_distinct_normalised_and_hashed_per_user() {
    let keys = TotpKeys::derive(&["a".repeat(32)]).unwrap_or_else(|e| panic!("{e}"));
    let codes = new_recovery_codes();
    assert_eq!(codes.len(), RECOVERY_CODES);
    let unique: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    assert!(codes.iter().all(|c| is_recovery_code(c)));
    let code = &codes[0];
    let typed = format!(" {} ", code.to_uppercase().replace('-', " - "));
    assert_eq!(
        keys.recovery_hashes("u", code),
        keys.recovery_hashes("u", &typed)
    );
    assert_ne!(
        keys.recovery_hashes("u", code),
        keys.recovery_hashes("v", code)
    );
    assert!(!is_recovery_code("123456"));
}

#[test]
fn otpauth_url_and_qr_code() {
    let settings = TotpSettings::new("My Site");
    let url = otpauth_url(&settings, "ada@example.com", b"12345678901234567890");
    assert_eq!(
        url,
        "otpauth://totp/My%20Site:ada%40example%2Ecom?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=My%20Site&algorithm=SHA1&digits=6&period=30"
    );
    let svg = qr_svg(&url).unwrap_or_default();
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
    assert!(!svg.contains("<script"), "{svg}");
}

#[test]
fn settings_are_checked() {
    assert!(validate(&TotpSettings::new("Site")).is_ok());
    assert!(validate(&TotpSettings::new("Site").with_digits(5)).is_err());
    assert!(validate(&TotpSettings::new("Site").with_period(5)).is_err());
    assert!(validate(&TotpSettings::new("a:b")).is_err());
    assert!(validate(&TotpSettings::new(" ")).is_err());
}
