-- sqlrelease stamp script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    sqlite (SQLite)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/stamp.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || 'sqlrelease guard: stamp.sql of release 1.1.0 expects alembic_version = 8d41e6a0c2f9, found none (no alembic_version table); nothing was changed') WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || 'sqlrelease guard: stamp.sql of release 1.1.0 expects alembic_version = 8d41e6a0c2f9, found ' || coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), 'none') || '; nothing was changed') WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> '8d41e6a0c2f9';

UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '8d41e6a0c2f9';
SELECT json_extract('{}', '$ ' || 'sqlrelease: stamp.sql of release 1.1.0: moving alembic_version from 8d41e6a0c2f9 to c4b8e1f3a906: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

COMMIT;
