"""add employees.department_id

SQLite cannot add a foreign key constraint to an existing table with ALTER,
so the change runs in batch mode: SQLite rebuilds the table, the other
dialects get plain ALTER statements. ``copy_from`` describes the table as it
stands before this step, so no reflection is needed and ``--sql`` works.

Revision ID: 5a6d2c8e0f47
Revises: 1e9f4a7b6c35
Create Date: 2024-04-22 14:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "5a6d2c8e0f47"
down_revision: Union[str, Sequence[str], None] = "1e9f4a7b6c35"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FK_NAME = "fk_employees_department_id_departments"


def _employees(*extra: sa.schema.SchemaItem) -> sa.Table:
    """The employees table as created in 3f2a9c1e7b40, plus ``extra``."""
    return sa.Table(
        "employees",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("full_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(),
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP"),
        ),
        *extra,
    )


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("employees", copy_from=_employees()) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(FK_NAME, "departments", ["department_id"], ["id"])


def downgrade() -> None:
    """Downgrade schema."""
    current = _employees(
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"], name=FK_NAME),
    )
    with op.batch_alter_table("employees", copy_from=current) as batch_op:
        batch_op.drop_constraint(FK_NAME, type_="foreignkey")
        batch_op.drop_column("department_id")
