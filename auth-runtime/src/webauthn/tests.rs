//! The W3C's published test vectors (Web Authentication Level 3, §16 "Test Vectors"; RP ID
//! `example.org`, origin `https://example.org`), each registration and authentication, and
//! the refusals derived from them; plus property tests of the parsers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;

use super::*;

/// One registration and authentication pair, as hex.
struct Vector {
    reg_challenge: &'static str,
    credential_id: &'static str,
    reg_client_data: &'static str,
    attestation_object: &'static str,
    auth_challenge: &'static str,
    authenticator_data: &'static str,
    auth_client_data: &'static str,
    signature: &'static str,
}

/// §16.2 "ES256 Credential with No Attestation".
const ES256_NONE: Vector = Vector {
    reg_challenge: "00c30fb78531c464d2b6771dab8d7b603c01162f2fa486bea70f283ae556e130",
    credential_id: "f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4",
    reg_client_data: "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a22414d4d507434557878475453746e63647134313759447742466938767049612d7077386f4f755657345441222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a20426b5165446a646354427258426941774a544c453551227d",
    attestation_object: "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b559000000008446ccb9ab1db374750b2367ff6f3a1f0020f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220",
    auth_challenge: "39c0e7521417ba54d43e8dc95174f423dee9bf3cd804ff6d65c857c9abf4d408",
    authenticator_data: "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b51900000000",
    auth_client_data: "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a224f63446e55685158756c5455506f334a5558543049393770767a7a59425039745a63685879617630314167222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73657d",
    signature: "3046022100f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd380221008480ac0f0b93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87",
};

/// §16.3 "ES256 Credential with Self Attestation".
const ES256_SELF: Vector = Vector {
    reg_challenge: "7869c2b772d4b58eba9378cf8f29e26cf935aa77df0da89fa99c0bdc0a76f7e5",
    credential_id: "455ef34e2043a87db3d4afeb39bbcb6cc32df9347c789a865ecdca129cbef58c",
    reg_client_data: "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a2265476e4374334c55745936366b336a506a796e6962506b31716e666644616966715a774c33417032392d55222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a205539685458764b453255526b4d6e625f307859485667227d",
    attestation_object: "a363666d74667061636b65646761747453746d74a263616c672663736967584630440220067a20754ab925005dbf378097c92120031581c73228d1fb4f5b881bcd7da98302207fc7b147558c7c0eba3af18bd9d121fa3d3a26d17fe3f220272178f473b6006d68617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b55d00000000df850e09db6afbdfab51697791506cfc0020455ef34e2043a87db3d4afeb39bbcb6cc32df9347c789a865ecdca129cbef58ca5010203262001215820eb151c8176b225cc651559fecf07af450fd85802046656b34c18f6cf193843c5225820927b8aa427a2be1b8834d233a2d34f61f13bfd44119c325d5896e183fee484f2",
    auth_challenge: "4478a10b1352348dd160c1353b0d469b5db19eb91c27f7dfa6fed39fe26af20b",
    authenticator_data: "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b50900000000",
    auth_client_data: "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a225248696843784e534e493352594d45314f7731476d3132786e726b634a5f6666707637546e2d4a71386773222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a206754623533727a36456853576f6d58477a696d433151227d",
    signature: "304402203310b9431903c401f1be2bdc8d23a4007682dbbddcf846994947b7f465daf84002204e94dd00047b316061b3b99772b7efd95994a83ef584b3b6b825ea3550251b66",
};

/// §16.4 "ES256 Credential with \"crossOrigin\": true in clientDataJSON".
const ES256_CROSS_ORIGIN: Vector = Vector {
    reg_challenge: "3be5aacd03537142472340ab5969f240f1d87716e20b6807ac230655fa4b3b49",
    credential_id: "6e1050c0d2ca2f07c755cb2c66a74c64fa43065c18f938354d9915db2bd5ce57",
    reg_client_data: "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a224f2d57717a514e5463554a484930437257576e7951504859647862694332674872434d475666704c4f306b222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a747275652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a207a5a7175457444523944577170573574425754467567227d",
    attestation_object: "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b54500000000883f4f6014f19c09d87aa38123be48d000206e1050c0d2ca2f07c755cb2c66a74c64fa43065c18f938354d9915db2bd5ce57a501020326200121582022200a473f90b11078851550d03b4e44a2279f8c4eca27b3153dedfe03e4e97d225820cbd0be95e746ad6f5a8191be11756e4c0420e72f65b466d39bc56b8b123a9c6e",
    auth_challenge: "876aa517ba83fdee65fcffdbca4c84eeae5d54f8041a1fc85c991e5bbb273137",
    authenticator_data: "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b50500000000",
    auth_client_data: "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a226832716c463771445f65356c5f505f62796b7945377135645650674547685f49584a6b655737736e4d5463222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a747275652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a2039327063545644304162792d713464746d6a36656667227d",
    signature: "3046022100eb12fcf23b12764c0f122e22371fab92e283879fd798f38ee1841c951b6e40e7022100c76237ff9db77b3c56f30837cda6a09acfa2e915544e609c0733b1184036d1cf",
};

