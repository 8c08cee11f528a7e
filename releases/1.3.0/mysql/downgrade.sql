-- sqlrelease downgrade script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   mariadb --database=DBNAME < mysql/downgrade.sql
-- guard:      refuses to run unless alembic_version = 74c2b9e5f3d0
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
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease lock: another session (', 'connection ', IFNULL(IS_USED_LOCK(CONCAT('sqlrelease.', MD5(DATABASE()))), '?'), ') holds the apply lock of this database; downgrade.sql of release 1.3.0 waited 10 s and changed nothing, run it again when that one is done'), '`', '``'), '`'));
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
SET @sqlrelease_ok = (@sqlrelease_found <=> '74c2b9e5f3d0');SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'SET SESSION TRANSACTION READ WRITE'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CASE WHEN @sqlrelease_found = 'e61a7c9d0b58' THEN 'sqlrelease: nothing to do: release 1.3.0 is rolled back already: this server is at release 1.2.0 (e61a7c9d0b58)'
    ELSE CONCAT('sqlrelease guard: this server is at ', CASE WHEN @sqlrelease_found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN @sqlrelease_found = '74c2b9e5f3d0' THEN 'release 1.3.0 (74c2b9e5f3d0)'
        WHEN @sqlrelease_found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        WHEN @sqlrelease_found = 'e61a7c9d0b58' THEN 'release 1.2.0 (e61a7c9d0b58)'
        ELSE CONCAT(@sqlrelease_found, ' (no release up to 1.3.0)') END, '; downgrade.sql of release 1.3.0 needs release 1.3.0 (74c2b9e5f3d0); nothing was changed') END), '`', '``'), '`'));
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

-- downgrade 74c2b9e5f3d0: normalise employee emails to lower case
-- source: migrations/versions/0010_74c2b9e5f3d0_normalise_employee_emails_to_lower_case.py

-- 74c2b9e5f3d0 cannot be undone (downgrade() does nothing); the plan accepts that its changes stay.

START TRANSACTION;

UPDATE alembic_version SET version_num = 'e61a7c9d0b58' WHERE alembic_version.version_num = '74c2b9e5f3d0';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: downgrade.sql of release 1.3.0: moving alembic_version from 74c2b9e5f3d0 to e61a7c9d0b58: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id) VALUES ('1.3.0', 'downgrade', 'mysql', '74c2b9e5f3d0', 'e61a7c9d0b58', '53e48f19f191440c40ccb8e077a767dc686906d7eea6ec7203ab6c84b0a4dbcb', '0.1.0', CURRENT_USER(), UTC_TIMESTAMP(6), @sqlrelease_run_id);
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

DO RELEASE_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())));

SELECT IF(@sqlrelease_failed, 'sqlrelease: downgrade.sql of release 1.3.0 did not complete: the first error above says why; nothing after it changed anything', 'sqlrelease: downgrade.sql of release 1.3.0 done: this server is at release 1.2.0 (e61a7c9d0b58)') AS sqlrelease;
