//! Compact JWE with `alg: dir`: `A256CBC-HS512` (encode and decode) and `A256GCM` (decode),
//! as `@auth/core` writes and reads them.

use aes::Aes256;
use aes::cipher::block_padding::Pkcs7;
use aes::cipher::consts::U16;
use aes::cipher::{BlockCipher, BlockDecryptMut, BlockEncryptMut, InnerIvInit, KeyInit};
use aes_gcm::{AeadInPlace, Aes256Gcm};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha512;
use subtle::ConstantTimeEq as _;

use super::{JwtError, Opened, Secrets, keys};

/// `enc` values accepted on decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Enc {
    A256CbcHs512,
    A256Gcm,
}

/// The keys derived from one secret.
struct JweKey {
    /// Thumbprint of the 64-byte key (SHA-512), the `kid` of `A256CBC-HS512` tokens.
    kid_cbc: String,
    /// Thumbprint of the 32-byte key (SHA-256), the `kid` of `A256GCM` tokens.
    kid_gcm: String,
    /// HMAC-SHA-512 keyed with the first 32 bytes (inner/outer pads precomputed).
    mac: Hmac<Sha512>,
    /// AES-256 keyed with the last 32 bytes (key schedule precomputed).
    aes: Aes256,
    /// AES-256-GCM keyed with the 32-byte key.
    gcm: Aes256Gcm,
}

impl JweKey {
    fn new(secret: &str, salt: &str) -> Result<Self, JwtError> {
        let key = keys::derive_encryption_key(secret, salt)?;
        let (mac_key, enc_key) = key.split_at(32);
        Ok(JweKey {
            kid_cbc: keys::oct_thumbprint(&key),
            kid_gcm: keys::oct_thumbprint(mac_key),
            mac: <Hmac<Sha512> as KeyInit>::new_from_slice(mac_key)
                .map_err(|_| JwtError::Encoding)?,
            aes: Aes256::new_from_slice(enc_key).map_err(|_| JwtError::Encoding)?,
            gcm: Aes256Gcm::new_from_slice(mac_key).map_err(|_| JwtError::Encoding)?,
        })
    }

    fn kid(&self, enc: Enc) -> &str {
        match enc {
            Enc::A256CbcHs512 => &self.kid_cbc,
            Enc::A256Gcm => &self.kid_gcm,
        }
    }
}

/// The keys of every secret for one salt, and the encoded header of the first.
pub(crate) struct JweKeys {
    salt: String,
    /// base64url of `{"alg":"dir","enc":"A256CBC-HS512","kid":"<first kid>"}`, also the AAD.
    header_b64: String,
    /// The first key's MAC with `header_b64` (the AAD of every token we write) already
    /// absorbed: one SHA-512 block less per encode and per decode of our own tokens.
    header_mac: Hmac<Sha512>,
    keys: Vec<JweKey>,
}

impl JweKeys {
    pub(crate) fn new(secrets: &Secrets, salt: &str) -> Result<Self, JwtError> {
        let keys = secrets
            .iter()
            .map(|s| JweKey::new(s, salt))
            .collect::<Result<Vec<_>, _>>()?;
        let first = keys.first().ok_or(JwtError::MissingSecret)?;
        let header = format!(
            r#"{{"alg":"dir","enc":"A256CBC-HS512","kid":"{}"}}"#,
            first.kid_cbc
        );
        let header_b64 = URL_SAFE_NO_PAD.encode(header);
        let mut header_mac = first.mac.clone();
        header_mac.update(header_b64.as_bytes());
        Ok(JweKeys {
            salt: salt.to_owned(),
            header_b64,
            header_mac,
            keys,
        })
    }

