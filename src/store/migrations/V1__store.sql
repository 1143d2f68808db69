-- The store on PostgreSQL: the same entries as the data folder's files, byte for byte.
-- A revision is written once: the key (kind, record, number) makes a second save of
-- the same number fail, which is how a save based on an older revision becomes a
-- conflict. Nothing here is ever updated by the app except a head, which only moves
-- forward; the hash chain inside the bodies is checked by the app (plans verify).

CREATE TABLE records (
    kind text NOT NULL CHECK (kind IN ('patients', 'plans')),
    record text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, record)
);

CREATE TABLE revisions (
    kind text NOT NULL,
    record text NOT NULL,
    number integer NOT NULL CHECK (number > 0),
    body bytea NOT NULL,
    PRIMARY KEY (kind, record, number),
    FOREIGN KEY (kind, record) REFERENCES records (kind, record)
);

CREATE TABLE heads (
    kind text NOT NULL,
    record text NOT NULL,
    number integer NOT NULL CHECK (number > 0),
    body bytea NOT NULL,
    PRIMARY KEY (kind, record),
    FOREIGN KEY (kind, record) REFERENCES records (kind, record)
);

CREATE TABLE generated (
    kind text NOT NULL,
    record text NOT NULL,
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    body bytea NOT NULL,
    PRIMARY KEY (kind, record, sha256),
    FOREIGN KEY (kind, record) REFERENCES records (kind, record)
);

CREATE TABLE clinic_ids (
    clinic_id text PRIMARY KEY,
    patient text NOT NULL
);

CREATE TABLE photos (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    body bytea NOT NULL
);
