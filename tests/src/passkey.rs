//! A software passkey authenticator (ES256, `none` attestation) for the passkey tests: it
//! answers the flow's options with the JSON of `PublicKeyCredential.toJSON()`, as a browser
//! would, and each of its knobs makes one of the mistakes (or attacks) the relying party
//! must refuse: another origin, another relying party id, a counter set back.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value as Cbor;
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// A passkey on a software authenticator.
pub struct SoftPasskey {
    key: SigningKey,
    /// The credential id.
    pub credential_id: Vec<u8>,
    /// The next signature counter (`0` for a counter-less authenticator: it stays `0`).
    pub counter: u32,
    /// The origin it puts in the client data (a browser's: the page's).
    pub origin: String,
    /// The relying party id it hashes into the authenticator data (from the options unless
    /// set).
    pub rp_id: Option<String>,
    /// The user handle the registration gave it.
    pub user_handle: Option<String>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(value, &mut out).expect("CBOR encodes");
    out
}

impl SoftPasskey {
    /// A passkey whose key and credential id derive from `seed`, for pages of `origin`,
    /// counting from 1.
    pub fn new(seed: &str, origin: &str) -> SoftPasskey {
        let secret = Sha256::digest(format!("soft passkey {seed}").as_bytes());
        SoftPasskey {
            key: SigningKey::from_slice(&secret).expect("a P-256 scalar"),
            credential_id: Sha256::digest(format!("credential {seed}").as_bytes()).to_vec(),
            counter: 1,
            origin: origin.to_owned(),
            rp_id: None,
            user_handle: None,
        }
    }

    /// The credential id, base64url.
    pub fn id(&self) -> String {
        b64(&self.credential_id)
    }

    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let int = |i: i64| Cbor::Integer(i.into());
        cbor(&Cbor::Map(vec![
            (int(1), int(2)),
            (int(3), int(-7)),
            (int(-1), int(1)),
            (int(-2), Cbor::Bytes(point.x().expect("x").to_vec())),
            (int(-3), Cbor::Bytes(point.y().expect("y").to_vec())),
        ]))
    }

    fn auth_data(&self, rp_id: &str, flags: u8, attested: bool) -> Vec<u8> {
        let rp_id = self.rp_id.as_deref().unwrap_or(rp_id);
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        if attested {
            data.extend_from_slice(&[0u8; 16]);
            let len = u16::try_from(self.credential_id.len()).expect("short id");
            data.extend_from_slice(&len.to_be_bytes());
            data.extend_from_slice(&self.credential_id);
            data.extend_from_slice(&self.cose_key());
        }
        data
    }

    fn client_data(&self, kind: &str, challenge: &str) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "type": kind,
            "challenge": challenge,
            "origin": self.origin,
            "crossOrigin": false,
        }))
        .expect("JSON")
    }

    /// `navigator.credentials.create` on the options of `webauthn-options?action=register`
    /// (`{"options": ..}` or the options themselves): the credential's JSON; the counter then
    /// moves on (unless it is `0`).
    pub fn register(&mut self, options: &Value) -> Value {
        let options = options.get("options").unwrap_or(options);
        let challenge = options["challenge"].as_str().expect("a challenge");
        let rp_id = options["rp"]["id"].as_str().expect("an rp id");
        self.user_handle = options["user"]["id"].as_str().map(str::to_owned);
        let client_data = self.client_data("webauthn.create", challenge);
        // UP, UV, AT
        let auth_data = self.auth_data(rp_id, 0x45, true);
        let attestation = cbor(&Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(Vec::new())),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]));
        if self.counter != 0 {
            self.counter += 1;
        }
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(&client_data),
                "attestationObject": b64(&attestation),
                "transports": ["internal"],
            },
        })
    }

    /// `navigator.credentials.get` on the options of `webauthn-options?action=authenticate`:
    /// the credential's JSON; the counter then moves on (unless it is `0`).
    pub fn assert(&mut self, options: &Value) -> Value {
        let options = options.get("options").unwrap_or(options);
        let challenge = options["challenge"].as_str().expect("a challenge");
        let rp_id = options["rpId"].as_str().expect("an rp id");
        let client_data = self.client_data("webauthn.get", challenge);
        // UP, UV
        let auth_data = self.auth_data(rp_id, 0x05, false);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        if self.counter != 0 {
            self.counter += 1;
        }
        json!({
            "id": self.id(),
            "rawId": self.id(),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": self.user_handle,
            },
        })
    }
}
