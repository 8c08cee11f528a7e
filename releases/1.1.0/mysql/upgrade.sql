-- sqlrelease upgrade script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   mariadb --database=DBNAME < mysql/upgrade.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
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
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease lock: another session (', 'connection ', IFNULL(IS_USED_LOCK(CONCAT('sqlrelease.', MD5(DATABASE()))), '?'), ') holds the apply lock of this database; upgrade.sql of release 1.1.0 waited 10 s and changed nothing, run it again when that one is done'), '`', '``'), '`'));
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
SET @sqlrelease_ok = (@sqlrelease_found <=> '8d41e6a0c2f9');SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'SET SESSION TRANSACTION READ WRITE'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CASE WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'sqlrelease: nothing to do: release 1.1.0 is applied already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE CONCAT('sqlrelease guard: this server is at ', CASE WHEN @sqlrelease_found IS NULL THEN 'no release (no alembic_version rows)'
        WHEN @sqlrelease_found = '1e9f4a7b6c35' THEN 'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN @sqlrelease_found = '5a6d2c8e0f47' THEN 'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN @sqlrelease_found = '8d41e6a0c2f9' THEN 'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @sqlrelease_found = 'b7c03e5d9a12' THEN 'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN @sqlrelease_found = 'c4b8e1f3a906' THEN 'release 1.1.0 (c4b8e1f3a906)'
        ELSE CONCAT(@sqlrelease_found, ' (no release up to 1.1.0)') END, '; upgrade.sql of release 1.1.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END), '`', '``'), '`'));
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

SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (NOT EXISTS(SELECT 1 FROM sqlrelease_progress WHERE revision = 'b7c03e5d9a12' AND statement - 1 + done > 0));
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease guard: this server stopped inside release 1.1.0, in its first migration; resume with mysql/steps/1-b7c03e5d9a12.sql (sqlrelease apply --resume); nothing was changed'), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
SET @sqlrelease_done = 0;

-- upgrade b7c03e5d9a12: rename department to departments
-- source: migrations/versions/0003_b7c03e5d9a12_rename_department_to_departments.py

DELIMITER $sqlrelease$
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT 'b7c03e5d9a12', '1.1.0', 1, 1, 0 FROM DUAL WHERE @sqlrelease_done < 1;
ALTER TABLE department RENAME TO departments;
UPDATE sqlrelease_progress SET done = 1 WHERE revision = 'b7c03e5d9a12' AND statement = 1$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

START TRANSACTION;

UPDATE alembic_version SET version_num = 'b7c03e5d9a12' WHERE alembic_version.version_num = '8d41e6a0c2f9';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: upgrade.sql of release 1.1.0: moving alembic_version from 8d41e6a0c2f9 to b7c03e5d9a12: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

-- upgrade 1e9f4a7b6c35: rename departments.address to location
-- source: migrations/versions/0004_1e9f4a7b6c35_rename_departments_address_to_location.py

DELIMITER $sqlrelease$
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT '1e9f4a7b6c35', '1.1.0', 1, 1, 0 FROM DUAL WHERE @sqlrelease_done < 1;
ALTER TABLE departments CHANGE address location VARCHAR(200) NULL;
UPDATE sqlrelease_progress SET done = 1 WHERE revision = '1e9f4a7b6c35' AND statement = 1$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

START TRANSACTION;

UPDATE alembic_version SET version_num = '1e9f4a7b6c35' WHERE alembic_version.version_num = 'b7c03e5d9a12';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: upgrade.sql of release 1.1.0: moving alembic_version from b7c03e5d9a12 to 1e9f4a7b6c35: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

-- upgrade 5a6d2c8e0f47: add employees.department_id
-- source: migrations/versions/0005_5a6d2c8e0f47_add_employees_department_id.py

DELIMITER $sqlrelease$
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT '5a6d2c8e0f47', '1.1.0', 1, 2, 0 FROM DUAL WHERE @sqlrelease_done < 1;
ALTER TABLE employees ADD COLUMN department_id INTEGER;
UPDATE sqlrelease_progress SET done = 1 WHERE revision = '5a6d2c8e0f47' AND statement = 1$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

DELIMITER $sqlrelease$
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT '5a6d2c8e0f47', '1.1.0', 2, 2, 0 FROM DUAL WHERE @sqlrelease_done < 2;
ALTER TABLE employees ADD CONSTRAINT fk_employees_department_id_departments FOREIGN KEY(department_id) REFERENCES departments (id);
UPDATE sqlrelease_progress SET done = 1 WHERE revision = '5a6d2c8e0f47' AND statement = 2$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

START TRANSACTION;

UPDATE alembic_version SET version_num = '5a6d2c8e0f47' WHERE alembic_version.version_num = '1e9f4a7b6c35';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: upgrade.sql of release 1.1.0: moving alembic_version from 1e9f4a7b6c35 to 5a6d2c8e0f47: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

-- upgrade c4b8e1f3a906: create recruits
-- source: migrations/versions/0006_c4b8e1f3a906_create_recruits.py

DELIMITER $sqlrelease$
REPLACE INTO sqlrelease_progress (revision, release_name, statement, statements, done) SELECT 'c4b8e1f3a906', '1.1.0', 1, 1, 0 FROM DUAL WHERE @sqlrelease_done < 1;
CREATE TABLE recruits (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    first_name VARCHAR(100) NOT NULL, 
    surname VARCHAR(100) NOT NULL, 
    chat_name VARCHAR(64), 
    github_name VARCHAR(39), 
    id_number VARCHAR(32) NOT NULL, 
    PRIMARY KEY (id), 
    CONSTRAINT uq_recruits_id_number UNIQUE (id_number)
);
UPDATE sqlrelease_progress SET done = 1 WHERE revision = 'c4b8e1f3a906' AND statement = 1$sqlrelease$
DELIMITER ;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

START TRANSACTION;

UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '5a6d2c8e0f47';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_failed = IF(@sqlrelease_ok, @sqlrelease_failed, 1);
SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT(CONCAT('sqlrelease: upgrade.sql of release 1.1.0: moving alembic_version from 5a6d2c8e0f47 to c4b8e1f3a906: ', @sqlrelease_changed, ' rows matched instead of 1')), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

DELETE FROM sqlrelease_progress;
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

INSERT INTO sqlrelease_receipts (release_name, script, dialect, from_revisions, to_revisions, source_digest, sqlrelease_version, applied_by, applied_at, run_id) VALUES ('1.1.0', 'upgrade', 'mysql', '8d41e6a0c2f9', 'c4b8e1f3a906', '8b272c4921326cb731d7fad95e52c1370262a658a41a26c6a5d1e0c61397308e', '0.1.0', CURRENT_USER(), UTC_TIMESTAMP(6), @sqlrelease_run_id);
SET @sqlrelease_failed = IF(@@error_count = 0, @sqlrelease_failed, 1); SET @sqlrelease_run = IF(@sqlrelease_failed, 'SET SESSION TRANSACTION READ ONLY', 'DO 0'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;

COMMIT;

DO RELEASE_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())));

SELECT IF(@sqlrelease_failed, 'sqlrelease: upgrade.sql of release 1.1.0 did not complete: the first error above says why; nothing after it changed anything', 'sqlrelease: upgrade.sql of release 1.1.0 done: this server is at release 1.1.0 (c4b8e1f3a906)') AS sqlrelease;
