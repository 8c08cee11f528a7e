-- sqlrelease downgrade script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    postgresql (PostgreSQL)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/downgrade.sql
-- guard:      refuses to run unless alembic_version = 74c2b9e5f3d0
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
    IF found IS DISTINCT FROM '74c2b9e5f3d0' THEN
        RAISE EXCEPTION '%', 'sqlrelease guard: downgrade.sql of release 1.3.0 expects alembic_version = 74c2b9e5f3d0, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

-- downgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

-- 74c2b9e5f3d0 cannot be undone (downgrade() does nothing); the plan accepts that its changes stay.

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = 'e61a7c9d0b58' WHERE alembic_version.version_num = '74c2b9e5f3d0';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.3.0: moving alembic_version from 74c2b9e5f3d0 to e61a7c9d0b58', changed;
    END IF;
END
$sqlrelease$;

COMMIT;
