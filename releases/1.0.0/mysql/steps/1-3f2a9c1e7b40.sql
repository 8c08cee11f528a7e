-- sqlrelease steps/1-3f2a9c1e7b40 script
-- release:    1.0.0 (starts at base)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      base -> 3f2a9c1e7b40
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
-- run with:   mariadb --database=DBNAME < mysql/steps/1-3f2a9c1e7b40.sql
-- guard:      refuses to run unless alembic_version = none (no version table, or an empty one)
-- note:       step 1 of 2: only migration 3f2a9c1e7b40; resume a failed upgrade.sql here
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
SET @sqlrelease_check = IF(@sqlrelease_found IS NULL, 'DO 0', CONCAT('SELECT `', 'sqlrelease guard: steps/1-3f2a9c1e7b40.sql of release 1.0.0 expects alembic_version = none, found ', IFNULL(@sqlrelease_found, 'none'), '; nothing was changed', '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
DEALLOCATE PREPARE sqlrelease_check;

-- upgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

CREATE TABLE employees (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    full_name VARCHAR(100) NOT NULL, 
    email VARCHAR(255) NOT NULL, 
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, 
    PRIMARY KEY (id)
);

CREATE TABLE IF NOT EXISTS alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INSERT INTO alembic_version (version_num) VALUES ('3f2a9c1e7b40');
