-- sqlrelease stamp script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   mariadb --database=DBNAME < mysql/stamp.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
-- MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.
-- Safe however the file is fed (`< file`, `source file`, `\. file`, `--force`, `mysql -f`): a refused guard or a failed statement makes the session read-only, so no later statement changes anything, and only a bundle file whose guard passes makes it writable again. With --force or source the client prints an error for every later statement and exits 0: the first error says why.
-- alembic_version is moved after every migration, so after a failure it names the last migration that completed; resume with the script in mysql/steps/ that follows it (each step refuses to run at any other version).

SET autocommit = 1;

SET @sqlrelease_ok = 0, @sqlrelease_read = NULL, @sqlrelease_found = '(unreadable)';
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'alembic_version'),
    'SELECT GROUP_CONCAT(version_num ORDER BY CAST(version_num AS BINARY) SEPARATOR '','') INTO @sqlrelease_found FROM alembic_version',
    'SET @sqlrelease_found = NULL');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
DEALLOCATE PREPARE sqlrelease_read;
SET @sqlrelease_ok = (@sqlrelease_found <=> '8d41e6a0c2f9');
SET @sqlrelease_run = IF(@sqlrelease_ok, 'SET SESSION TRANSACTION READ WRITE', 'SET SESSION TRANSACTION READ ONLY'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease guard: stamp.sql of release 1.1.0 expects alembic_version = 8d41e6a0c2f9, found ', IFNULL(@sqlrelease_found, 'none'), '; nothing was changed'), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;

UPDATE alembic_version SET version_num = 'c4b8e1f3a906' WHERE alembic_version.version_num = '8d41e6a0c2f9';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_ok = 0;
SET @sqlrelease_ok = (@sqlrelease_changed = 1);
SET @sqlrelease_run = IF(@sqlrelease_ok, 'DO 0', 'SET SESSION TRANSACTION READ ONLY'); PREPARE sqlrelease_run FROM @sqlrelease_run; EXECUTE sqlrelease_run;
SET @sqlrelease_check = IF(@sqlrelease_ok, 'DO 0', CONCAT('SELECT `', REPLACE(CONCAT('sqlrelease: stamp.sql of release 1.1.0: moving alembic_version from 8d41e6a0c2f9 to c4b8e1f3a906: ', @sqlrelease_changed, ' rows matched instead of 1'), '`', '``'), '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
