-- sqlrelease baseline script
-- release:    1.0.0 (starts at base)
-- dialect:    sqlite (SQLite)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
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
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'sqlrelease: nothing to do: release 1.0.0 is recorded already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.0.0)') END || '; baseline.sql of release 1.0.0 needs an empty database (no alembic_version rows); nothing was changed') END) WHERE (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NOT NULL;

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

INSERT INTO alembic_version (version_num) VALUES ('8d41e6a0c2f9');

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.0.0', 'baseline', 'sqlite', '', '8d41e6a0c2f9', '757a7687182f33e70eeb40baa4722db395c5bff014a7258c1478c77f2d20865e', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: baseline.sql of release 1.0.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)';
