-- auth-runtime schema, version 1 (PostgreSQL). Applied by the adapter on start, under an
-- advisory lock; never edit an applied migration (its checksum is recorded): add a new file.
CREATE TABLE auth_users (
    id             TEXT   NOT NULL PRIMARY KEY,
    name           TEXT,
    email          TEXT   UNIQUE,
    image          TEXT,
    email_verified BIGINT,
    created_at     BIGINT NOT NULL
);

CREATE TABLE auth_accounts (
    provider            TEXT NOT NULL,
    provider_account_id TEXT NOT NULL,
    user_id             TEXT NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    kind                TEXT NOT NULL,
    access_token        TEXT,
    refresh_token       TEXT,
    expires_at          BIGINT,
    scope               TEXT,
    token_type          TEXT,
    id_token            TEXT,
    PRIMARY KEY (provider, provider_account_id)
);
CREATE INDEX auth_accounts_user_id ON auth_accounts (user_id);

-- id_hash is SHA-256 of the 32-byte session id: the table never holds a usable id.
CREATE TABLE auth_sessions (
    id_hash    BYTEA  NOT NULL PRIMARY KEY CHECK (octet_length(id_hash) = 32),
    user_id    TEXT   NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    expires    BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX auth_sessions_user_id ON auth_sessions (user_id);
CREATE INDEX auth_sessions_expires ON auth_sessions (expires);

-- token_hash is SHA-256 of the token the caller passed.
CREATE TABLE auth_verification_tokens (
    identifier TEXT   NOT NULL,
    token_hash BYTEA  NOT NULL,
    expires    BIGINT NOT NULL,
    PRIMARY KEY (identifier, token_hash)
);
CREATE INDEX auth_verification_tokens_expires ON auth_verification_tokens (expires);
