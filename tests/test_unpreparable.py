"""Step scripts send a statement to sqlparse only when it could split; the shortcut must agree with sqlparse."""
import pytest
import sqlparse

from sqlrelease.sqlscript import _unpreparable

STATEMENTS = [
    "ALTER TABLE recruits MODIFY code VARCHAR(255) NOT NULL;",
    "UPDATE t SET a=-1 WHERE t.a IS NULL;\n",
    "UPDATE t SET a=-1 WHERE t.a IS NULL",
    "UPDATE t SET note=';' WHERE id = 1;",
    "INSERT INTO t VALUES (1);;",
    "INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);",
    "SELECT 1; -- done",
    "SELECT 1\nGO\nSELECT 2",
    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1;",
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_shortcut_agrees_with_sqlparse(statement):
    splits = len([s for s in sqlparse.split(statement) if s.strip()]) > 1
    trigger = statement.startswith("CREATE TRIGGER")
    assert _unpreparable(statement) == (splits or trigger)
