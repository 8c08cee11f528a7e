-- sqlrelease steps/2-8d41e6a0c2f9 script
-- release:    1.0.0 (starts at base)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      3f2a9c1e7b40 -> 8d41e6a0c2f9
-- migrations (apply order):
--   8d41e6a0c2f9  create department
-- run with:   mariadb --database=DBNAME < mysql/steps/2-8d41e6a0c2f9.sql
-- guard:      refuses to run unless alembic_version = 3f2a9c1e7b40
-- note:       step 2 of 2: only migration 8d41e6a0c2f9; resume a failed upgrade.sql here
-- MySQL and MariaDB commit every DDL statement at once: a failure leaves the migrations before it applied.
-- Do not pass --force: the client must stop at the first error.
-- alembic_version is moved after every migration, so after a failure it names the last migration that completed; resume with the script in mysql/steps/ that follows it (each step refuses to run at any other version).

SET @sqlrelease_found = NULL;
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'alembic_version'),
    'SELECT GROUP_CONCAT(version_num ORDER BY CAST(version_num AS BINARY) SEPARATOR '','') INTO @sqlrelease_found FROM alembic_version',
    'DO 0');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
DEALLOCATE PREPARE sqlrelease_read;
SET @sqlrelease_check = IF(@sqlrelease_found <=> '3f2a9c1e7b40', 'DO 0', CONCAT('SELECT `', 'sqlrelease guard: steps/2-8d41e6a0c2f9.sql of release 1.0.0 expects alembic_version = 3f2a9c1e7b40, found ', IFNULL(@sqlrelease_found, 'none'), '; nothing was changed', '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
DEALLOCATE PREPARE sqlrelease_check;

-- upgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

CREATE TABLE department (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    name VARCHAR(100) NOT NULL, 
    address VARCHAR(200), 
    PRIMARY KEY (id)
);

UPDATE alembic_version SET version_num = '8d41e6a0c2f9' WHERE alembic_version.version_num = '3f2a9c1e7b40';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_check = IF(@sqlrelease_changed = 1, 'DO 0', CONCAT('SELECT `', 'sqlrelease: steps/2-8d41e6a0c2f9.sql of release 1.0.0: moving alembic_version from 3f2a9c1e7b40 to 8d41e6a0c2f9: ', @sqlrelease_changed, ' rows matched instead of 1', '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
DEALLOCATE PREPARE sqlrelease_check;
