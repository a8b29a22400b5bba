"""
Internal: fast construction of frozen attrs objects for hot paths.

``evolve`` builds a new state object per event. A frozen slotted attrs class sets each
field through ``object.__setattr__`` (its own ``__setattr__`` refuses), which costs
several times a plain attribute store. :func:`compile_builder` generates a function that
fills an instance of a private mutable twin of the class (same slots) and then turns it
into the frozen class; :func:`builder` (every field, positionally) and
:meth:`Replacer.of` (a copy with some fields changed) are made with it. They are for
classes without validators, converters or ``__attrs_post_init__`` (there is nothing
for them to skip).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import attrs

T = TypeVar("T")


def _checked_plain(cls: type[Any]) -> tuple[str, ...]:
    """The field names of *cls*, which must be a slotted attrs class that only stores."""
    fields = attrs.fields(cls)
    plain = (
        getattr(cls, "__slots__", None)
        and not hasattr(cls, "__attrs_post_init__")
        and not hasattr(cls, "__attrs_pre_init__")
        and all(f.validator is None and f.converter is None and f.init for f in fields)
    )
    if not plain:
        msg = f"{cls.__name__} is not a slotted attrs class that only stores its fields"
        raise TypeError(msg)
    return tuple(f.name for f in fields)


_TWINS: dict[type[Any], type[Any]] = {}


def _twin(cls: type[Any]) -> type[Any]:
    """A private mutable subclass of *cls* with the same slots (one per class)."""
    twin = _TWINS.get(cls)
    if twin is None:
        twin = _TWINS[cls] = type(
            f"_Building{cls.__name__}",
            (cls,),
            {
                "__slots__": (),
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
            },
        )
    return twin


def compile_builder(
    cls: type[T],
    parameters: str,
    values: Mapping[str, str],
    names: Mapping[str, Any] | None = None,
    *,
    copy_from: str | None = None,
) -> Callable[..., T]:
    """
    Compile ``build(parameters) -> cls``, storing ``field = expression`` for each field.

    *values* maps fields of *cls* to Python expressions over *parameters* and *names*
    (extra globals of the generated function). A field *values* leaves out is copied
    from the parameter *copy_from* (``copy_from.field``); without *copy_from* it is a
    ``TypeError``, as is a name that is not a field. :func:`builder`'s conditions apply
    to *cls*.
    """
    fields = _checked_plain(cls)
    if copy_from is not None:
        values = {name: f"{copy_from}.{name}" for name in fields} | dict(values)
    missing = [name for name in fields if name not in values]
    unknown = sorted(set(values) - set(fields))
    if missing or unknown:
        msg = f"{cls.__name__}: values must name each field; missing {missing}, unknown {unknown}"
        raise TypeError(msg)
    stores = "".join(f"    obj.{name} = {values[name]}\n" for name in fields)
    source = (
        f"def build({parameters}):\n"
        f"    obj = new(twin)\n{stores}"
        "    obj.__class__ = cls\n"
        "    return obj\n"
    )
    namespace: dict[str, Any] = {
        **(names or {}),
        "new": object.__new__,
        "twin": _twin(cls),
        "cls": cls,
    }
    exec(compile(source, f"<build {cls.__qualname__}>", "exec"), namespace)  # noqa: S102 - generated from field names, as attrs does
    build: Callable[..., T] = namespace["build"]
    return build


def builder(cls: type[T]) -> Callable[..., T]:
    """
    Return ``build(*values) -> cls`` taking every field of *cls* positionally.

    *cls* must be a slotted attrs class whose ``__init__`` only stores its arguments.
    The result is an ordinary instance of *cls*: frozen, equal to ``cls(*values)``.
    """
    names = _checked_plain(cls)
    build = compile_builder(cls, ", ".join(names), {n: n for n in names})
    build.__doc__ = f"Build a {cls.__qualname__} from all its fields, positionally."
    return build


class Replacer(Generic[T]):
    """
    Copy an instance of one slotted attrs class with some fields changed.

    ``attrs.evolve`` inspects the class on every call. A replacer compiles, once per set
    of changed field names, a function that copies the other fields slot to slot and
    stores the new values (:func:`builder`'s conditions apply to the class).
    """

    __slots__ = ("cls", "compiled")

    def __init__(self, cls: type[T]) -> None:
        """Check *cls* (see :func:`builder`)."""
        _checked_plain(cls)
        self.cls = cls
        self.compiled: dict[tuple[str, ...], Callable[..., T]] = {}

    def of(self, *changed: str) -> Callable[..., T]:
        """
        Return ``replace(obj, *values) -> copy`` setting the fields *changed*, in order.

        Compiled on first use and kept: for hot paths, take it once and call it.
        """
        replace = self.compiled.get(changed)
        if replace is None:
            new = {name: f"new_{name}" for name in changed}
            parameters = ", ".join(["old", *new.values()])
            replace = compile_builder(self.cls, parameters, new, copy_from="old")
            self.compiled[changed] = replace
        return replace

    def apply(self, obj: T, changes: Mapping[str, Any], /) -> T:
        """Return a copy of *obj* with the fields of *changes* set (no keyword unpacking)."""
        replace = self.compiled.get(tuple(changes)) or self.of(*changes)
        return replace(obj, *changes.values())

    def __call__(self, obj: T, /, **changes: Any) -> T:  # noqa: ANN401 - field values of any type
        """Return a copy of *obj* with *changes* (convenient; :meth:`of` is faster)."""
        return self.apply(obj, changes)
