"""
Internal: fast construction of frozen attrs objects for hot paths.

``evolve`` builds a new state object per event. A frozen slotted attrs class sets each
field through ``object.__setattr__`` (its own ``__setattr__`` refuses), which costs
several times a plain attribute store. :func:`builder` makes a positional constructor
that fills an instance of a private mutable twin of the class (same slots) and then
turns it into the frozen class. It is for classes without validators, converters or
``__attrs_post_init__`` (there is nothing for it to skip).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")


def builder(cls: type[T]) -> Callable[..., T]:
    """
    Return ``build(*values) -> cls`` taking every field of *cls* positionally.

    *cls* must be a slotted attrs class whose ``__init__`` only stores its arguments.
    The result is an ordinary instance of *cls*: frozen, equal to ``cls(*values)``.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]  # T is any attrs class
    names = tuple(f.name for f in fields)
    plain = (
        getattr(cls, "__slots__", None)
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(f.validator is None and f.converter is None and f.init for f in fields)
    )
    if not plain:
        msg = f"{cls.__name__} is not a slotted attrs class that only stores its fields"
        raise TypeError(msg)
    twin = type(
        f"_Building{cls.__name__}",
        (cls,),
        {
            "__slots__": (),
            "__setattr__": object.__setattr__,
            "__delattr__": object.__delattr__,
        },
    )
    arguments = ", ".join(names)
    stores = "".join(f"    obj.{name} = {name}\n" for name in names)
    source = (
        f"def build({arguments}):\n"
        f"    obj = new(twin)\n{stores}"
        "    obj.__class__ = cls\n"
        "    return obj\n"
    )
    namespace: dict[str, Any] = {"new": object.__new__, "twin": twin, "cls": cls}
    exec(compile(source, f"<build {cls.__qualname__}>", "exec"), namespace)  # noqa: S102 - generated from field names, as attrs does
    build: Callable[..., T] = namespace["build"]
    build.__doc__ = f"Build a {cls.__qualname__} from all its fields, positionally."
    return build


class Replacer(Generic[T]):
    """
    Copy an instance of one slotted attrs class with some fields changed.

    ``attrs.evolve`` inspects the class on every call; this reads every field with one
    C-level ``attrgetter`` and builds the copy with :func:`builder`, so the class's
    fields must all be positional (not ``kw_only``) and :func:`builder` must accept it.
    """

    __slots__ = ("build", "get", "index")

    def __init__(self, cls: type[T]) -> None:
        """Precompute the field order of *cls*."""
        fields = attrs.fields(cls)  # type: ignore[arg-type]  # T is any attrs class
        if any(f.kw_only for f in fields):
            msg = f"{cls.__name__} has keyword-only fields; use attrs.evolve"
            raise TypeError(msg)
        names = tuple(f.name for f in fields)
        self.build = builder(cls)
        self.get = operator.attrgetter(*names)
        self.index = {name: i for i, name in enumerate(names)}

    def __call__(self, obj: T, /, **changes: Any) -> T:  # noqa: ANN401 - field values of any type
        """Return a copy of *obj* with *changes*."""
        values = list(self.get(obj))
        index = self.index
        for name, value in changes.items():
            values[index[name]] = value
        return self.build(*values)
