//! Small helpers with one home each: the clock, hex encoding, random UUIDs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch from the system clock (the `now` of
/// [`JwtCodec::encode`](crate::jwt::JwtCodec::encode)/[`JwtCodec::decode`](crate::jwt::JwtCodec::decode)
/// and of the adapters' timestamps outside tests). A clock before 1970 reads 0.
pub fn unix_now() -> i64 {
    unix_secs(SystemTime::now())
}

/// Seconds since the Unix epoch of `t` (0 before 1970, `i64::MAX` past its range).
pub(crate) fn unix_secs(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The instant `secs` seconds after the epoch (a negative value reads as the epoch).
pub(crate) fn from_unix_secs(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

/// A duration in seconds as the signed timestamps the adapters store (saturating).
pub(crate) fn secs_i64(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}

/// Auth.js's `toISOString()`: `2026-01-02T03:04:05.678Z`.
pub(crate) fn iso8601(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let millis = d.subsec_millis();
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let mut y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    if month <= 2 {
        y += 1;
    }
    // Written digit by digit: `format!` with padding cost thousands of instructions, and
    // every session read writes one of these (`expires`).
    let mut out = String::with_capacity(24);
    if (0..=9999).contains(&y) {
        push_digits(&mut out, y.unsigned_abs(), 4);
    } else {
        out.push_str(&format!("{y:04}"));
    }
    for (sep, value, width) in [
        ('-', month.unsigned_abs(), 2),
        ('-', day.unsigned_abs(), 2),
        ('T', h, 2),
        (':', m, 2),
        (':', s, 2),
        ('.', u64::from(millis), 3),
    ] {
        out.push(sep);
        push_digits(&mut out, value, width);
    }
    out.push('Z');
    out
}

/// Appends the last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u64, width: u32) {
    let mut div = 10u64.pow(width.saturating_sub(1));
    while div > 0 {
        out.push(char::from(b'0' + (value / div % 10) as u8));
        div /= 10;
    }
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Appends the two lowercase hex digits of `byte`.
fn push_hex(out: &mut String, byte: u8) {
    out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
    out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        push_hex(&mut out, b);
    }
    out
}

/// Reads hex digits (either case) into exactly `N` bytes; `None` otherwise.
pub(crate) fn from_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let hex = hex.as_bytes();
    if hex.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        *slot = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

/// A random (version 4, RFC 9562) UUID in its lowercase hyphenated form, from the OS's
/// CSPRNG (`random`): the `jti` of every token, and the id of a user stored without one
/// (Auth.js's `crypto.randomUUID()`).
pub(crate) fn uuid_v4() -> String {
    let mut b: [u8; 16] = crate::random::array();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut s = String::with_capacity(36);
    for (i, &byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        push_hex(&mut s, byte);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_700_000_000_123);
        assert_eq!(iso8601(t), "2023-11-14T22:13:20.123Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(iso8601(t), "2000-02-29T00:00:00.000Z");
        // The last instant of year 9999, and one past it (five digits, as `format!`).
        let t = UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
        assert_eq!(iso8601(t), "9999-12-31T23:59:59.999Z");
        let t = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(iso8601(t), "10000-01-01T00:00:00.000Z");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2048, failure_persistence: None, ..Default::default() })]

        /// The digit-by-digit writer gives what `format!` with padding gave.
        #[test]
        fn iso_dates_as_format_wrote_them(millis in 0u64..400_000_000_000_000) {
            let t = UNIX_EPOCH + Duration::from_millis(millis);
            let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
            let (secs, ms) = (d.as_secs(), d.subsec_millis());
            let days = i64::try_from(secs / 86_400).unwrap_or(0);
            let rem = secs % 86_400;
            let (h, m, s) = (rem / 3600, (rem % 3600) / 60, rem % 60);
            let z = days + 719_468;
            let era = z.div_euclid(146_097);
            let doe = z.rem_euclid(146_097);
            let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            let mut y = yoe + era * 400;
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            let mp = (5 * doy + 2) / 153;
            let day = doy - (153 * mp + 2) / 5 + 1;
            let month = if mp < 10 { mp + 3 } else { mp - 9 };
            if month <= 2 {
                y += 1;
            }
            let old = format!("{y:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{ms:03}Z");
            proptest::prop_assert_eq!(iso8601(t), old);
        }
    }

    #[test]
    fn clock_round_trips() {
        assert_eq!(unix_secs(UNIX_EPOCH), 0);
        assert_eq!(unix_secs(from_unix_secs(1_700_000_000)), 1_700_000_000);
        assert_eq!(from_unix_secs(-5), UNIX_EPOCH);
        assert_eq!(secs_i64(u64::MAX), i64::MAX);
        assert!(unix_now() > 1_700_000_000);
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0x00, 0x7f, 0xab, 0xff]), "007fabff");
        assert_eq!(from_hex::<4>("007fabff"), Some([0x00, 0x7f, 0xab, 0xff]));
        assert_eq!(from_hex::<4>("007FABFF"), Some([0x00, 0x7f, 0xab, 0xff]));
        assert_eq!(from_hex::<4>("007fab"), None);
        assert_eq!(from_hex::<4>("007fabfg"), None);
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_v4();
        assert_eq!(id.len(), 36);
        let parts: Vec<&str> = id.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert_ne!(id, uuid_v4());
    }
}
