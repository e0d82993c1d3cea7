//! The address of an e-mail sign-in: Auth.js's normalization (NFKC, trimmed, lowercase),
//! then validation as one plain mailbox, so a second recipient or header text never
//! reaches the SMTP envelope.

use lettre::address::Address;
use unicode_normalization::UnicodeNormalization;

/// The longest address accepted (RFC 5321's path limit less the brackets).
const MAX_ADDRESS_LEN: usize = 254;

/// Why an address is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// Empty (or only whitespace).
    #[error("the address is empty")]
    Empty,
    /// Longer than 254 characters (or a part over its limit).
    #[error("the address is too long")]
    TooLong,
    /// Not exactly one `@`, or an empty local part or domain.
    #[error("the address is not of the form `name@domain`")]
    Shape,
    /// A character that has no place in a single plain address: a control character
    /// (CR, LF, ..), whitespace, `,`, `;`, quotes, brackets, parentheses, `\`, `:`.
    #[error("the address contains a character that is not allowed")]
    Character,
    /// The domain is not a host name (empty label, leading or trailing `-` or `.`).
    #[error("the domain is not a host name")]
    Domain,
}

/// Normalizes an e-mail address as Auth.js does (NFKC, trimmed, lowercase) and validates
/// it as one plain `local@domain` mailbox: no second recipient (`,`, `;`), no header
/// syntax (quotes, `<>`, comments), no whitespace or control characters (CR/LF), one `@`,
/// a host name for domain. The result is what is stored, compared and mailed.
pub fn normalize_address(raw: &str) -> Result<String, AddressError> {
    // A control character anywhere, even one `trim` would drop (a trailing CR/LF), refuses
    // the address: such input is never typed into an address field.
    if raw.chars().any(char::is_control) {
        return Err(AddressError::Character);
    }
    let normalized: String = raw.nfkc().collect::<String>().trim().to_lowercase();
    if normalized.is_empty() {
        return Err(AddressError::Empty);
    }
    if normalized.chars().count() > MAX_ADDRESS_LEN {
        return Err(AddressError::TooLong);
    }
    if normalized.chars().any(|c| {
        c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                ',' | ';' | '"' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | ':' | '\u{feff}'
            )
            // Unicode format characters (bidi controls, zero-width joiners).
            || ('\u{200b}'..='\u{200f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2060}'..='\u{2064}').contains(&c)
    }) {
        return Err(AddressError::Character);
    }
    let mut parts = normalized.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AddressError::Shape);
    };
    if local.is_empty() || domain.is_empty() {
        return Err(AddressError::Shape);
    }
    if local.len() > 64 {
        return Err(AddressError::TooLong);
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok) {
        return Err(AddressError::Domain);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(AddressError::Shape);
    }
    // RFC 5322's `atext` and dots, letters and digits of any script (RFC 6531): no symbol,
    // format character or invisible joiner.
    if !local
        .chars()
        .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
    {
        return Err(AddressError::Character);
    }
    // What lettre will put in the envelope must parse as one address.
    if normalized.parse::<Address>().is_err() {
        return Err(AddressError::Shape);
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn addresses_are_normalized_like_authjs() {
        assert_eq!(
            normalize_address("  Alice@Example.COM ").as_deref(),
            Ok("alice@example.com")
        );
        // NFKC: the fullwidth letters and the ligature become plain ones.
        assert_eq!(
            normalize_address("ｂｏｂ@example.com").as_deref(),
            Ok("bob@example.com")
        );
        assert_eq!(
            normalize_address("ﬁ@example.com").as_deref(),
            Ok("fi@example.com")
        );
        assert_eq!(
            normalize_address("a+tag@sub.example.org").as_deref(),
            Ok("a+tag@sub.example.org")
        );
    }

    #[test]
    fn a_second_recipient_or_header_text_is_refused() {
        for bad in [
            "a@b.com,evil.com",
            "a@b.com, c@d.com",
            "a@b.com;c@d.com",
            "a@b.com\r\nBcc: evil@x.com",
            "a@b.com\nX: y",
            "a@b.com\r",
            "\"a b\"@c.com",
            "A <a@b.com>",
            "a@b.com (comment)",
            "a@[127.0.0.1]",
            "a@b@c.com",
            "@b.com",
            "a@",
            "a",
            "",
            "   ",
            "a@-b.com",
            "a@b..com",
            ".a@b.com",
            "a\u{0}@b.com",
            "a@b.com\u{202e}",
            "a\u{2066}b@c.com",
            "a\u{ad}b@c.com",
            "a\u{200d}b@c.com",
        ] {
            assert!(normalize_address(bad).is_err(), "{bad:?} was accepted");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever comes in, an accepted address is one plain mailbox: no CR/LF or other
        /// control character, no whitespace, no second recipient (`,` `;`), no header
        /// syntax, exactly one `@`; normalizing it again changes nothing; lettre parses it.
        #[test]
        fn a_validated_address_is_one_plain_mailbox(raw in any::<String>()) {
            if let Ok(a) = normalize_address(&raw) {
                prop_assert!(!a.chars().any(|c| c.is_control() || c.is_whitespace()));
                prop_assert!(!a.contains([',', ';', '"', '<', '>', '(', ')', '\\', ':', '\r', '\n']));
                prop_assert_eq!(a.matches('@').count(), 1);
                prop_assert_eq!(normalize_address(&a), Ok(a.clone()));
                prop_assert!(a.parse::<Address>().is_ok());
            }
        }

        /// Addresses built from plausible pieces, with injected separators, never pass with
        /// the separator in them.
        #[test]
        fn injected_separators_never_pass(
            local in "[a-zA-Z0-9._+-]{1,12}",
            domain in "[a-z0-9]{1,8}\\.[a-z]{2,4}",
            sep in prop::sample::select(vec![",", ";", "\r\n", "\n", "\r", " ", "\t", ">", "\u{0}"]),
            tail in "[a-zA-Z0-9@.:]{0,12}",
        ) {
            let raw = format!("{local}@{domain}{sep}{tail}");
            if let Ok(a) = normalize_address(&raw) {
                // Only a separator that trims away at the end may pass (whitespace).
                prop_assert!(tail.is_empty());
                prop_assert!(!a.contains(sep.trim()) || sep.trim().is_empty());
            }
        }
    }
}
