-- sqlrelease steps/3-5a6d2c8e0f47 script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mysql (MySQL / MariaDB)
-- range:      1e9f4a7b6c35 -> 5a6d2c8e0f47
-- migrations (apply order):
--   5a6d2c8e0f47  add employees.department_id
-- run with:   mariadb --database=DBNAME < mysql/steps/3-5a6d2c8e0f47.sql
-- guard:      refuses to run unless alembic_version = 1e9f4a7b6c35
-- note:       step 3 of 4: only migration 5a6d2c8e0f47; resume a failed upgrade.sql here
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
SET @sqlrelease_check = IF(@sqlrelease_found <=> '1e9f4a7b6c35', 'DO 0', CONCAT('SELECT `', 'sqlrelease guard: steps/3-5a6d2c8e0f47.sql of release 1.1.0 expects alembic_version = 1e9f4a7b6c35, found ', IFNULL(@sqlrelease_found, 'none'), '; nothing was changed', '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
DEALLOCATE PREPARE sqlrelease_check;

-- upgrade 5a6d2c8e0f47: add employees.department_id
-- source: migrations/versions/0005_5a6d2c8e0f47_add_employees_department_id.py

ALTER TABLE employees ADD COLUMN department_id INTEGER;

ALTER TABLE employees ADD CONSTRAINT fk_employees_department_id_departments FOREIGN KEY(department_id) REFERENCES departments (id);

UPDATE alembic_version SET version_num = '5a6d2c8e0f47' WHERE alembic_version.version_num = '1e9f4a7b6c35';
SET @sqlrelease_changed = ROW_COUNT();
SET @sqlrelease_check = IF(@sqlrelease_changed = 1, 'DO 0', CONCAT('SELECT `', 'sqlrelease: steps/3-5a6d2c8e0f47.sql of release 1.1.0: moving alembic_version from 1e9f4a7b6c35 to 5a6d2c8e0f47: ', @sqlrelease_changed, ' rows matched instead of 1', '`'));
PREPARE sqlrelease_check FROM @sqlrelease_check;
EXECUTE sqlrelease_check;
DEALLOCATE PREPARE sqlrelease_check;
