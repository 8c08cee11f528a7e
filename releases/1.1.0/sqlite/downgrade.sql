-- sqlrelease downgrade script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    sqlite (SQLite)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/downgrade.sql
-- guard:      refuses to run unless alembic_version = c4b8e1f3a906
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on
.timeout 10000

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || CASE WHEN NULL = '8d41e6a0c2f9' THEN 'sqlrelease: nothing to do: release 1.1.0 is rolled back already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN NULL IS NULL THEN 'no release (no alembic_version rows)'
        WHEN NULL = '1e9f4a7b6c35' THEN 'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN NULL = '5a6d2c8e0f47' THEN 'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN NULL = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN NULL = 'b7c03e5d9a12' THEN 'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN NULL = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        ELSE (NULL || ' (no release up to 1.1.0)') END || '; downgrade.sql of release 1.1.0 needs release 1.1.0 (c4b8e1f3a906); nothing was changed') END) WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'sqlrelease: nothing to do: release 1.1.0 is rolled back already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) IS NULL THEN 'no release (no alembic_version rows)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '1e9f4a7b6c35' THEN 'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '5a6d2c8e0f47' THEN 'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'b7c03e5d9a12' THEN 'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN (SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        ELSE ((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)) || ' (no release up to 1.1.0)') END || '; downgrade.sql of release 1.1.0 needs release 1.1.0 (c4b8e1f3a906); nothing was changed') END) WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> 'c4b8e1f3a906';

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

-- downgrade c4b8e1f3a906: create recruits
-- source: migrations/versions/0006_c4b8e1f3a906_create_recruits.py

DROP TABLE recruits;

UPDATE alembic_version SET version_num = '5a6d2c8e0f47' WHERE alembic_version.version_num = 'c4b8e1f3a906';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from c4b8e1f3a906 to 5a6d2c8e0f47: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade 5a6d2c8e0f47: add employees.department_id
-- source: migrations/versions/0005_5a6d2c8e0f47_add_employees_department_id.py

SELECT json_extract('{}', '$ ' || 'sqlrelease guard: migration 5a6d2c8e0f47 rebuilds table employees and would drop columns it does not know: ' || (SELECT group_concat(name, ', ') FROM (SELECT name FROM pragma_table_info('employees') WHERE lower(name) NOT IN ('id', 'full_name', 'email', 'created_at', 'department_id') ORDER BY cid)) || '; nothing was changed (downgrade.sql of release 1.1.0; to keep them, list them in the migration copy_from, or move them out first)') WHERE EXISTS (SELECT 1 FROM pragma_table_info('employees') WHERE lower(name) NOT IN ('id', 'full_name', 'email', 'created_at', 'department_id'));

CREATE TABLE _alembic_tmp_employees (
    id INTEGER NOT NULL, 
    full_name VARCHAR(100) NOT NULL, 
    email VARCHAR(255) NOT NULL, 
    created_at DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    PRIMARY KEY (id)
);

INSERT INTO _alembic_tmp_employees (id, full_name, email, created_at) SELECT employees.id, employees.full_name, employees.email, employees.created_at 
FROM employees;

DROP TABLE employees;

ALTER TABLE _alembic_tmp_employees RENAME TO employees;

UPDATE alembic_version SET version_num = '1e9f4a7b6c35' WHERE alembic_version.version_num = '5a6d2c8e0f47';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from 5a6d2c8e0f47 to 1e9f4a7b6c35: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade 1e9f4a7b6c35: rename departments.address to location
-- source: migrations/versions/0004_1e9f4a7b6c35_rename_departments_address_to_location.py

ALTER TABLE departments RENAME COLUMN location TO address;

UPDATE alembic_version SET version_num = 'b7c03e5d9a12' WHERE alembic_version.version_num = '1e9f4a7b6c35';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from 1e9f4a7b6c35 to b7c03e5d9a12: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

-- downgrade b7c03e5d9a12: rename department to departments
-- source: migrations/versions/0003_b7c03e5d9a12_rename_department_to_departments.py

ALTER TABLE departments RENAME TO department;

UPDATE alembic_version SET version_num = '8d41e6a0c2f9' WHERE alembic_version.version_num = 'b7c03e5d9a12';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from b7c03e5d9a12 to 8d41e6a0c2f9: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.1.0', 'downgrade', 'sqlite', 'c4b8e1f3a906', '8d41e6a0c2f9', '8b272c4921326cb731d7fad95e52c1370262a658a41a26c6a5d1e0c61397308e', '0.1.0', NULL, strftime('%Y-%m-%d %H:%M:%f', 'now'), @sqlrelease_run_id);

COMMIT;

SELECT 'sqlrelease: downgrade.sql of release 1.1.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)';
