-- sqlrelease baseline script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    sqlite (SQLite)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/baseline.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       This file marks a server whose schema is at this release already (made by db.create_all(), a restore, a copy) as being at it: it refuses unless the version table is empty or absent, and changes nothing else.
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on
.timeout 10000

BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '74c2b9e5f3d0' THEN 'sqlrelease: nothing to do: release 1.3.0 is recorded already: this server is at release 1.3.0 (74c2b9e5f3d0)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '74c2b9e5f3d0' THEN 'release 1.3.0 (74c2b9e5f3d0)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.3.0)') END || '; baseline.sql of release 1.3.0 needs an empty database (no alembic_version rows); nothing was changed') END) WHERE (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NOT NULL;

CREATE TABLE IF NOT EXISTS sqlrelease_receipts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    release_name VARCHAR(100) NOT NULL,
    script VARCHAR(100) NOT NULL,
    dialect VARCHAR(20) NOT NULL,
    from_revisions VARCHAR(1000) NOT NULL,
    to_revisions VARCHAR(1000) NOT NULL,
    source_digest VARCHAR(64) NOT NULL,
    sqlrelease_version VARCHAR(40) NOT NULL,
    applied_by VARCHAR(200),
    applied_at TIMESTAMP NOT NULL,
    run_id VARCHAR(100)
);

INSERT INTO alembic_version (version_num) VALUES ('74c2b9e5f3d0');

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.3.0', 'baseline', 'sqlite', '', '74c2b9e5f3d0', '53e48f19f191440c40ccb8e077a767dc686906d7eea6ec7203ab6c84b0a4dbcb', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: baseline.sql of release 1.3.0 done: this server is at release 1.3.0 (74c2b9e5f3d0)';
