-- sqlrelease steps/1-74c2b9e5f3d0 script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    oracle (Oracle)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/1-74c2b9e5f3d0.sql < /dev/null
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
-- note:       step 1 of 1: only migration 74c2b9e5f3d0; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
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
    IF found IS NULL OR found <> 'e61a7c9d0b58' THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found = '74c2b9e5f3d0' THEN 'sqlrelease: nothing to do: this step of release 1.3.0 is applied already: this server is at release 1.3.0 (74c2b9e5f3d0)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '74c2b9e5f3d0' THEN 'release 1.3.0 (74c2b9e5f3d0)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN found = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE (found || ' (no release up to 1.3.0)') END || '; steps/1-74c2b9e5f3d0.sql of release 1.3.0 needs release 1.2.0 (e61a7c9d0b58); nothing was changed') END);
    END IF;
END;
/

-- upgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

UPDATE employees SET email=lower(employees.email)
/

BEGIN
    UPDATE alembic_version SET version_num = '74c2b9e5f3d0' WHERE alembic_version.version_num = 'e61a7c9d0b58';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: steps/1-74c2b9e5f3d0.sql of release 1.3.0: moving alembic_version from e61a7c9d0b58 to 74c2b9e5f3d0: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

COMMIT
/

PROMPT sqlrelease: steps/1-74c2b9e5f3d0.sql of release 1.3.0 done: this server is at release 1.3.0 (74c2b9e5f3d0)
