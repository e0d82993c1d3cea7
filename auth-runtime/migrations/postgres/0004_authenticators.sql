-- Passkeys (WebAuthn authenticators), Auth.js's `Authenticator`: one row per credential,
-- keyed by its id (base64url), with the credential public key as the authenticator encoded
-- it (COSE_Key), the signature counter last seen (only moves forward), the transports the
-- browser reported (comma-separated), a name for the user's list and when it was added.
CREATE TABLE auth_authenticators (
    credential_id TEXT   NOT NULL PRIMARY KEY,
    user_id       TEXT   NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    public_key    BYTEA  NOT NULL,
    counter       BIGINT NOT NULL,
    transports    TEXT   NOT NULL,
    name          TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX auth_authenticators_user_id ON auth_authenticators (user_id);
