-- sqlrelease stamp script
-- release:    1.0.0 (starts at base)
-- dialect:    sqlite (SQLite)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/stamp.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on

BEGIN IMMEDIATE;

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
SELECT json_extract('{}', '$ ' || 'sqlrelease guard: stamp.sql of release 1.0.0 expects alembic_version = none, found ' || (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || '; nothing was changed') WHERE (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NOT NULL;

INSERT INTO alembic_version (version_num) VALUES ('8d41e6a0c2f9');

COMMIT;
