-- sqlrelease downgrade script
-- release:    1.0.0 (starts at base)
-- dialect:    mssql (SQL Server)
-- range:      base -> 8d41e6a0c2f9
-- migrations (apply order):
--   3f2a9c1e7b40  create employees
--   8d41e6a0c2f9  create department
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/downgrade.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- Statements are separated by GO batches; XACT_ABORT and one transaction make a failure roll everything back.
-- Run with sqlcmd -b (or SSMS in SQLCMD mode): the file starts with `:on error exit`.

:on error exit
SET XACT_ABORT ON;
GO

BEGIN TRANSACTION;
GO

DECLARE @found NVARCHAR(4000);
IF OBJECT_ID(N'alembic_version', N'U') IS NOT NULL
    SELECT @found = STRING_AGG(version_num, ',') WITHIN GROUP (ORDER BY version_num COLLATE Latin1_General_BIN2) FROM alembic_version;
IF ISNULL(@found, N'') <> N'8d41e6a0c2f9'BEGIN
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found IS NULL THEN N'sqlrelease: nothing to do: release 1.0.0 is rolled back already: this server is at no release (no alembic_version rows)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'3f2a9c1e7b40' THEN N'partway through release 1.0.0 (3f2a9c1e7b40, 1 of 2 migrations)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        ELSE CONCAT(@found, N' (no release up to 1.0.0)') END, N'; downgrade.sql of release 1.0.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

-- downgrade 8d41e6a0c2f9: create department
-- source: migrations/versions/0002_8d41e6a0c2f9_create_department.py

DROP TABLE department;
GO

UPDATE alembic_version SET version_num = N'3f2a9c1e7b40' WHERE alembic_version.version_num = N'8d41e6a0c2f9';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.0.0: moving alembic_version from 8d41e6a0c2f9 to 3f2a9c1e7b40: not exactly 1 row matched', 1;
GO

-- downgrade 3f2a9c1e7b40: create employees
-- source: migrations/versions/0001_3f2a9c1e7b40_create_employees.py

DROP TABLE employees;
GO

DELETE FROM alembic_version WHERE alembic_version.version_num = N'3f2a9c1e7b40';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.0.0: removing 3f2a9c1e7b40 from alembic_version: not exactly 1 row matched', 1;
GO

DROP TABLE alembic_version;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: downgrade.sql of release 1.0.0 done: this server is at no release (no alembic_version rows)';
GO
