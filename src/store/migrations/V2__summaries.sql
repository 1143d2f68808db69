-- The list screens' summaries, one row per record: what index.json is on a data
-- folder, a cache that any desk may rewrite and that is never trusted over the records.
-- `entry` is the record's entry of that cache as JSON (its summary, the dated items of
-- a plan with their hashes, the problems met, and a stamp of the newest revision: its
-- number, size and the transaction that wrote its row, which an UPDATE changes). An
-- entry is used only while that stamp is the newest revision's and the record's head
-- records the hash of its summary; otherwise it is made again from the record. A row
-- is kept after its record is gone, so that the loss is reported at every listing.

CREATE TABLE summaries (
    kind text NOT NULL CHECK (kind IN ('patients', 'plans')),
    record text NOT NULL,
    newest integer NOT NULL CHECK (newest >= 0),
    format_version integer NOT NULL,
    agenda_version integer NOT NULL,
    entry bytea NOT NULL,
    PRIMARY KEY (kind, record)
);

-- The marker of a database that holds demo data (what demo-data.ron is on a data
-- folder): at most one row.
CREATE TABLE demo_marker (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    body bytea NOT NULL
);
