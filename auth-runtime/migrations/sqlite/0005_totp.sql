-- The second factor (TOTP): one enrolment per user, its shared secret encrypted by the
-- runtime (AES-256-GCM under a key derived from the auth secret; opaque here), and the
-- last time step a code was accepted for, so a code is refused a second time within its
-- window. Recovery codes are stored hashed (HMAC-SHA-256 under a key derived from the
-- auth secret), one row each, deleted when used. A second factor on a database session
-- is recorded in its row (`amr`, space-separated RFC 8176 method names).
CREATE TABLE auth_totp (
    user_id    TEXT   NOT NULL PRIMARY KEY REFERENCES auth_users (id) ON DELETE CASCADE,
    secret     TEXT   NOT NULL,
    last_step  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE auth_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    PRIMARY KEY (user_id, code_hash)
);
ALTER TABLE auth_sessions ADD COLUMN amr TEXT;