    pub(crate) fn salt(&self) -> &str {
        &self.salt
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn encode(&self, claims: &Map<String, Value>) -> Result<String, JwtError> {
        let payload = serde_json::to_vec(claims).map_err(|_| JwtError::Encoding)?;
        self.encode_payload(&payload)
    }

    /// Encrypts a JSON payload under the first key.
    pub(crate) fn encode_payload(&self, payload: &[u8]) -> Result<String, JwtError> {
        let key = self.keys.first().ok_or(JwtError::MissingSecret)?;
        let iv: [u8; 16] = crate::random::array();
        let (ciphertext, tag) = seal_after_aad(
            key.aes.clone(),
            self.header_mac.clone(),
            32,
            &iv,
            self.header_b64.len(),
            payload,
        )?;
        let mut out = String::with_capacity(
            self.header_b64.len() + 4 + 22 + ciphertext.len() * 4 / 3 + 4 + 43,
        );
        out.push_str(&self.header_b64);
        out.push_str("..");
        URL_SAFE_NO_PAD.encode_string(iv, &mut out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&ciphertext, &mut out);
        out.push('.');
        URL_SAFE_NO_PAD.encode_string(&tag, &mut out);
        Ok(out)
    }

    /// Decrypts a token (its tag checked) without parsing the plaintext.
    pub(crate) fn open(&self, token: &str) -> Result<Opened, JwtError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header_b64, encrypted_key, iv, ciphertext, tag] = parts[..] else {
            return Err(JwtError::SegmentCount {
                found: parts.len(),
                expected: 5,
            });
        };
        let ours = header_b64 == self.header_b64;
        let (header, enc, key) = if ours {
            // The header we write (the common case): its parse is known, skip it.
            (
                Map::new(),
                Enc::A256CbcHs512,
                self.keys.first().ok_or(JwtError::MissingSecret)?,
            )
        } else {
            self.read_header(header_b64)?
        };
        if !encrypted_key.is_empty() {
            return Err(JwtError::UnexpectedEncryptedKey);
        }
        let iv = b64(iv, "initialization vector")?;
        let ciphertext = b64(ciphertext, "ciphertext")?;
        let tag = b64(tag, "authentication tag")?;
        let aad = header_b64.as_bytes();
        let plaintext = match enc {
            Enc::A256CbcHs512 => {
                let iv: [u8; 16] = iv.as_slice().try_into().map_err(|_| JwtError::InvalidIv)?;
                let mac = if ours {
                    self.header_mac.clone()
                } else {
                    let mut mac = key.mac.clone();
                    mac.update(aad);
                    mac
                };
                open_after_aad(key.aes.clone(), mac, 32, &iv, aad.len(), &ciphertext, &tag)?
            }
            Enc::A256Gcm => gcm_open(&key.gcm, &iv, aad, ciphertext, &tag)?,
        };
        Ok(Opened::new(plaintext, header, ours))
    }
}

impl JweKeys {
    /// Parses and checks a protected header; picks the key as `@auth/core` does.
    fn read_header(
        &self,
        header_b64: &str,
    ) -> Result<(Map<String, Value>, Enc, &JweKey), JwtError> {
        let header = parse_header(header_b64)?;
        if header.contains_key("crit") {
            return Err(JwtError::Critical);
        }
        if header.contains_key("zip") {
            return Err(JwtError::Compressed);
        }
        if header.get("alg").and_then(Value::as_str) != Some("dir") {
            return Err(JwtError::UnsupportedAlg);
        }
        let enc = match header.get("enc").and_then(Value::as_str) {
            Some("A256CBC-HS512") => Enc::A256CbcHs512,
            Some("A256GCM") => Enc::A256Gcm,
            _ => return Err(JwtError::UnsupportedEnc),
        };
        // @auth/core: no `kid` -> the first secret; a `kid` -> the secret with that
        // thumbprint, or "no matching decryption secret".
        let key = match header.get("kid") {
            None => self.keys.first(),
            Some(Value::String(kid)) => self.keys.iter().find(|k| k.kid(enc) == kid),
            Some(_) => None,
        }
        .ok_or(JwtError::UnknownKid)?;
        Ok((header, enc, key))
    }
}

fn b64(segment: &str, name: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Base64 { segment: name })
}

/// The protected header as a JSON object (shared with the JWS decoder).
pub(crate) fn parse_header(header_b64: &str) -> Result<Map<String, Value>, JwtError> {
    let bytes = b64(header_b64, "protected header")?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(JwtError::Header),
    }
}

/// AL of RFC 7518 5.2.2.1: the AAD length in bits, 64-bit big-endian.
fn aad_bits(aad_len: usize) -> [u8; 8] {
    (aad_len as u64).wrapping_mul(8).to_be_bytes()
}

#[cfg(test)]
/// `AES_CBC_HMAC_SHA2` encryption (RFC 7518 5.2.2.1) for any AES key size and HMAC hash:
/// PKCS#7-padded CBC under `cipher`, then `tag = MAC(A || IV || E || AL)` truncated to
/// `tag_len` bytes. Callers pass the cipher keyed with ENC_KEY and the MAC keyed with
/// MAC_KEY.
pub(crate) fn cbc_hmac_seal<C, M>(
    cipher: C,
    mut mac: M,
    tag_len: usize,
    iv: &[u8; 16],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), JwtError>
where
    C: BlockEncryptMut + BlockCipher<BlockSize = U16>,
    M: Mac,
{
    mac.update(aad);
    seal_after_aad(cipher, mac, tag_len, iv, aad.len(), plaintext)
}

