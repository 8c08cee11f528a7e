-- sqlrelease downgrade script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mssql (SQL Server)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/downgrade.sql
-- guard:      refuses to run unless alembic_version = c4b8e1f3a906
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
IF ISNULL(@found, N'') <> N'c4b8e1f3a906'BEGIN
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'8d41e6a0c2f9' THEN N'sqlrelease: nothing to do: release 1.1.0 is rolled back already: this server is at release 1.0.0 (8d41e6a0c2f9)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'1e9f4a7b6c35' THEN N'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN @found = N'5a6d2c8e0f47' THEN N'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @found = N'b7c03e5d9a12' THEN N'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN @found = N'c4b8e1f3a906' THEN N'release 1.1.0 (c4b8e1f3a906)'
        ELSE CONCAT(@found, N' (no release up to 1.1.0)') END, N'; downgrade.sql of release 1.1.0 needs release 1.1.0 (c4b8e1f3a906); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

-- downgrade c4b8e1f3a906: create recruits
-- source: migrations/versions/0006_c4b8e1f3a906_create_recruits.py

DROP TABLE recruits;
GO

UPDATE alembic_version SET version_num = N'5a6d2c8e0f47' WHERE alembic_version.version_num = N'c4b8e1f3a906';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from c4b8e1f3a906 to 5a6d2c8e0f47: not exactly 1 row matched', 1;
GO

-- downgrade 5a6d2c8e0f47: add employees.department_id
-- source: migrations/versions/0005_5a6d2c8e0f47_add_employees_department_id.py

ALTER TABLE employees DROP CONSTRAINT fk_employees_department_id_departments;
GO

ALTER TABLE employees DROP COLUMN department_id;
GO

UPDATE alembic_version SET version_num = N'1e9f4a7b6c35' WHERE alembic_version.version_num = N'5a6d2c8e0f47';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from 5a6d2c8e0f47 to 1e9f4a7b6c35: not exactly 1 row matched', 1;
GO

-- downgrade 1e9f4a7b6c35: rename departments.address to location
-- source: migrations/versions/0004_1e9f4a7b6c35_rename_departments_address_to_location.py

EXEC sp_rename 'departments.location', address, 'COLUMN';
GO

UPDATE alembic_version SET version_num = N'b7c03e5d9a12' WHERE alembic_version.version_num = N'1e9f4a7b6c35';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from 1e9f4a7b6c35 to b7c03e5d9a12: not exactly 1 row matched', 1;
GO

-- downgrade b7c03e5d9a12: rename department to departments
-- source: migrations/versions/0003_b7c03e5d9a12_rename_department_to_departments.py

EXEC sp_rename 'departments', department;
GO

UPDATE alembic_version SET version_num = N'8d41e6a0c2f9' WHERE alembic_version.version_num = N'b7c03e5d9a12';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: downgrade.sql of release 1.1.0: moving alembic_version from b7c03e5d9a12 to 8d41e6a0c2f9: not exactly 1 row matched', 1;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: downgrade.sql of release 1.1.0 done: this server is at release 1.0.0 (8d41e6a0c2f9)';
GO
