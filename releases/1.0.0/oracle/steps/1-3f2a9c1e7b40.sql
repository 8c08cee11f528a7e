-- sqlrelease steps/1-3f2a9c1e7b40 script
-- release:    1.0.0 (starts at base)
-- dialect:    oracle (Oracle)
-- range:      base -> 3f2a9c1e7b40
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/1-3f2a9c1e7b40.sql < /dev/null
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       step 1 of 2: only migration 3f2a9c1e7b40; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
-- Oracle commits every DDL statement at once: a failure leaves the migrations before it applied.
-- The file starts with WHENEVER SQLERROR EXIT, so SQL*Plus stops at the first error.
-- upgrade.sql moves alembic_version after every migration, so after a failure it names the last migration that completed; resume with the script in oracle/steps/ that follows it (each step refuses to run at any other version).
-- downgrade.sql moves alembic_version after every migration it undoes, but there are no downgrade steps: after a failed downgrade, alembic_version names the last migration still applied; finish by hand from the failed statement (the comment above it names the migration) or restore from a backup.

WHENEVER SQLERROR EXIT SQL.SQLCODE ROLLBACK
WHENEVER OSERROR EXIT FAILURE ROLLBACK
SET DEFINE OFF

DECLARE
    found VARCHAR2(4000);
    tables NUMBER;
BEGIN
    SELECT COUNT(*) INTO tables FROM all_tables
     WHERE table_name = UPPER('alembic_version') AND owner = SYS_CONTEXT('USERENV', 'CURRENT_SCHEMA');
    IF tables > 0 THEN
        EXECUTE IMMEDIATE 'SELECT LISTAGG(version_num, '','') WITHIN GROUP (ORDER BY NLSSORT(version_num, ''NLS_SORT=BINARY'')) FROM alembic_version' INTO found;
    END IF;
    IF found IS NOT NULL THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found = '3f2a9c1e7b40' THEN 'sqlrelease: nothing to do: this step of release 1.0.0 is applied already: this server is at partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE (found || ' (no release up to 1.0.0)') END || '; steps/1-3f2a9c1e7b40.sql of release 1.0.0 needs an empty database (no alembic_version rows); nothing was changed') END);
    END IF;
END;
/

-- upgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

CREATE TABLE employees (
    id INTEGER NOT NULL, 
    full_name VARCHAR2(100 CHAR) NOT NULL, 
    email VARCHAR2(255 CHAR) NOT NULL, 
    created_at DATE DEFAULT CURRENT_TIMESTAMP NOT NULL, 
    PRIMARY KEY (id)
)
/

BEGIN
    EXECUTE IMMEDIATE 'CREATE TABLE alembic_version (version_num VARCHAR2(32 CHAR) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))';
EXCEPTION
    WHEN OTHERS THEN
        IF SQLCODE <> -955 THEN RAISE; END IF;  -- ORA-00955: the table exists already
END;
/

INSERT INTO alembic_version (version_num) VALUES ('3f2a9c1e7b40')
/

COMMIT
/

PROMPT sqlrelease: steps/1-3f2a9c1e7b40.sql of release 1.0.0 done: this server is at partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)
