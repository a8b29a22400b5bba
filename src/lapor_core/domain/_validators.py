"""Internal: attrs validators that raise our ValidationError (never a bare builtin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from lapor_core.errors import ValidationError

Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]


def instance_of(*types: type) -> Validator:
    """Refuse a value that is not an instance of *types* (``bool`` is no ``int`` here)."""
    names = " or ".join(t.__name__ for t in types)
    allow_bool = bool in types

    def check(_inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, types) or (isinstance(value, bool) and not allow_bool):
            raise ValidationError(
                f"{attr.name} must be {names}, got {type(value).__name__} {value!r}"
            )

    return check


def optional_instance_of(*types: type) -> Validator:
    """Like :func:`instance_of`, but ``None`` is allowed."""
    inner = instance_of(*types)

    def check(inst: object, attr: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            inner(inst, attr, value)

    return check
