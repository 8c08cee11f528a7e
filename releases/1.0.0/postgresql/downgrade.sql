-- sqlrelease downgrade script
-- release:    1.0.0 (starts at base)
-- dialect:    postgresql (PostgreSQL)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/downgrade.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
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
        RAISE EXCEPTION '%', 'sqlrelease guard: downgrade.sql of release 1.0.0 expects alembic_version = 8d41e6a0c2f9, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

-- downgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

DROP TABLE department;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = '3f2a9c1e7b40' WHERE alembic_version.version_num = '8d41e6a0c2f9';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.0.0: moving alembic_version from 8d41e6a0c2f9 to 3f2a9c1e7b40', changed;
    END IF;
END
$sqlrelease$;

-- downgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

DROP TABLE employees;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    DELETE FROM alembic_version WHERE alembic_version.version_num = '3f2a9c1e7b40';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.0.0: removing 3f2a9c1e7b40 from alembic_version', changed;
    END IF;
END
$sqlrelease$;

DROP TABLE alembic_version;

COMMIT;
