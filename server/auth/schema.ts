/**
 * Schema migrations: MIGRATIONS[n] takes a database from user_version n to n + 1. Append
 * new steps; never edit a released one (databases in the field already ran it).
 *
 * Times are Unix milliseconds. Usernames and group names are unique case-insensitively
 * through a *_key column holding the NFKC case-folded name, because SQLite's NOCASE
 * folds ASCII only and names here may be in any script.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    username_key TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
  );
  CREATE INDEX group_members_user ON group_members(user_id);
  -- id is the sha256 of the cookie's token: a leaked database cannot be replayed as cookies.
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
  );
  CREATE INDEX sessions_user ON sessions(user_id);
  CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    rate_limit_per_min INTEGER
  );
  CREATE INDEX api_keys_user ON api_keys(user_id);
  -- subject_id points at users or groups depending on subject_type, so no foreign key:
  -- deleting a user or group deletes its grants in the same transaction instead.
  CREATE TABLE model_permissions (
    id INTEGER PRIMARY KEY,
    subject_type TEXT NOT NULL CHECK (subject_type IN ('user', 'group')),
    subject_id INTEGER NOT NULL,
    model_pattern TEXT NOT NULL,
    can_use INTEGER NOT NULL DEFAULT 0,
    can_download INTEGER NOT NULL DEFAULT 0,
    UNIQUE (subject_type, subject_id, model_pattern)
  );
  -- No foreign key on the actor: the record of what someone did outlives their account.
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor_username TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT,
    ip TEXT
  );
  `,
  // Widget keys (server/widget): a host page's key to chat with some models, from some
  // origins. origins and models are JSON arrays of canonical rules and model patterns.
  `
  CREATE TABLE widget_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL UNIQUE,
    origins TEXT NOT NULL,
    models TEXT NOT NULL,
    rate_limit_per_min INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  `,
  // Portal-wide settings an administrator makes in the web UI (server/auth/settings.ts),
  // one JSON value per key, e.g. the model source offered to browsers by default.
  `
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER
  );
  `,
  // The audit page filters by actor or by action while paging newest first (id DESC).
  `
  CREATE INDEX audit_log_actor ON audit_log(actor_user_id, id);
  CREATE INDEX audit_log_action ON audit_log(action, id);
  `,
  // A widget key may also require the visitor to be signed in to the portal.
  `
  ALTER TABLE widget_keys ADD COLUMN require_sign_in INTEGER NOT NULL DEFAULT 0;
  `,
  // A widget key may let visitors download its models to run them in their own tab.
  `
  ALTER TABLE widget_keys ADD COLUMN browser_engine INTEGER NOT NULL DEFAULT 0;
  `
];
