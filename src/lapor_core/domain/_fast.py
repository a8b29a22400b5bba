"""Internal: a fast ``attrs.evolve`` for hot paths (``evolve`` runs once per event)."""

from __future__ import annotations

import operator
from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")


class Replacer(Generic[T]):
    """
    Copy an instance of one slotted attrs class with some fields changed.

    ``attrs.evolve`` inspects the class on every call; this reads every field with one
    C-level ``attrgetter`` and calls the generated ``__init__`` positionally, so the
    class's fields must all be positional (not ``kw_only``).
    """

    __slots__ = ("cls", "get", "index")

    def __init__(self, cls: type[T]) -> None:
        """Precompute the field order of *cls*."""
        fields = attrs.fields(cls)  # type: ignore[arg-type]  # T is any attrs class
        if any(f.kw_only for f in fields):
            msg = f"{cls.__name__} has keyword-only fields; use attrs.evolve"
            raise TypeError(msg)
        names = tuple(f.name for f in fields)
        self.cls = cls
        self.get = operator.attrgetter(*names)
        self.index = {name: i for i, name in enumerate(names)}

    def __call__(self, obj: T, /, **changes: Any) -> T:  # noqa: ANN401 - field values of any type
        """Return a copy of *obj* with *changes*."""
        values = list(self.get(obj))
        index = self.index
        for name, value in changes.items():
            values[index[name]] = value
        return self.cls(*values)
