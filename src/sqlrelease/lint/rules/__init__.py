"""The lint rules, one module per rule or small family; importing this package registers them.

The order here is the order of the documentation (docs/rules.md) and of `sqlrelease lint --explain`.
"""

from . import drops, types, renames, not_null, unique, indexes, data, dialect_syntax, rebuilds, irreversible, mysql  # noqa: F401
