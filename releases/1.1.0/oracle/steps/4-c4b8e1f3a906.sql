-- sqlrelease steps/4-c4b8e1f3a906 script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    oracle (Oracle)
-- range:      5a6d2c8e0f47 -> c4b8e1f3a906
-- migrations (apply order):
--   c4b8e1f3a906  create recruits
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/4-c4b8e1f3a906.sql < /dev/null
-- guard:      refuses to run unless alembic_version = 5a6d2c8e0f47
-- note:       step 4 of 4: only migration c4b8e1f3a906; resume a failed upgrade.sql here
-- Oracle commits every DDL statement at once: a failure leaves the migrations before it applied.
-- The file starts with WHENEVER SQLERROR EXIT, so SQL*Plus stops at the first error.
-- alembic_version is moved after every migration, so after a failure it names the last one that completed; resume with the next script in oracle/steps/ (each step refuses to run at any other version).

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
        RAISE_APPLICATION_ERROR(-20001, 'sqlrelease guard: steps/4-c4b8e1f3a906.sql of release 1.1.0 expects alembic_version = 5a6d2c8e0f47, found ' || NVL(found, 'none') || '; nothing was changed');
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
