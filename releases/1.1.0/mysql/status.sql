-- sqlrelease status query (MySQL / MariaDB): which release this database is at. Read-only.
-- run with:  mariadb --batch --skip-column-names --raw --database=DBNAME < mysql/status.sql
-- It prints one line of JSON; `sqlrelease status` reads the same line, and a DBA can send it back as it is.
SET @sqlrelease_versions = NULL, @sqlrelease_receipt = NULL, @sqlrelease_progress = NULL;
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'alembic_version'),
    'SELECT CONCAT(''['', IFNULL(GROUP_CONCAT(JSON_QUOTE(version_num) ORDER BY CAST(version_num AS BINARY) SEPARATOR '',''), ''''), '']'') INTO @sqlrelease_versions FROM alembic_version',
    'DO 0');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'sqlrelease_receipts'),
    'SELECT JSON_OBJECT(''release'', release_name, ''script'', script, ''from_revisions'', from_revisions, ''to_revisions'', to_revisions, ''applied_by'', applied_by, ''applied_at'', DATE_FORMAT(applied_at, ''%Y-%m-%dT%H:%i:%sZ''), ''run_id'', run_id) INTO @sqlrelease_receipt FROM sqlrelease_receipts ORDER BY id DESC LIMIT 1',
    'DO 0');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
SET @sqlrelease_read = IF(
    EXISTS(SELECT 1 FROM information_schema.tables
           WHERE table_schema = DATABASE() AND table_name = 'sqlrelease_progress'),
    'SELECT CONCAT(''['', IFNULL(GROUP_CONCAT(JSON_OBJECT(''revision'', revision, ''release'', release_name, ''statement'', statement, ''statements'', statements, ''done'', done) ORDER BY revision SEPARATOR '',''), ''''), '']'') INTO @sqlrelease_progress FROM sqlrelease_progress',
    'DO 0');
PREPARE sqlrelease_read FROM @sqlrelease_read;
EXECUTE sqlrelease_read;
DEALLOCATE PREPARE sqlrelease_read;
SET @sqlrelease_holder = IS_USED_LOCK(CONCAT('sqlrelease.', MD5(DATABASE())));
SELECT JSON_OBJECT(
    'sqlrelease_status', 1,
    'dialect', 'mysql',
    'database', DATABASE(),
    'user', CURRENT_USER(),
    'clock', DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%dT%H:%i:%sZ'),
    'versions', JSON_EXTRACT(@sqlrelease_versions, '$'),
    'receipt', JSON_EXTRACT(@sqlrelease_receipt, '$'),
    'progress', JSON_EXTRACT(@sqlrelease_progress, '$'),
    'lock', IF(@sqlrelease_holder IS NULL, NULL,
               (SELECT JSON_OBJECT('connection', p.ID, 'user', CONCAT(p.USER, '@', p.HOST), 'seconds', p.TIME)
                  FROM information_schema.PROCESSLIST p WHERE p.ID = @sqlrelease_holder)),
    'tables', IF(@sqlrelease_versions IS NOT NULL, NULL,
               (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name NOT IN ('alembic_version', 'sqlrelease_receipts', 'sqlrelease_progress')))
);
