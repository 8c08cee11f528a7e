-- sqlrelease downgrade script
-- release:    1.0.0 (starts at base)
-- dialect:    sqlite (SQLite)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/downgrade.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on
.timeout 10000

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || CASE WHEN NULL IS NULL THEN 'sqlrelease: nothing to do: release 1.0.0 is rolled back already: this server is at no release (no alembic_version rows)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN NULL IS NULL THEN 'no release (no alembic_version rows)'
        WHEN NULL = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN NULL = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE (NULL || ' (no release up to 1.0.0)') END || '; downgrade.sql of release 1.0.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END) WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'sqlrelease: nothing to do: release 1.0.0 is rolled back already: this server is at no release (no alembic_version rows)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.0.0)') END || '; downgrade.sql of release 1.0.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END) WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> '8d41e6a0c2f9';

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

-- downgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

DROP TABLE department;

UPDATE alembic_version SET version_num = '3f2a9c1e7b40' WHERE alembic_version.version_num = '8d41e6a0c2f9';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.0.0: moving alembic_version from 8d41e6a0c2f9 to 3f2a9c1e7b40: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

DROP TABLE employees;

DELETE FROM alembic_version WHERE alembic_version.version_num = '3f2a9c1e7b40';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.0.0: removing 3f2a9c1e7b40 from alembic_version: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

DROP TABLE alembic_version;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.0.0', 'downgrade', 'sqlite', '8d41e6a0c2f9', '', '757a7687182f33e70eeb40baa4722db395c5bff014a7258c1478c77f2d20865e', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: downgrade.sql of release 1.0.0 done: this server is at no release (no alembic_version rows)';
