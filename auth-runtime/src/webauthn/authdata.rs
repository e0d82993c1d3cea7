//! The authenticator data (§6.1) and the attestation object (§6.5) as bytes.

use ciborium::Value;

use super::{CeremonyError, MAX_CREDENTIAL_ID_BYTES, PublicKey};

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_AT: u8 = 0x40;
const FLAG_ED: u8 = 0x80;

/// The largest CBOR item read (a `COSE_Key`, the extensions, an attestation object): the
/// flow reads at most 64 KiB of body anyway; this bounds what ciborium allocates.
const MAX_CBOR_BYTES: usize = 16 * 1024;

/// The authenticator data.
#[derive(Debug)]
pub(crate) struct AuthData {
    pub(crate) rp_id_hash: [u8; 32],
    pub(crate) flags: u8,
    pub(crate) counter: u32,
    /// The new credential (registration only: the `AT` flag).
    pub(crate) attested: Option<AttestedCredential>,
}

/// The attested credential data of a registration.
#[derive(Debug)]
pub(crate) struct AttestedCredential {
    pub(crate) credential_id: Vec<u8>,
    /// The `COSE_Key`, as its bytes.
    pub(crate) public_key: Vec<u8>,
}

/// Reads one CBOR item from the front of `input`, returning it and the bytes it took.
pub(crate) fn cbor_item(input: &[u8], what: &'static str) -> Result<(Value, usize), CeremonyError> {
    let limited = &input[..input.len().min(MAX_CBOR_BYTES)];
    let mut reader = limited;
    let value: Value =
        ciborium::de::from_reader(&mut reader).map_err(|_| CeremonyError::Malformed(what))?;
    Ok((value, limited.len() - reader.len()))
}

impl AuthData {
    /// Parses the authenticator data: 32 bytes of RP id hash, the flags, the counter, then
    /// the attested credential (`AT`) and the extensions (`ED`), and nothing after them.
    pub(crate) fn parse(bytes: &[u8]) -> Result<AuthData, CeremonyError> {
        let bad = || CeremonyError::Malformed("authenticator data");
        if bytes.len() < 37 {
            return Err(bad());
        }
        let mut rp_id_hash = [0u8; 32];
        rp_id_hash.copy_from_slice(&bytes[..32]);
        let flags = bytes[32];
        let counter = u32::from_be_bytes([bytes[33], bytes[34], bytes[35], bytes[36]]);
        let mut rest = &bytes[37..];
        let attested = if flags & FLAG_AT != 0 {
            if rest.len() < 18 {
                return Err(bad());
            }
            let id_len = usize::from(u16::from_be_bytes([rest[16], rest[17]]));
            rest = &rest[18..];
            if id_len == 0 || id_len > MAX_CREDENTIAL_ID_BYTES || rest.len() < id_len {
                return Err(bad());
            }
            let credential_id = rest[..id_len].to_vec();
            rest = &rest[id_len..];
            let (_, used) = cbor_item(rest, "credential public key")?;
            let public_key = rest[..used].to_vec();
            rest = &rest[used..];
            Some(AttestedCredential {
                credential_id,
                public_key,
            })
        } else {
            None
        };
        if flags & FLAG_ED != 0 {
            let (extensions, used) = cbor_item(rest, "extensions")?;
            if !matches!(extensions, Value::Map(_)) {
                return Err(bad());
            }
            rest = &rest[used..];
        }
        if !rest.is_empty() {
            return Err(bad());
        }
        Ok(AuthData {
            rp_id_hash,
            flags,
            counter,
            attested,
        })
    }

    pub(crate) fn user_present(&self) -> bool {
        self.flags & FLAG_UP != 0
    }

    pub(crate) fn user_verified(&self) -> bool {
        self.flags & FLAG_UV != 0
    }
}

/// The attestation object: `{fmt, attStmt, authData}`.
pub(crate) struct Attestation {
    pub(crate) fmt: String,
    pub(crate) statement: Vec<(Value, Value)>,
    pub(crate) auth_data: Vec<u8>,
}

impl Attestation {
    pub(crate) fn parse(bytes: &[u8]) -> Result<Attestation, CeremonyError> {
        let bad = || CeremonyError::Malformed("attestation object");
        let (value, used) = cbor_item(bytes, "attestation object")?;
        if used != bytes.len() {
            return Err(bad());
        }
        let Value::Map(entries) = value else {
            return Err(bad());
        };
        let (mut fmt, mut statement, mut auth_data) = (None, None, None);
        for (key, value) in entries {
            match (key.as_text(), value) {
                (Some("fmt"), Value::Text(t)) => fmt = Some(t),
                (Some("attStmt"), Value::Map(m)) => statement = Some(m),
                (Some("authData"), Value::Bytes(b)) => auth_data = Some(b),
                _ => return Err(bad()),
            }
        }
        match (fmt, statement, auth_data) {
            (Some(fmt), Some(statement), Some(auth_data)) => Ok(Attestation {
                fmt,
                statement,
                auth_data,
            }),
            _ => Err(bad()),
        }
    }

    /// A `packed` statement (§8.2): a self attestation is verified with the credential's
    /// key; one with a certificate chain (`x5c`) is not trusted (none was requested) and
    /// so not checked.
    pub(crate) fn check_packed(&self, key: &PublicKey, signed: &[u8]) -> Result<(), CeremonyError> {
        let field = |name: &str| {
            self.statement
                .iter()
                .find(|(k, _)| k.as_text() == Some(name))
                .map(|(_, v)| v)
        };
        if field("x5c").is_some() {
            return Ok(());
        }
        let alg = field("alg")
            .and_then(|v| v.as_integer())
            .and_then(|i| i64::try_from(i).ok());
        if alg != Some(key.alg()) {
            return Err(CeremonyError::Attestation(
                "packed self attestation of another algorithm",
            ));
        }
        let Some(Value::Bytes(sig)) = field("sig") else {
            return Err(CeremonyError::Attestation("packed without a signature"));
        };
        key.verify(signed, sig)
    }
}
