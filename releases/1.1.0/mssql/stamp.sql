-- sqlrelease stamp script
-- release:    1.1.0 (follows 1.0.0)
-- dialect:    mssql (SQL Server)
-- range:      8d41e6a0c2f9 -> c4b8e1f3a906
-- migrations (apply order):
--   b7c03e5d9a12  rename department to departments
--   1e9f4a7b6c35  rename departments.address to location
--   5a6d2c8e0f47  add employees.department_id
--   c4b8e1f3a906  create recruits
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/stamp.sql
-- guard:      refuses to run unless alembic_version = 8d41e6a0c2f9
-- note:       This file changes only the version table, for a server whose schema was brought to this release by other means.
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
    DECLARE @message NVARCHAR(2048) = CASE WHEN @found = N'c4b8e1f3a906' THEN N'sqlrelease: nothing to do: release 1.1.0 is stamped already: this server is at release 1.1.0 (c4b8e1f3a906)'
    ELSE CONCAT(N'sqlrelease guard: this server is at ', CASE WHEN @found IS NULL THEN N'no release (no alembic_version rows)'
        WHEN @found = N'1e9f4a7b6c35' THEN N'partway through release 1.1.0 (1e9f4a7b6c35, 2 of 4 migrations)'
        WHEN @found = N'5a6d2c8e0f47' THEN N'partway through release 1.1.0 (5a6d2c8e0f47, 3 of 4 migrations)'
        WHEN @found = N'8d41e6a0c2f9' THEN N'release 1.0.0 (8d41e6a0c2f9)'
        WHEN @found = N'b7c03e5d9a12' THEN N'partway through release 1.1.0 (b7c03e5d9a12, 1 of 4 migrations)'
        WHEN @found = N'c4b8e1f3a906' THEN N'release 1.1.0 (c4b8e1f3a906)'
        ELSE CONCAT(@found, N' (no release up to 1.1.0)') END, N'; stamp.sql of release 1.1.0 needs release 1.0.0 (8d41e6a0c2f9); nothing was changed') END;
    THROW 50000, @message, 1;
END;
GO

UPDATE alembic_version SET version_num = N'c4b8e1f3a906' WHERE alembic_version.version_num = N'8d41e6a0c2f9';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: stamp.sql of release 1.1.0: moving alembic_version from 8d41e6a0c2f9 to c4b8e1f3a906: not exactly 1 row matched', 1;
GO

DROP TABLE IF EXISTS sqlrelease_unstamped;
GO

COMMIT TRANSACTION;
GO

PRINT N'sqlrelease: stamp.sql of release 1.1.0 done: this server is at release 1.1.0 (c4b8e1f3a906)';
GO
