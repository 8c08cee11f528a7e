"""Helpers shared by the migrations of this history, as projects keep them in their own package."""
import functools

import sqlalchemy as sa
from alembic import context, op


def online_only(function):
    """Refuse offline (--sql) mode: the decorated helper needs the rows."""

    @functools.wraps(function)
    def refusing(*args, **kwargs):
        if context.is_offline_mode():
            raise RuntimeError(f"{function.__name__}() cannot be called while in offline mode")
        return function(*args, **kwargs)

    return refusing


@online_only
def rank_teams() -> None:
    bind = op.get_bind()
    for position, (team_id,) in enumerate(bind.execute(sa.text("SELECT id FROM teams ORDER BY name")), 1):
        op.execute(sa.text(f"UPDATE teams SET rank = {position} WHERE id = {team_id}"))
