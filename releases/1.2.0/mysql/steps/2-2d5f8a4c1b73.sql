-- sqlrelease steps/2-2d5f8a4c1b73 script
-- release:    1.2.0 (follows 1.1.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      9e07d3b5c8a1 -> 2d5f8a4c1b73
-- migrations (apply order):
--   2d5f8a4c1b73  backfill recruits.personal_email_address
-- run with:   mariadb --database=DBNAME < mysql/steps/2-2d5f8a4c1b73.sql
-- guard:      refuses to run unless alembic_version = 9e07d3b5c8a1
-- note:       step 2 of 3: only migration 2d5f8a4c1b73; resume a failed or interrupted upgrade.sql here (on MySQL/MariaDB the statements recorded as done in sqlrelease_progress are skipped)
-- MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.
-- Safe however the file is fed (`< file`, `source file`, `\. file`, `--force`, `mysql -f`): a refused guard or a failed statement makes the session read-only, so no later statement changes anything, and only a bundle file whose guard passes makes it writable again. With --force or source the client prints an error for every later statement and exits 0: the first error says why.
-- upgrade.sql moves alembic_version after every migration, so after a failure it names the last migration that completed; resume with the script in mysql/steps/ that follows it (each step refuses to run at any other version), then the later steps.
-- Every migration statement goes to the server in one packet with its progress record in sqlrelease_progress, so a client killed mid-statement leaves the statements that ran recorded (the server finishes the one it was running). A step script skips the statements recorded as done and continues with the next; upgrade.sql refuses to run again on a release that stopped part-way. `sqlrelease status` names the statement and the exact command; `sqlrelease apply --resume` runs the same step scripts.
-- downgrade.sql moves alembic_version after every migration it undoes, but there are no downgrade steps: after a failed downgrade, alembic_version names the last migration still applied; finish by hand from the failed statement (the comment above it names the migration) or restore from a backup.

SET autocommit = 1;
SET @sqlrelease_failed = 0;

SET @sqlrelease_locked = GET_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())), 10);
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_locked = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease lock: another session (', 'connection ', IFNULL(IS_USED_LOCK(CONCAT('sqlrelease.', MD5(DATABASE()))), '?'), ') holds the apply lock of this database; steps/2-2d5f8a4c1b73.sql of release 1.2.0 waited 10 s and changed nothing, run it again when that one is done'), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

SET @sqlrelease_ok = 0, @sqlrelease_read = NULL, @sqlrelease_found = '(unreadable)';
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'alembic_version'),
    'SELECT GROUP_CONCAT(version_num ORDER BY CAST(version_num AS BINARY) SEPARATOR '','') INTO @sqlrelease_found FROM alembic_version',
    'SET @sqlrelease_found = NULL');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
DEALLOCATE PREPARE sqlrelease_read;
SET @sqlrelease_ok = (@sqlrelease_found <=> '9e07d3b5c8a1');SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'SET SESSION TRANSACTION READ WRITE'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CASE WHEN @sqlrelease_found = '2d5f8a4c1b73' THEN 'sqlrelease: nothing to do: this step of release 1.2.0 is applied already: this server is at partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
    ELSE CONCAT('sqlrelease guard: this server is at ', CASE WHEN @sqlrelease_found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN @sqlrelease_found = '2d5f8a4c1b73' THEN 'partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)'
        WHEN @sqlrelease_found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @sqlrelease_found = '9e07d3b5c8a1' THEN 'partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations)'
        WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN @sqlrelease_found = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE CONCAT(@sqlrelease_found, ' (no release up to 1.2.0)') END, '; steps/2-2d5f8a4c1b73.sql of release 1.2.0 needs partway through release 1.2.0 (9e07d3b5c8a1, 1 of 3 migrations); nothing was changed') END), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

CREATE TABLE IF NOT EXISTS sqlrelease_receipts (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    release_name VARCHAR(100) NOT NULL,
    script VARCHAR(100) NOT NULL,
    dialect VARCHAR(20) NOT NULL,
    from_revisions VARCHAR(1000) NOT NULL,
    to_revisions VARCHAR(1000) NOT NULL,
    source_digest VARCHAR(64) NOT NULL,
    sqlrelease_version VARCHAR(40) NOT NULL,
    applied_by VARCHAR(200),
    applied_at DATETIME(6) NOT NULL,
    run_id VARCHAR(100)
);

CREATE TABLE IF NOT EXISTS sqlrelease_progress (
    revision VARCHAR(32) NOT NULL PRIMARY KEY,
    release_name VARCHAR(100) NOT NULL,
    statement INT NOT NULL,
    statements INT NOT NULL,
    done INT NOT NULL
);

-- upgrade 2d5f8a4c1b73: backfill recruits.personal_email_address
-- source: migrations/versions/0008_2d5f8a4c1b73_backfill_recruits_personal_email_address.py

SET @sqlrelease_done = 0;
SET @sqlrelease_done = IFNULL((SELECT statement - 1 + done FROM sqlrelease_progress WHERE revision = '2d5f8a4c1b73'), 0);
SET @sqlrelease_run = IF(@sqlrelease_done > 0, CONCAT('SELECT ''', REPLACE(CONCAT('sqlrelease: steps/2-2d5f8a4c1b73.sql of release 1.2.0 resumes migration 2d5f8a4c1b73: its statements 1 to ', @sqlrelease_done, ' of 1 are recorded done and are skipped'), '''', ''''''), ''' AS sqlrelease'), 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

SET @sqlrelease_statement = IF(@sqlrelease_done < 1, 'UPDATE recruits SET personal_email_address=(concat(lower(coalesce(recruits.github_name, recruits.id_number)), ''@recruits.invalid'')) WHERE recruits.personal_email_address IS NULL', 'DO 0');
DELIMITER $sqlrelease$
PREPARE sqlrelease_statement FROM @sqlrelease_statement;
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT '2d5f8a4c1b73', '1.2.0', 1, 1, 0 FROM DUAL WHERE @sqlrelease_done < 1;
EXECUTE sqlrelease_statement;
UPDATE sqlrelease_progress SET done = 1 WHERE revision = '2d5f8a4c1b73' AND statement = 1$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

START TRANSACTION;

UPDATE alembic_version SET version_num = '2d5f8a4c1b73' WHERE alembic_version.version_num = '9e07d3b5c8a1';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: steps/2-2d5f8a4c1b73.sql of release 1.2.0: moving alembic_version from 9e07d3b5c8a1 to 2d5f8a4c1b73: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id) VALUES ('1.2.0', 'steps/2-2d5f8a4c1b73', 'mysql', '9e07d3b5c8a1', '2d5f8a4c1b73', 'bd7f48d733472ef7ee24e30ea0f6eb9e895225b76665ceb68966393e89c06a49', '0.1.0', CURRENT_USER(), UTC_TIMESTAMP(6), @sqlrelease_run_id);
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

DO RELEASE_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())));

SELECT IF(@sqlrelease_failed, 'sqlrelease: steps/2-2d5f8a4c1b73.sql of release 1.2.0 did not complete: the first error above says why; nothing after it changed anything', 'sqlrelease: steps/2-2d5f8a4c1b73.sql of release 1.2.0 done: this server is at partway through release 1.2.0 (2d5f8a4c1b73, 2 of 3 migrations)') AS sqlrelease;
