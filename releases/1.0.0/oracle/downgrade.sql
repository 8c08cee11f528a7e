-- sqlrelease downgrade script
-- release:    1.0.0 (starts at base)
-- dialect:    oracle (Oracle)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   sqlplus -L -S USER@DATABASE @oracle/downgrade.sql < /dev/null
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
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
    IF found IS NULL OR found <> '8d41e6a0c2f9' THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found IS NULL THEN 'sqlrelease: nothing to do: release 1.0.0 is rolled back already: this server is at no release (no alembic_version rows)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '3f2a9c1e7b40' THEN 'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        ELSE (found || ' (no release up to 1.0.0)') END || '; downgrade.sql of release 1.0.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END);
    END IF;
END;
/

-- downgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

DROP TABLE department
/

BEGIN
    UPDATE alembic_version SET version_num = '3f2a9c1e7b40' WHERE alembic_version.version_num = '8d41e6a0c2f9';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: downgrade.sql of release 1.0.0: moving alembic_version from 8d41e6a0c2f9 to 3f2a9c1e7b40: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

-- downgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

DROP TABLE employees
/

BEGIN
    DELETE FROM alembic_version WHERE alembic_version.version_num = '3f2a9c1e7b40';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: downgrade.sql of release 1.0.0: removing 3f2a9c1e7b40 from alembic_version: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

DROP TABLE alembic_version
/

COMMIT
/

PROMPT sqlrelease: downgrade.sql of release 1.0.0 done: this server is at no release (no alembic_version rows)
