-- Sign-in rate limits shared by every server on this database: one row per key (a hex
-- SHA-256 of the limit's kind and the address or identifier) holding the GCRA's
-- theoretical arrival time in milliseconds since the epoch, and whether the last attempt
-- was allowed. A row whose tat is in the past reads as absent and may be swept.
CREATE TABLE auth_rate_limits (
    key TEXT NOT NULL PRIMARY KEY,
    tat BIGINT NOT NULL,
    allowed BIGINT NOT NULL
);
CREATE INDEX auth_rate_limits_tat ON auth_rate_limits (tat);
