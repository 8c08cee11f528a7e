-- sqlrelease stamp script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    postgresql (PostgreSQL)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/stamp.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
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
    IF found IS DISTINCT FROM 'e61a7c9d0b58' THEN
        RAISE EXCEPTION '%', 'sqlrelease guard: stamp.sql of release 1.3.0 expects alembic_version = e61a7c9d0b58, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = '74c2b9e5f3d0' WHERE alembic_version.version_num = 'e61a7c9d0b58';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: stamp.sql of release 1.3.0: moving alembic_version from e61a7c9d0b58 to 74c2b9e5f3d0', changed;
    END IF;
END
$sqlrelease$;

COMMIT;
