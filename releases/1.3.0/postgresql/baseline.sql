-- sqlrelease baseline script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    postgresql (PostgreSQL)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/baseline.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       This file marks a server whose schema is at this release already (made by db.create_all(), a restore, a copy) as being at it: it refuses unless the version table is empty or absent, and changes nothing else.
-- The whole file runs in one transaction: a failure anywhere leaves the database as it was.
-- The file sets ON_ERROR_STOP itself; keep `-v ON_ERROR_STOP=1` so the exit code is non-zero on failure.

\set ON_ERROR_STOP on

BEGIN;

DO $sqlrelease$
DECLARE
    holder text;
BEGIN
    FOR attempt IN 0..100 LOOP
        IF pg_try_advisory_xact_lock(1936813170, 1) THEN
            RETURN;
        END IF;
        IF attempt < 100 THEN
            PERFORM pg_sleep(0.1);
        END IF;
    END LOOP;
    SELECT format('pid %s, user %s, application %s, since %s', a.pid, a.usename, a.application_name, a.xact_start)
      INTO holder
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.classid = 1936813170 AND l.objid = 1 AND l.objsubid = 2 AND l.granted
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
    RAISE EXCEPTION '%', 'sqlrelease lock: another session (' || coalesce(holder, 'one that has ended since') || ') holds the apply lock of this database; baseline.sql of release 1.3.0 waited 10 s and changed nothing, run it again when that one is done';
END
$sqlrelease$;

DO $sqlrelease$
DECLARE
    found text;
BEGIN
    IF to_regclass('alembic_version') IS NOT NULL THEN
        EXECUTE 'SELECT string_agg(version_num, '','' ORDER BY version_num COLLATE "C") FROM alembic_version' INTO found;
    END IF;
    IF found IS NOT NULL THEN
        -- SQLSTATE SR001: this file's work is done already; SR002: this server is elsewhere.
        RAISE EXCEPTION USING ERRCODE = CASE WHEN found = '74c2b9e5f3d0' THEN 'SR001' ELSE 'SR002' END,
            MESSAGE = CASE WHEN found = '74c2b9e5f3d0' THEN 'sqlrelease: nothing to do: release 1.3.0 is recorded already: this server is at release 1.3.0 (74c2b9e5f3d0)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '74c2b9e5f3d0' THEN 'release 1.3.0 (74c2b9e5f3d0)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN found = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE (found || ' (no release up to 1.3.0)') END || '; baseline.sql of release 1.3.0 needs an empty database (no alembic_version rows); nothing was changed') END;
    END IF;
END
$sqlrelease$;

\if :{?sqlrelease_run_id}
\else
\set sqlrelease_run_id ''
\endif
DO $sqlrelease$
BEGIN
    IF to_regclass('sqlrelease_receipts') IS NULL THEN
        CREATE TABLE sqlrelease_receipts (
            id BIGSERIAL PRIMARY KEY,
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
    END IF;
END
$sqlrelease$;

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('74c2b9e5f3d0');

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id)
VALUES ('1.3.0', 'baseline', 'postgresql', '', '74c2b9e5f3d0', '53e48f19f191440c40ccb8e077a767dc686906d7eea6ec7203ab6c84b0a4dbcb', '0.1.0', current_user, now() AT TIME ZONE 'UTC', NULLIF(:'sqlrelease_run_id', ''));

COMMIT;

\echo 'sqlrelease: baseline.sql of release 1.3.0 done: this server is at release 1.3.0 (74c2b9e5f3d0)'
