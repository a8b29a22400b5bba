"""
Internal: the one cattrs converter that reads configuration into attrs config classes.

Profiles, agency registries and calendar overrides are TOML. Each file format is
mirrored by frozen attrs config classes whose field validators are built from *rules*
(small functions returning what is wrong, or ``None``). :func:`structure` reads a parsed
mapping into such a class and reports **every** problem at once, each as
``dotted.key: message``, in a :class:`~lapor_core.errors.ProfileError`:

- unknown keys are refused at every level (``forbid_extra_keys``);
- values are taken as TOML types only: no ``"3"`` for ``3``, no ``1`` for ``true``,
  no datetime for a date;
- each field's rules are checked as the field is read, so two bad values of one table
  are two problems (attrs' ``__init__`` would stop at the first);
- the paths are those of the file: tables keyed by name (``[durations.forwarding]``)
  read as dotted keys, arrays of tables with their index (``agency[2].kind``).

Errors are turned into messages with :func:`cattrs.transform_error`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType
from typing import TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_mapping
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
)
from cattrs.gen import make_dict_structure_fn, override

from lapor_core.errors import N_, LaporError, ProfileError, Term, ValidationError

__all__ = [
    "ConfigValueError",
    "Rule",
    "check",
    "choices_message",
    "each",
    "no_blank",
    "not_blank",
    "one_of",
    "positive",
    "problems_of",
    "structure",
]

T = TypeVar("T")
V = TypeVar("V")

Rule = Callable[[V], str | ValidationError | None]
"""What is wrong with a value (``None``: nothing), without naming the key."""

# A cattrs structure hook: the raw value and the wanted type in, the value out.
_Hook = Callable[[object, object], object]


class ConfigTypeError(ValidationError, TypeError):
    """A value of a config file is of the wrong type (``expected int, got str``)."""


class ConfigValueError(ValidationError):
    """
    A field of a config class breaks one of its rules.

    ``str()`` names the field (``amount: must be positive, got 0``); :attr:`reason` is
    the message alone, which :func:`structure` puts after the field's full dotted key
    (:attr:`cause`: the message as an error, to translate, when the rule gave one).
    """

    def __init__(self, field: str, reason: str | ValidationError) -> None:
        """Name the field and what is wrong with it."""
        # Nothing to translate but the reason: the template is not in the catalogs.
        super().__init__("{field}: {reason}", field=field, reason=reason)
        self.field = field
        self.reason = str(reason)
        self.cause = reason if isinstance(reason, ValidationError) else None

    def __reduce__(self) -> tuple[type[ConfigValueError], tuple[str, str]]:
        """Pickle with the field and the reason (``args`` holds the joined text)."""
        return type(self), (self.field, self.reason)


def check(*rules: Rule[V]) -> Callable[[object, attrs.Attribute[V], V], None]:
    """An attrs validator raising :class:`ConfigValueError` for the first broken rule."""

    def validate(_instance: object, attribute: attrs.Attribute[V], value: V) -> None:
        for rule in rules:
            reason = rule(value)
            if reason is not None:
                raise ConfigValueError(attribute.name, reason)

    return validate


def positive(value: int) -> ValidationError | None:
    """An amount or a count must be above zero."""
    return None if value > 0 else ValidationError(N_("must be positive, got {value}"), value=value)


def not_blank(message: str) -> Rule[str]:
    """A text that must say something; *message* (a template) when it is empty or blank."""

    def rule(value: str) -> ValidationError | None:
        return None if value.strip() else ValidationError(message)

    return rule


def no_blank(message: str) -> Rule[tuple[str, ...]]:
    """A list of texts none of which may be blank (*message*, a template, otherwise)."""

    def rule(values: tuple[str, ...]) -> ValidationError | None:
        return None if all(value.strip() for value in values) else ValidationError(message)

    return rule


def choices_error(value: object, choices: Iterable[object]) -> ValidationError:
    """``expected 'a' or 'b', got 'x'`` for two choices, else ``'x' is not one of a, b, c``."""
    names = [str(choice) for choice in choices]
    if len(names) == 2:
        return ValidationError(
            N_("expected {first!r} or {second!r}, got {value!r}"),
            first=names[0],
            second=names[1],
            value=value,
        )
    return ValidationError(
        N_("{value!r} is not one of {choices}"), value=value, choices=", ".join(names)
    )


def choices_message(value: object, choices: Iterable[object]) -> str:
    """The text of :func:`choices_error`."""
    return str(choices_error(value, choices))


def one_of(choices: Iterable[str], message: str | None = None) -> Rule[str]:
    """A text that must be one of *choices*; *message* (a template), or the choices."""
    allowed = tuple(choices)

    def rule(value: str) -> ValidationError | None:
        if value in allowed:
            return None
        return ValidationError(message) if message else choices_error(value, allowed)

    return rule


def each(known: Iterable[str], what: str) -> Rule[tuple[str, ...]]:
    """A list whose every item is a known name: ``unknown <what> 'x'`` otherwise."""
    allowed = frozenset(known)

    def rule(values: tuple[str, ...]) -> ValidationError | None:
        unknown = [value for value in values if value not in allowed]
        if not unknown:
            return None
        names = ", ".join(repr(value) for value in unknown)
        return ValidationError(N_("unknown {what} {names}"), what=Term(what), names=names)

    return rule


# --------------------------------------------------------------------------- the converter


def _type_name(value: object) -> str:
    return type(value).__name__


def _strict(kind: type[T]) -> Callable[[object, object], T]:
    """A TOML scalar exactly as the file has it (``bool`` is no ``int`` here)."""

    def structure(value: object, _type: object) -> T:
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        raise ConfigTypeError(
            N_("expected {kind}, got {got}"), kind=kind.__name__, got=_type_name(value)
        )

    return structure


def _date(value: object, _type: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ConfigTypeError(N_("expected a TOML date such as 2025-12-24, got {value!r}"), value=value)


def _is_enum(type_: object) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _enum_hook(type_: type[enum.Enum]) -> _Hook:
    values = [member.value for member in type_]

    def structure(value: object, _type: object) -> enum.Enum:
        if isinstance(value, str) and value in values:
            return type_(value)
        raise choices_error(value, values)

    return structure


def _is_array(type_: object) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[1] is Ellipsis


def _array_hook(type_: type, converter: cattrs.Converter) -> _Hook:
    """``tuple[X, ...]``: a TOML array (a string is not taken for an array of letters)."""
    inner = homogenous_tuple_structure_factory(type_, converter)
    tables = attrs.has(get_args(type_)[0])

    def structure(value: object, wanted: object) -> object:
        if not isinstance(value, list | tuple):
            if tables:
                raise ConfigTypeError(
                    N_("expected an array of tables, got {got}"), got=_type_name(value)
                )
            raise ConfigTypeError(N_("expected an array, got {got}"), got=_type_name(value))
        return inner(value, wanted)

    return structure


def _table_hook(type_: object, converter: cattrs.Converter) -> _Hook:
    """``Mapping[str, X]``: a table of named tables, read as a read-only mapping."""
    value_type = get_args(type_)[1]
    hook = converter.get_structure_hook(value_type)

    def structure(value: object, _type: object) -> Mapping[str, object]:
        if not isinstance(value, Mapping):
            raise ConfigTypeError(N_("expected a table, got {got}"), got=_type_name(value))
        result: dict[str, object] = {}
        errors: list[Exception] = []
        for key, item in value.items():
            try:
                result[key] = hook(item, value_type)
            except Exception as exc:  # noqa: BLE001 - collect every problem, as cattrs does
                # Noted as an attribute, so that transform_error writes the key the way
                # the file does (durations.forwarding.amount), not as durations['forwarding'].
                exc.add_note(AttributeValidationNote(f"table key {key!r}", key, value_type))
                errors.append(exc)
        if errors:
            raise ClassValidationError(f"While structuring {type_}", errors, dict)
        return MappingProxyType(result)

    return structure


def _class_hook(cls: type, converter: cattrs.Converter) -> _Hook:
    """An attrs config class: a table whose fields are checked as they are read."""
    attrs.resolve_types(cls)
    overrides: dict[str, object] = {
        field.name: override(struct_hook=_checked(converter, field, field.validator))
        for field in attrs.fields(cls)
        if field.validator is not None
    }
    # Typed loosely on purpose: the per-field overrides go in as keyword arguments, which
    # mypy cannot tell apart from the function's own ``_cattrs_*`` options.
    make: Callable[..., Callable[[Mapping[str, object], type], object]] = make_dict_structure_fn
    inner = make(cls, converter, **overrides)

    def structure(value: object, _type: object) -> object:
        if not isinstance(value, Mapping):
            raise ConfigTypeError(N_("expected a table, got {got}"), got=_type_name(value))
        return inner(value, cls)

    return structure


def _checked(
    converter: cattrs.Converter,
    field: attrs.Attribute[object],
    validator: Callable[[object, attrs.Attribute[object], object], object],
) -> _Hook:
    """Read a field and check its validator there, so every bad field is reported."""
    hook = converter.get_structure_hook(field.type)

    def structure(value: object, wanted: object) -> object:
        result = hook(value, wanted)
        validator(None, field, result)
        return result

    return structure


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    for kind in (str, int, bool):
        converter.register_structure_hook(kind, _strict(kind))
    converter.register_structure_hook(date, _date)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook_factory(_is_array, _array_hook)
    converter.register_structure_hook_factory(is_mapping, _table_hook)
    converter.register_structure_hook_factory(attrs.has, _class_hook)
    return converter


_CONVERTER = _make_converter()


# --------------------------------------------------------------------------- errors


def _explain(error: BaseException) -> list[tuple[str, str | LaporError]]:
    """``(key below the error's path, message)`` pairs for one leaf error."""
    if isinstance(error, ForbiddenExtraKeysError):
        return [(key, ValidationError(N_("unknown key"))) for key in sorted(error.extra_fields)]
    if isinstance(error, KeyError):
        return [("", ValidationError(N_("missing key")))]
    if isinstance(error, ConfigValueError):
        return [("", error.cause if error.cause is not None else error.reason)]
    if isinstance(error, LaporError) and error.template is not None:
        return [("", error)]
    return [("", str(error))]


def problems_of(error: BaseException, root: str = "") -> tuple[str | ProfileError, ...]:
    """
    Every problem of a failed :func:`structure`, each ``dotted.key: message``.

    A problem whose message is a template is a :class:`ProfileError` with its key, to
    translate; ``str()`` of it is the same ``dotted.key: message``.
    """
    details: list[list[tuple[str, str | LaporError]]] = []

    def describe(leaf: BaseException, _type: object) -> str:
        # transform_error writes one line per leaf error, "<description> @ <path>"; an
        # unknown-keys error stands for several keys, so the description is an index into
        # *details* and the messages are written below, one per key.
        details.append(_explain(leaf))
        return str(len(details) - 1)

    problems: list[str | ProfileError] = []
    for line in cattrs.transform_error(error, path=root, format_exception=describe):
        index, _, path = line.partition(" @ ")
        for key, message in details[int(index)]:
            dotted = ".".join(part for part in (path.lstrip("."), key) if part)
            if isinstance(message, LaporError) and message.template is not None:
                problems.append(
                    ProfileError(message.template, key=dotted or None, **message.fields)
                )
            else:
                problems.append(f"{dotted}: {message}" if dotted else str(message))
    return tuple(problems)


def structure(data: object, cls: type[T], root: str = "") -> T:
    """
    Read parsed TOML *data* into *cls* (a config class, or a tuple of them).

    Args:
        data: The parsed TOML (nested dicts and lists).
        cls: What to read it into.
        root: The key of *data* in its file, before every path (``calendar.override``).

    Raises:
        ProfileError: With every problem found, each ``dotted.key: message``.
    """
    try:
        return _CONVERTER.structure(data, cls)
    except (BaseValidationError, TypeError, ValueError, KeyError) as exc:
        raise ProfileError(*problems_of(exc, root)) from exc
