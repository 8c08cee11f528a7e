-- sqlrelease steps/3-e61a7c9d0b58 script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    oracle (Oracle)
-- range:      2d5f8a4c1b73 -> e61a7c9d0b58
-- migrations (apply order):
--   e61a7c9d0b58  require a unique recruits.personal_email_address
-- run with:   sqlplus -L -S USER@DATABASE @oracle/steps/3-e61a7c9d0b58.sql < /dev/null
-- guard:      refuses to run unless alembic_version = 2d5f8a4c1b73
-- note:       step 3 of 3: only migration e61a7c9d0b58; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
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
    IF found IS NULL OR found <> '2d5f8a4c1b73' THEN
        RAISE_APPLICATION_ERROR(-20001, CASE WHEN found = 'e61a7c9d0b58' THEN 'sqlrelease: nothing to do: this step of release 1.2.0 is applied already: this server is at release 1.2.0 (e61a7c9d0b58)'
    ELSE ('sqlrelease guard: this server is at ' || CASE WHEN found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN found = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN found = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN found = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE (found || ' (no release up to 1.2.0)') END || '; steps/3-e61a7c9d0b58.sql of release 1.2.0 needs partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations); nothing was changed') END);
    END IF;
END;
/

-- upgrade e61a7c9d0b58: require a unique recruits.personal_email_address
-- source: migrations/versions/0009_e61a7c9d0b58_require_unique_recruits_personal_email_address.py

ALTER TABLE recruits MODIFY personal_email_address NOT NULL
/

ALTER TABLE recruits ADD CONSTRAINT uq_recruits_personal_email_address UNIQUE (personal_email_address)
/

BEGIN
    UPDATE alembic_version SET version_num = 'e61a7c9d0b58' WHERE alembic_version.version_num = '2d5f8a4c1b73';
    IF SQL%ROWCOUNT <> 1 THEN
        RAISE_APPLICATION_ERROR(-20002, 'sqlrelease: steps/3-e61a7c9d0b58.sql of release 1.2.0: moving alembic_version from 2d5f8a4c1b73 to e61a7c9d0b58: ' || SQL%ROWCOUNT || ' rows matched instead of 1');
    END IF;
END;
/

COMMIT
/

PROMPT sqlrelease: steps/3-e61a7c9d0b58.sql of release 1.2.0 done: this server is at release 1.2.0 (e61a7c9d0b58)
