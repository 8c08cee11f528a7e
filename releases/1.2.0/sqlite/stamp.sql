-- sqlrelease stamp script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    sqlite (SQLite)
-- range:      c4b8e1f3a906 -> e61a7c9d0b58
-- migrations (apply order):
--   9e07d3b5c8a1  add recruits.personal_email_address (nullable)
--   2d5f8a4c1b73  backfill recruits.personal_email_address
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/stamp.sql
-- guard:      refuses to run unless alembic_version = c4b8e1f3a906
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on
.timeout 10000

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || CASE WHEN NULL = 'e61a7c9d0b58' THEN 'sqlrelease: nothing to do: release 1.2.0 is stamped already: this server is at release 1.2.0 (e61a7c9d0b58)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN NULL IS NULL THEN 'no release (no alembic_version rows)'
        WHEN NULL = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN NULL = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN NULL = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN NULL = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN NULL = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE (NULL || ' (no release up to 1.2.0)') END || '; stamp.sql of release 1.2.0 needs release 1.1.0 (c4b8e1f3a906); nothing was changed') END) WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'e61a7c9d0b58' THEN 'sqlrelease: nothing to do: release 1.2.0 is stamped already: this server is at release 1.2.0 (e61a7c9d0b58)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.2.0)') END || '; stamp.sql of release 1.2.0 needs release 1.1.0 (c4b8e1f3a906); nothing was changed') END) WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> 'c4b8e1f3a906';

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

UPDATE alembic_version SET version_num = 'e61a7c9d0b58' WHERE alembic_version.version_num = 'c4b8e1f3a906';
SELECT json_extract('{}', '$ ' || 'sqlrelease: stamp.sql of release 1.2.0: moving alembic_version from c4b8e1f3a906 to e61a7c9d0b58: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

DROP TABLE IF EXISTS sqlrelease_unstamped;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.2.0', 'stamp', 'sqlite', 'c4b8e1f3a906', 'e61a7c9d0b58', 'bd7f48d733472ef7ee24e30ea0f6eb9e895225b76665ceb68966393e89c06a49', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: stamp.sql of release 1.2.0 done: this server is at release 1.2.0 (e61a7c9d0b58)';
