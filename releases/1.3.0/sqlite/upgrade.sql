-- sqlrelease upgrade script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    sqlite (SQLite)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/upgrade.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || 'sqlrelease guard: upgrade.sql of release 1.3.0 expects alembic_version = e61a7c9d0b58, found none (no alembic_version table); nothing was changed') WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || 'sqlrelease guard: upgrade.sql of release 1.3.0 expects alembic_version = e61a7c9d0b58, found ' || coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), 'none') || '; nothing was changed') WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> 'e61a7c9d0b58';

-- upgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

UPDATE employees SET email=lower(employees.email);

UPDATE alembic_version SET version_num = '74c2b9e5f3d0' WHERE alembic_version.version_num = 'e61a7c9d0b58';
SELECT json_extract('{}', '$ ' || 'sqlrelease: upgrade.sql of release 1.3.0: moving alembic_version from e61a7c9d0b58 to 74c2b9e5f3d0: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

COMMIT;
