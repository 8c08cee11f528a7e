-- sqlrelease stamp script
-- release:    1.3.0 (follows 1.2.0)
-- dialect:    mssql (SQL Server)
-- range:      e61a7c9d0b58 -> 74c2b9e5f3d0
-- migrations (apply order):
--   74c2b9e5f3d0  normalise employee emails to lower case
-- run with:   sqlcmd -b -S SERVER -d DBNAME -i mssql/stamp.sql
-- guard:      refuses to run unless alembic_version = e61a7c9d0b58
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
IF ISNULL(@found, N'') <> N'e61a7c9d0b58'BEGIN
    DECLARE @message NVARCHAR(2048) = CONCAT(N'sqlrelease guard: stamp.sql of release 1.3.0 expects alembic_version = e61a7c9d0b58, found ', ISNULL(@found, N'none'), N'; nothing was changed');
    THROW 50000, @message, 1;
END;
GO

UPDATE alembic_version SET version_num = N'74c2b9e5f3d0' WHERE alembic_version.version_num = N'e61a7c9d0b58';
IF @@ROWCOUNT <> 1
    THROW 50001, N'sqlrelease: stamp.sql of release 1.3.0: moving alembic_version from e61a7c9d0b58 to 74c2b9e5f3d0: not exactly 1 row matched', 1;
GO

COMMIT TRANSACTION;
GO
