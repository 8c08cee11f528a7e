-- sqlrelease baseline script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   mariadb --database=DBNAME < mysql/baseline.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       This file marks a server whose schema is at this release already (made by db.create_all(), a restore, a copy) as being at it: it refuses unless the version table is empty or absent, and changes nothing else.
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
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease lock: another session (', 'connection ', IFNULL(IS_USED_LOCK(CONCAT('sqlrelease.', MD5(DATABASE()))), '?'), ') holds the apply lock of this database; baseline.sql of release 1.1.0 waited 10 s and changed nothing, run it again when that one is done'), '`', '``'), '`'));
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
SET @sqlrelease_ok = (@sqlrelease_found IS NULL);SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'SET SESSION TRANSACTION READ WRITE'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CASE WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'sqlrelease: nothing to do: release 1.1.0 is recorded already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE CONCAT('sqlrelease guard: this server is at ', CASE WHEN @sqlrelease_found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN @sqlrelease_found = '1e9f4a7b6c35' THEN 'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN @sqlrelease_found = '5a6d2c8e0f47' THEN 'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN @sqlrelease_found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @sqlrelease_found = 'b7c03e5d9a12' THEN 'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        ELSE CONCAT(@sqlrelease_found, ' (no release up to 1.1.0)') END, '; baseline.sql of release 1.1.0 needs an empty database (no alembic_version rows); nothing was changed') END), '`', '``'), '`'));
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

START TRANSACTION;

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('c4b8e1f3a906');
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id) VALUES ('1.1.0', 'baseline', 'mysql', '', 'c4b8e1f3a906', '8b272c4921326cb731d7fad95e52c1370262a658a41a26c6a5d1e0c61397308e', '0.1.0', CURRENT_USER(), UTC_TIMESTAMP(6), @sqlrelease_run_id);
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

DO RELEASE_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())));

SELECT IF(@sqlrelease_failed, 'sqlrelease: baseline.sql of release 1.1.0 did not complete: the first error above says why; nothing after it changed anything', 'sqlrelease: baseline.sql of release 1.1.0 done: this server is at release 1.1.0 (c4b8e1f3a906)') AS sqlrelease;
