-- sqlrelease steps/4-c4b8e1f3a906 script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    oracle (Oracle)
-- range:      5a6d2c8e0f47 -> c4b8e1f3a906
-- migrations (apply order):
--   c4b8e1f3a906  create recruits
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/4-c4b8e1f3a906.sql < /dev/null
-- guard:      refuses to run unless alembic_version = 5a6d2c8e0f47
-- note:       step 4 of 4: only migration c4b8e1f3a906; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
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
    IF found IS NULL OR found <> '5a6d2c8e0f47' THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found = 'c4b8e1f3a906' THEN 'sqlrelease: nothing to do: this step of release 1.1.0 is applied already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '1e9f4a7b6c35' THEN 'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN found = '5a6d2c8e0f47' THEN 'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN found = 'b7c03e5d9a12' THEN 'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        ELSE (found || ' (no release up to 1.1.0)') END || '; steps/4-c4b8e1f3a906.sql of release 1.1.0 needs partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations); nothing was changed') END);
    END IF;
END;
/

-- upgrade c4b8e1f3a906: create recruits
-- source: migrations/versions/0006_c4b8e1f3a906_create_recruits.py

CREATE TABLE recruits (
    id INTEGER NOT NULL, 
    first_name VARCHAR2(100 CHAR) NOT NULL, 
    surname VARCHAR2(100 CHAR) NOT NULL, 
    chat_name VARCHAR2(64 CHAR), 
    github_name VARCHAR2(39 CHAR), 
    id_number VARCHAR2(32 CHAR) NOT NULL, 
    PRIMARY KEY (id), 
    CONSTRAINT uq_recruits_id_number UNIQUE (id_number)
)
/

BEGIN
    UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '5a6d2c8e0f47';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: steps/4-c4b8e1f3a906.sql of release 1.1.0: moving alembic_version from 5a6d2c8e0f47 to c4b8e1f3a906: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

COMMIT
/

PROMPT sqlrelease: steps/4-c4b8e1f3a906.sql of release 1.1.0 done: this server is at release 1.1.0 (c4b8e1f3a906)