/// "Packed Attestation with Ed25519 Credential".
const EDDSA_PACKED: Vector = Vector {
    reg_challenge: "a8abf9dabdc6b0df63466b39bda9e8a34a34e185337a59f1c579990676d3b3bd",
    credential_id: "ce9f840ed96599580cd140fbc7bb3230633f50f61041aff73308ae71caa8a2bd",
    reg_client_data: "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a22714b763532723347734e396a526d733576616e6f6f306f303459557a656c6e7878586d5a426e6254733730222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a20425f44543567375a445f2d394f544c59583549764551227d",
    attestation_object: "a363666d74667061636b65646761747453746d74a363616c67266373696758483046022100d83f60bd80269537583218858aefb03ac57d45fa06e42feaae332d187f62da9f022100a02bd3cb6f7e1d283c93bad1f3f4b5a4c0494463da7fdbf256949116754d1f17637835638159022730820223308201c8a003020102021100b2cfc9ea33c8643b0e1a760463eaf164300a06082a8648ce3d0403023062311e301c06035504030c15576562417574686e207465737420766563746f7273310c300a060355040a0c0357334331253023060355040b0c1c41757468656e74696361746f72204174746573746174696f6e204341310b30090603550406130241413020170d3234303130313030303030305a180f33303234303130313030303030305a305f311e301c06035504030c15576562417574686e207465737420766563746f7273310c300a060355040a0c0357334331223020060355040b0c1941757468656e74696361746f72204174746573746174696f6e310b30090603550406130241413059301306072a8648ce3d020106082a8648ce3d03010703420004dd2b7a564b73b8c0b81c4c62e521925c4d1198ec9f583dbf1eebe364b65cd9c29a9bdf346aaa81fb6b9507e5249a52fdaf8e39e26b0b7dc45992a7e233b70f70a360305e300c0603551d130101ff04023000300e0603551d0f0101ff040403020780301d0603551d0e041604140ae27546bc7eccb1b4b597bd354f0c0b1f1f8f8e301f0603551d2304183016801445aff715b0dd786741fee996ebc16547a3931b1e300a06082a8648ce3d0403020349003046022100a0d434ecb5fc3bfd7da5f41904517ad2836249f561bd834ba7a438a8ab7a4ce8022100fac845bb7a02513b58e9f319654dbe49b0f02b95835bac568c71f8a18cdde9ab6861757468446174615881bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b54100000000d5aa33581e8ca478e20fe713f5d32ff20020ce9f840ed96599580cd140fbc7bb3230633f50f61041aff73308ae71caa8a2bda401010327200621582044e06ddd331c36a8dc667bab52bcae63486c916aa5e339e6acebaa84934bf832",
    auth_challenge: "895957e01c633a698348a2d8a31a54b7db27e8c1c43b2080d79ae2190267bfd2",
    authenticator_data: "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b50100000000",
    auth_client_data: "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a2269566c583442786a4f6d6d44534b4c596f7870557439736e364d48454f7943413135726947514a6e763949222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73657d",
    signature: "f5c59c7e46c34f6f8cc197101ddf9934fa2595f68eb1913a637e8419eb9ba4cfdfc48f85393bc0d40b011f0d6fecb097d6607525713223a0dc0d453993dae00b",
};
fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const ORIGIN: &str = "https://example.org";
const RP_ID: &str = "example.org";

fn expected(challenge: &[u8]) -> Expected<'_> {
    Expected {
        challenge,
        origin: ORIGIN,
        rp_id: RP_ID,
    }
}

fn register(v: &Vector) -> Result<NewCredential, CeremonyError> {
    let challenge = hex(v.reg_challenge);
    verify_registration(
        &hex(v.reg_client_data),
        &hex(v.attestation_object),
        &expected(&challenge),
    )
}

fn authenticate(
    v: &Vector,
    key: &[u8],
    stored: u32,
    expected: &Expected<'_>,
) -> Result<Asserted, CeremonyError> {
    verify_authentication(
        &hex(v.auth_client_data),
        &hex(v.authenticator_data),
        &hex(v.signature),
        key,
        stored,
        expected,
    )
}

