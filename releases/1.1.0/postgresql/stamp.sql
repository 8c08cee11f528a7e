-- sqlrelease stamp script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    postgresql (PostgreSQL)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/stamp.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
-- The whole file runs in one transaction: a failure anywhere leaves the database as it was.
-- The file sets ON_ERROR_STOP itself; keep `-v ON_ERROR_STOP=1` so the exit code is non-zero on failure.

\set ON_ERROR_STOP on

BEGIN;

DO $sqlrelease$
DECLARE
    found text;
BEGIN
    IF to_regclass('alembic_version') IS NOT NULL THEN
        EXECUTE 'SELECT string_agg(version_num, '','' ORDER BY version_num COLLATE "C") FROM alembic_version' INTO found;
    END IF;
    IF found IS DISTINCT FROM '8d41e6a0c2f9' THEN
        RAISE EXCEPTION '%', 'sqlrelease guard: stamp.sql of release 1.1.0 expects alembic_version = 8d41e6a0c2f9, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '8d41e6a0c2f9';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: stamp.sql of release 1.1.0: moving alembic_version from 8d41e6a0c2f9 to c4b8e1f3a906', changed;
    END IF;
END
$sqlrelease$;

COMMIT;