/// [`cbc_hmac_seal`] with a MAC that has already absorbed the `aad_len` bytes of AAD.
fn seal_after_aad<C, M>(
    cipher: C,
    mut mac: M,
    tag_len: usize,
    iv: &[u8; 16],
    aad_len: usize,
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), JwtError>
where
    C: BlockEncryptMut + BlockCipher<BlockSize = U16>,
    M: Mac,
{
    // PKCS#7 always adds 1..=16 bytes.
    let mut buf = vec![0u8; plaintext.len() + 16 - plaintext.len() % 16];
    buf[..plaintext.len()].copy_from_slice(plaintext);
    let len = cbc::Encryptor::<C>::inner_iv_init(cipher, iv.into())
        .encrypt_padded_mut::<Pkcs7>(&mut buf, plaintext.len())
        .map_err(|_| JwtError::Encoding)?
        .len();
    buf.truncate(len);
    mac.update(iv);
    mac.update(&buf);
    mac.update(&aad_bits(aad_len));
    let full = mac.finalize().into_bytes();
    let tag = full.get(..tag_len).ok_or(JwtError::Encoding)?.to_vec();
    Ok((buf, tag))
}

#[cfg(test)]
/// `AES_CBC_HMAC_SHA2` decryption (RFC 7518 5.2.2.2): the tag is checked first, in
/// constant time, and only then is the ciphertext decrypted and unpadded.
pub(crate) fn cbc_hmac_open<C, M>(
    cipher: C,
    mut mac: M,
    tag_len: usize,
    iv: &[u8; 16],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, JwtError>
where
    C: BlockDecryptMut + BlockCipher<BlockSize = U16>,
    M: Mac,
{
    mac.update(aad);
    open_after_aad(cipher, mac, tag_len, iv, aad.len(), ciphertext, tag)
}

/// [`cbc_hmac_open`] with a MAC that has already absorbed the `aad_len` bytes of AAD.
fn open_after_aad<C, M>(
    cipher: C,
    mut mac: M,
    tag_len: usize,
    iv: &[u8; 16],
    aad_len: usize,
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Vec<u8>, JwtError>
where
    C: BlockDecryptMut + BlockCipher<BlockSize = U16>,
    M: Mac,
{
    if tag.len() != tag_len {
        return Err(JwtError::InvalidTagLength);
    }
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&aad_bits(aad_len));
    let full = mac.finalize().into_bytes();
    let expected = full.get(..tag_len).ok_or(JwtError::Encoding)?;
    if !bool::from(expected.ct_eq(tag)) {
        return Err(JwtError::BadTag);
    }
    let mut buf = ciphertext.to_vec();
    let len = cbc::Decryptor::<C>::inner_iv_init(cipher, iv.into())
        .decrypt_padded_mut::<Pkcs7>(&mut buf)
        .map_err(|_| JwtError::Padding)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

/// `A256GCM` decryption with a 96-bit IV and a 128-bit tag.
fn gcm_open(
    gcm: &Aes256Gcm,
    iv: &[u8],
    aad: &[u8],
    mut ciphertext: Vec<u8>,
    tag: &[u8],
) -> Result<Vec<u8>, JwtError> {
    let iv: [u8; 12] = iv.try_into().map_err(|_| JwtError::InvalidIv)?;
    let tag: [u8; 16] = tag.try_into().map_err(|_| JwtError::InvalidTagLength)?;
    gcm.decrypt_in_place_detached((&iv).into(), aad, &mut ciphertext, (&tag).into())
        .map_err(|_| JwtError::BadTag)?;
    Ok(ciphertext)
}

#[cfg(test)]
impl JweKeys {
    /// Test helper: a `A256CBC-HS512` JWE with an arbitrary header and plaintext under the
    /// first key (what only a key holder can produce).
    pub(crate) fn seal_raw(&self, header_json: &str, plaintext: &[u8]) -> String {
        let key = &self.keys[0];
        let header_b64 = URL_SAFE_NO_PAD.encode(header_json);
        let iv = [7u8; 16];
        let (ct, tag) = cbc_hmac_seal(
            key.aes.clone(),
            key.mac.clone(),
            32,
            &iv,
            header_b64.as_bytes(),
            plaintext,
        )
        .unwrap_or_default();
        format!(
            "{header_b64}..{}.{}.{}",
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(ct),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Test helper: a JWE whose tag is valid but whose CBC padding is not.
    pub(crate) fn seal_bad_padding(&self) -> String {
        use aes::cipher::block_padding::NoPadding;
        let key = &self.keys[0];
        let header_b64 = self.header_b64.clone();
        let iv = [9u8; 16];
        let mut block = [0u8; 16];
        let _ = cbc::Encryptor::<Aes256>::inner_iv_init(key.aes.clone(), (&iv).into())
            .encrypt_padded_mut::<NoPadding>(&mut block, 16);
        let mut mac = key.mac.clone();
        mac.update(header_b64.as_bytes());
        mac.update(&iv);
        mac.update(&block);
        mac.update(&aad_bits(header_b64.len()));
        let tag = mac.finalize().into_bytes();
        format!(
            "{header_b64}..{}.{}.{}",
            URL_SAFE_NO_PAD.encode(iv),
            URL_SAFE_NO_PAD.encode(block),
            URL_SAFE_NO_PAD.encode(&tag[..32])
        )
    }
}
