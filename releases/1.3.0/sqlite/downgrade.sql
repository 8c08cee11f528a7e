-- sqlrelease downgrade script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    sqlite (SQLite)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlite3 -bail DATABASE_FILE < sqlite/downgrade.sql
-- guard:      refuses to run unless alembic_version = 74c2b9e5f3d0
-- The whole file runs in one transaction; with -bail a failure ends the client and nothing is kept.
-- The file turns on .bail itself, because without it sqlite3 would go on after an error.

.bail on

BEGIN IMMEDIATE;

SELECT json_extract('{}', '$ ' || 'sqlrelease guard: downgrade.sql of release 1.3.0 expects alembic_version = 74c2b9e5f3d0, found none (no alembic_version table); nothing was changed') WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version');
SELECT json_extract('{}', '$ ' || 'sqlrelease guard: downgrade.sql of release 1.3.0 expects alembic_version = 74c2b9e5f3d0, found ' || coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), 'none') || '; nothing was changed') WHERE coalesce((SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY version_num)), '') <> '74c2b9e5f3d0';

-- downgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

-- 74c2b9e5f3d0 cannot be undone (downgrade() does nothing); the plan accepts that its changes stay.

UPDATE alembic_version SET version_num = 'e61a7c9d0b58' WHERE alembic_version.version_num = '74c2b9e5f3d0';
SELECT json_extract('{}', '$ ' || 'sqlrelease: downgrade.sql of release 1.3.0: moving alembic_version from 74c2b9e5f3d0 to e61a7c9d0b58: ' || changes() || ' rows matched instead of 1') WHERE changes() <> 1;

COMMIT;
