-- sqlrelease steps/2-8d41e6a0c2f9 script
-- release:    1.0.0 (starts at base)
-- dialect:    oracle (Oracle)
-- range:      3f2a9c1e7b40 -> 8d41e6a0c2f9
-- migrations (apply order):
--   8d41e6a0c2f9  create department
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/2-8d41e6a0c2f9.sql < /dev/null
-- guard:      refuses to run unless alembic_version = 3f2a9c1e7b40
-- note:       step 2 of 2: only migration 8d41e6a0c2f9; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
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
    IF found IS NULL OR found <> '3f2a9c1e7b40' THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found = '8d41e6a0c2f9' THEN 'sqlrelease: nothing to do: this step of release 1.0.0 is applied already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE (found || ' (no release up to 1.0.0)') END || '; steps/2-8d41e6a0c2f9.sql of release 1.0.0 needs partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations); nothing was changed') END);
    END IF;
END;
/

-- upgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

CREATE TABLE department (
    id INTEGER NOT NULL, 
    name VARCHAR2(100 CHAR) NOT NULL, 
    address VARCHAR2(200 CHAR), 
    PRIMARY KEY (id)
)
/

BEGIN
    UPDATE alembic_version SET version_num = '8d41e6a0c2f9' WHERE alembic_version.version_num = '3f2a9c1e7b40';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: steps/2-8d41e6a0c2f9.sql of release 1.0.0: moving alembic_version from 3f2a9c1e7b40 to 8d41e6a0c2f9: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

COMMIT
/

PROMPT sqlrelease: steps/2-8d41e6a0c2f9.sql of release 1.0.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)