#[test]
fn the_w3c_vectors_register_and_authenticate() {
    for (name, v) in [
        ("none ES256", &ES256_NONE),
        ("packed self ES256", &ES256_SELF),
        ("packed EdDSA", &EDDSA_PACKED),
    ] {
        let credential = register(v).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(credential.credential_id, hex(v.credential_id), "{name}");
        let challenge = hex(v.auth_challenge);
        let asserted = authenticate(v, &credential.public_key, 0, &expected(&challenge))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            asserted.counter,
            u32::from_be_bytes(hex(v.authenticator_data)[33..37].try_into().unwrap()),
            "{name}"
        );
    }
}

#[test]
fn a_vector_is_refused_for_another_challenge_origin_or_rp_id() {
    let v = &ES256_NONE;
    let key = register(v).unwrap().public_key;
    let challenge = hex(v.auth_challenge);
    let other = [7u8; 32];
    assert_eq!(
        authenticate(v, &key, 0, &expected(&other)),
        Err(CeremonyError::Challenge)
    );
    let foreign = Expected {
        origin: "https://example.com",
        ..expected(&challenge)
    };
    assert_eq!(
        authenticate(v, &key, 0, &foreign),
        Err(CeremonyError::Origin(ORIGIN.to_owned()))
    );
    let wrong_rp = Expected {
        rp_id: "example.com",
        ..expected(&challenge)
    };
    assert_eq!(
        authenticate(v, &key, 0, &wrong_rp),
        Err(CeremonyError::RpId)
    );
    // The registration's client data is not an assertion's.
    let reg_challenge = hex(v.reg_challenge);
    assert_eq!(
        verify_authentication(
            &hex(v.reg_client_data),
            &hex(v.authenticator_data),
            &hex(v.signature),
            &key,
            0,
            &expected(&reg_challenge),
        ),
        Err(CeremonyError::Type("webauthn.get"))
    );
}

#[test]
fn a_counter_that_does_not_grow_is_refused() {
    let v = &ES256_SELF;
    let key = register(v).unwrap().public_key;
    let challenge = hex(v.auth_challenge);
    let received = u32::from_be_bytes(hex(v.authenticator_data)[33..37].try_into().unwrap());
    if received == 0 {
        // A counter-less authenticator: a stored counter above zero is refused.
        assert!(matches!(
            authenticate(v, &key, 5, &expected(&challenge)),
            Err(CeremonyError::Counter { .. })
        ));
    } else {
        assert!(authenticate(v, &key, received - 1, &expected(&challenge)).is_ok());
        assert_eq!(
            authenticate(v, &key, received, &expected(&challenge)),
            Err(CeremonyError::Counter {
                stored: received,
                received
            })
        );
    }
}

#[test]
fn a_cross_origin_ceremony_is_refused() {
    let v = &ES256_CROSS_ORIGIN;
    assert_eq!(register(v), Err(CeremonyError::CrossOrigin));
}

#[test]
fn a_tampered_signature_or_data_is_refused() {
    let v = &ES256_NONE;
    let key = register(v).unwrap().public_key;
    let challenge = hex(v.auth_challenge);
    let mut data = hex(v.authenticator_data);
    data[32] |= 0x04; // claim user verification
    assert_eq!(
        verify_authentication(
            &hex(v.auth_client_data),
            &data,
            &hex(v.signature),
            &key,
            0,
            &expected(&challenge),
        ),
        Err(CeremonyError::Signature)
    );
    let mut sig = hex(v.signature);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    assert_eq!(
        verify_authentication(
            &hex(v.auth_client_data),
            &hex(v.authenticator_data),
            &sig,
            &key,
            0,
            &expected(&challenge),
        ),
        Err(CeremonyError::Signature)
    );
    // Another credential's key.
    let other = register(&ES256_SELF).unwrap().public_key;
    assert_eq!(
        authenticate(v, &other, 0, &expected(&challenge)),
        Err(CeremonyError::Signature)
    );
}

proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]
    /// The parsers never panic, whatever the bytes.
    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = AuthData::parse(&bytes);
        let _ = authdata::Attestation::parse(&bytes);
        let _ = PublicKey::from_cose(&bytes);
        let _ = verify_authentication(&bytes, &bytes, &bytes, &bytes, 0, &expected(&[]));
    }

    /// A valid vector's authenticator data with any byte changed either parses to other
    /// values or is refused, and a truncated one is refused.
    #[test]
    fn truncated_attested_data_is_refused(cut in 1usize..100) {
        let attestation = authdata::Attestation::parse(&hex(ES256_NONE.attestation_object)).unwrap();
        let data = &attestation.auth_data;
        let cut = cut.min(data.len() - 1);
        prop_assert!(AuthData::parse(&data[..data.len() - cut]).is_err());
    }
}
