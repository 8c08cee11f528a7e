-- sqlrelease upgrade script
-- release:    1.0.0 (starts at base)
-- dialect:    postgresql (PostgreSQL)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   psql -v ON_ERROR_STOP=1 -X -q -d "$DATABASE_URL" -f postgresql/upgrade.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
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
    IF found IS NOT NULL THEN
        RAISE EXCEPTION '%', 'sqlrelease guard: upgrade.sql of release 1.0.0 expects alembic_version = none, found ' || coalesce(found, 'none') || '; nothing was changed';
    END IF;
END
$sqlrelease$;

-- upgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

CREATE TABLE employees (
    id SERIAL NOT NULL, 
    full_name VARCHAR(100) NOT NULL, 
    email VARCHAR(255) NOT NULL, 
    created_at TIMESTAMP WITHOUT TIME ZONE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('3f2a9c1e7b40');

-- upgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

CREATE TABLE department (
    id SERIAL NOT NULL, 
    name VARCHAR(100) NOT NULL, 
    address VARCHAR(200), 
    PRIMARY KEY (id)
);

DO $sqlrelease$
DECLARE
    changed integer;
BEGIN
    UPDATE alembic_version SET version_num = '8d41e6a0c2f9' WHERE alembic_version.version_num = '3f2a9c1e7b40';
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> 1 THEN
        RAISE EXCEPTION '%: % rows matched instead of 1', 'sqlrelease: upgrade.sql of release 1.0.0: moving alembic_version from 3f2a9c1e7b40 to 8d41e6a0c2f9', changed;
    END IF;
END
$sqlrelease$;

COMMIT;
