-- sqlrelease downgrade script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    postgresql (PostgreSQL)
-- range:      c4b8e1f3a906 -> e61a7c9d0b58
-- migrations (apply order):
--   9e07d3b5c8a1  add recruits.personal_email_address (nullable)
--   2d5f8a4c1b73  backfill recruits.personal_email_address
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/downgrade.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
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
        RAISE EXCEPTION '%', 'sqlrelease guard: downgrade.sql of release 1.2.0 expects alembic_version = e61a7c9d0b58, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

-- downgrade e61a7c9d0b58: require a unique recruits.personal_email_address
-- source: migrations/versions/0009_e61a7c9d0b58_require_unique_recruits_personal_email_address.py

ALTER TABLE recruits DROP CONSTRAINT uq_recruits_personal_email_address;

ALTER TABLE recruits ALTER COLUMN personal_email_address DROP NOT NULL;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = '2d5f8a4c1b73' WHERE alembic_version.version_num = 'e61a7c9d0b58';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from e61a7c9d0b58 to 2d5f8a4c1b73', changed;
    END IF;
END
$sqlrelease$;

-- downgrade 2d5f8a4c1b73: backfill recruits.personal_email_address
-- source: migrations/versions/0008_2d5f8a4c1b73_backfill_recruits_personal_email_address.py

UPDATE recruits SET personal_email_address=NULL WHERE recruits.personal_email_address = (lower(coalesce(recruits.github_name, recruits.id_number)) || '@recruits.invalid');

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = '9e07d3b5c8a1' WHERE alembic_version.version_num = '2d5f8a4c1b73';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 2d5f8a4c1b73 to 9e07d3b5c8a1', changed;
    END IF;
END
$sqlrelease$;

-- downgrade 9e07d3b5c8a1: add recruits.personal_email_address (nullable)
-- source: migrations/versions/0007_9e07d3b5c8a1_add_recruits_personal_email_address.py

ALTER TABLE recruits DROP COLUMN personal_email_address;

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '9e07d3b5c8a1';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: downgrade.sql of release 1.2.0: moving alembic_version from 9e07d3b5c8a1 to c4b8e1f3a906', changed;
    END IF;
END
$sqlrelease$;

COMMIT;
