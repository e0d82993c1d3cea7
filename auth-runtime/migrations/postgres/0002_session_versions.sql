-- auth-runtime schema, version 2 (PostgreSQL): revocable JWT sessions. Never edit once applied.
-- One row per user whose sessions were ever revoked; no row reads as version 0. No foreign
-- key: the version must outlive the user row (deleting it must not revive old tokens).
CREATE TABLE auth_session_versions (
    user_id TEXT   NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
