"""
Events and projection rows to JSON and back, through one ``cattrs`` converter.

A stored event is a record ``{"type": <event class name>, "v": <schema version>,
"data": {...}}``. Ids, region codes and categories are plain strings, enums their values,
datetimes ISO 8601 strings with their offset (a naive datetime is refused on decode),
tuples JSON arrays. Decoding is strict: a wrong type is refused, never coerced.

The event classes are found by name in a plain registry (:data:`EVENT_TYPES`, one entry
per class :mod:`lapor_core.domain.events` exports); the name and the version travel
beside the data, never inside it, so backends keep them in columns of their own.

Each event class carries a ``SCHEMA_VERSION``. When a class changes shape, bump it and
register an upcaster that maps the payload of the old version to the next one::

    register_upcaster("ComplaintRated", 1, lambda data: {**data, "comment": None})

On decode, upcasters run in a chain until the current version. An unknown type, a
version newer than the code, a version with no upcaster path, or a corrupt payload
(bad JSON, missing field, wrong type) raise :class:`~lapor_core.errors.StorageError`
naming the type, the version and every field at fault (``$.clock_changes[0].amount``).

The helpers every backend shares (epoch microseconds, the query cursor, the checks on an
append's arguments) live in :mod:`lapor_core.storage.support`; they are importable from
here too.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypeAlias, TypeVar

import attrs
import cattrs
import orjson
from cattrs.cols import homogenous_tuple_structure_factory
from cattrs.dispatch import StructureHook
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from lapor_core.domain import events as _events
from lapor_core.domain.actors import Actor
from lapor_core.domain.events import Event
from lapor_core.domain.model import Category, ComplaintId, Content, RegionCode, TrackingId
from lapor_core.errors import N_, StorageError, ValidationError
from lapor_core.storage.base import ComplaintRow
from lapor_core.storage.support import (
    AppendBatch,
    check_append,
    check_batches,
    check_claim,
    check_query_window,
    decode_cursor,
    encode_cursor,
    from_micros,
    to_micros,
)

__all__ = [
    "CODEC",
    "EVENT_TYPES",
    "AppendBatch",
    "Codec",
    "Upcaster",
    "check_append",
    "check_batches",
    "check_claim",
    "check_query_window",
    "decode_cursor",
    "decode_event",
    "decode_row",
    "encode_cursor",
    "encode_event",
    "encode_row",
    "from_micros",
    "register_upcaster",
    "to_micros",
]

Upcaster: TypeAlias = Callable[[dict[str, object]], dict[str, object]]
"""
Maps the ``data`` of an event record at version *n* to version *n + 1*.

.. versionadded:: 0.1.0
"""

EVENT_TYPES: Mapping[str, type[Event]] = types.MappingProxyType(
    {
        name: obj
        for name in _events.__all__
        if isinstance(obj := getattr(_events, name), type)
        and issubclass(obj, Event)
        and obj is not Event
    }
)
"""
Every concrete event class exported by :mod:`lapor_core.domain.events`, by name.

.. versionadded:: 0.1.0
"""

_T = TypeVar("_T")
_V = TypeVar("_V", ComplaintId, TrackingId, RegionCode, Category)


# --------------------------------------------------------------------------- converter


def _structure_str(value: object, _type: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_int(value: object, _type: object) -> int:
    # bool is a subclass of int, but JSON true is not the number 1
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _structure_float(value: object, _type: object) -> float:
    # a JSON number (integers included: 117 is a longitude), never a string or a boolean
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _structure_bool(value: object, _type: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _structure_datetime(value: object, _type: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: a stored datetime must carry its offset")
    return parsed


def _unstructure_datetime(value: datetime) -> str:
    if value.utcoffset() is None:
        raise StorageError(
            N_("refusing to store the naive datetime {instant}"), instant=value.isoformat()
        )
    return value.isoformat()


def _structure_value(value: object, cls: type[_V]) -> _V:
    """An id, a region code or a category from its string (the class validates it)."""
    if not isinstance(value, str):
        raise TypeError(f"expected a string for {cls.__name__}, got {type(value).__name__}")
    return cls(value)


def _is_homogeneous_tuple(tp: object) -> bool:
    args = typing.get_args(tp)
    return typing.get_origin(tp) is tuple and len(args) == 2 and args[1] is Ellipsis


def _strict_tuple_hook(
    tp: type[tuple[object, ...]], converter: cattrs.BaseConverter
) -> StructureHook:
    """Use cattrs' own tuple hook, on a JSON array only (cattrs would take a string's letters)."""
    structure = homogenous_tuple_structure_factory(tp, converter)

    def hook(value: object, _type: object) -> tuple[object, ...]:
        if not isinstance(value, list | tuple):
            raise TypeError(f"expected an array, got {type(value).__name__}")
        return typing.cast("tuple[object, ...]", structure(value, tp))

    return hook


def _is_enum(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _enum_hook(tp: type[enum.Enum]) -> StructureHook:
    """
    An enum member from its value, by a table made once per enum.

    What ``tp(value)`` does, without its cost: ``Enum.__call__`` takes about a
    microsecond, and a stored stream holds some twenty enum values (each clock change
    has an operation and a unit), which made them a third of decoding it.
    """
    members = {member.value: member for member in tp}

    def hook(value: object, _type: object) -> enum.Enum:
        try:
            return members[value]
        except (KeyError, TypeError):  # unknown, or unhashable (a list in a corrupt payload)
            raise ValueError(f"{value!r} is not a valid {tp.__qualname__}") from None

    return hook


def _is_optional(tp: object) -> bool:
    args = typing.get_args(tp)
    return (
        typing.get_origin(tp) in {typing.Union, types.UnionType}
        and len(args) == 2  # X | None
        and type(None) in args
    )


def _optional_inner(tp: object) -> object:
    """*X* of ``X | None``."""
    return next(arg for arg in typing.get_args(tp) if arg is not type(None))


def _optional_hook(tp: object, converter: cattrs.BaseConverter) -> StructureHook:
    """
    ``X | None``: ``None``, or what *X*'s hook makes of the value.

    cattrs' own handling looks *X*'s hook up again on every value; a stored stream has
    some sixty optional fields (most clock changes leave four of six empty), so the hook
    is found once, here.
    """
    inner = _optional_inner(tp)
    structure = converter.get_structure_hook(inner)

    def hook(value: object, _type: object) -> object:
        return None if value is None else structure(value, inner)

    return hook


def _enum_value(member: enum.Enum) -> object:
    """An enum member's value (``_value_``: ``.value`` is a property, about ten times slower)."""
    return member._value_


def _optional_unstructure_hook(
    tp: object, converter: cattrs.BaseConverter
) -> Callable[[object], object]:
    """
    ``X | None`` written as *X* is, or ``None``.

    Where *X* is written as it is (text, numbers), so is ``X | None``: cattrs then reads
    the attribute in its generated code instead of calling a hook for every value.
    """
    inner = _optional_inner(tp)
    unstructure = converter.get_unstructure_hook(inner)
    if unstructure == identity:
        return identity

    def hook(value: object) -> object:
        return None if value is None else unstructure(value)

    return hook


def _tuple_unstructure_hook(
    tp: object, converter: cattrs.BaseConverter
) -> Callable[[tuple[object, ...]], list[object]]:
    """``tuple[X, ...]`` as a JSON array, its items written as *X* is (one list comprehension)."""
    unstructure = converter.get_unstructure_hook(typing.get_args(tp)[0])
    if unstructure == identity:
        return list

    def hook(value: tuple[object, ...]) -> list[object]:
        return [unstructure(item) for item in value]

    return hook


def _make_converter() -> cattrs.Converter:
    """
    The converter of stored events and rows: strict scalars, aware datetimes, ids as strings.

    Detailed validation is on, so a corrupt payload reports every field at fault with its
    path; tuples unstructure to lists (JSON arrays); enums are their values (cattrs'
    default); attrs classes are structured field by field (cattrs' default).
    """
    converter = cattrs.Converter(
        detailed_validation=True, unstruct_collection_overrides={tuple: list}
    )
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_float)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    for cls in (ComplaintId, TrackingId, RegionCode):
        converter.register_structure_hook(cls, _structure_value)
        converter.register_unstructure_hook(cls, _value_of)
    converter.register_structure_hook(Category, _structure_value)
    converter.register_unstructure_hook(Category, _code_of)
    converter.register_structure_hook_factory(_is_homogeneous_tuple, _strict_tuple_hook)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook_factory(_is_optional, _optional_hook)
    converter.register_unstructure_hook_factory(_is_enum, lambda _tp: _enum_value)
    converter.register_unstructure_hook_factory(_is_optional, _optional_unstructure_hook)
    converter.register_unstructure_hook_factory(_is_homogeneous_tuple, _tuple_unstructure_hook)
    converter.register_unstructure_hook_factory(_is_event_type, _event_unstructure_hook(converter))
    converter.register_unstructure_hook(Content, _content_unstructure_hook(converter))
    _register_actor_hooks(converter)
    return converter


def _register_actor_hooks(converter: cattrs.Converter) -> None:
    """
    Store an actor's agency under the key ``agency``, its name before 0.2.0.

    The attribute became ``Actor.agency_id`` so that ``Actor.agency(...)`` could build
    agency actors; the stored events keep the key they always had.
    """
    rename = override(rename="agency")
    converter.register_unstructure_hook(
        Actor, make_dict_unstructure_fn(Actor, converter, agency_id=rename)
    )
    converter.register_structure_hook(
        Actor, make_dict_structure_fn(Actor, converter, agency_id=rename)
    )


def _content_unstructure_hook(
    converter: cattrs.Converter,
) -> Callable[[Content], dict[str, object]]:
    """
    Unstructure report content field by field, leaving out the 0.2.0 fields while empty.

    Reports recorded before 0.2.0 decode with the defaults; leaving the defaults out keeps
    the records of reports without a point, address id, postal code or attachment what
    they were.
    """
    omit = override(omit_if_default=True)
    hook: Callable[[Content], dict[str, object]] = make_dict_unstructure_fn(
        Content, converter, point=omit, address_id=omit, postal_code=omit, media_urls=omit
    )
    return hook


_LATER_FIELDS: dict[type[Event], tuple[str, ...]] = {
    _events.DispositionRejected: ("handed_back_to",),
    _events.FollowUpPosted: ("on_behalf_of",),
}
"""The event fields added in 0.2.0, left out of a record while at their default."""


def _is_event_type(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, Event)


def _event_unstructure_hook(
    converter: cattrs.Converter,
) -> Callable[[type[Event]], Callable[[Event], dict[str, object]]]:
    """
    Unstructure events field by field, leaving the later fields out while at their default.

    Events recorded before they carried their status decode with ``None``, and those
    recorded before the 0.2.0 fields (:data:`_LATER_FIELDS`) with those fields' defaults;
    leaving them out keeps their records byte for byte what they were.
    """

    def factory(cls: type[Event]) -> Callable[[Event], dict[str, object]]:
        omit = override(omit_if_default=True)
        later = dict.fromkeys(_LATER_FIELDS.get(cls, ()), omit)
        # the overrides are keyword arguments named after the fields
        make: Callable[..., Callable[[Event], dict[str, object]]] = make_dict_unstructure_fn
        return make(cls, converter, status=omit, **later)

    return factory


def _value_of(value: ComplaintId | TrackingId | RegionCode) -> str:
    return value.value


def _code_of(value: Category) -> str:
    return value.code


def _format_exception(exc: BaseException, _type: object) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    return f"{type(exc).__name__}: {exc}"


def _explain(exc: Exception) -> str:
    """Every problem of a failed structuring, with its path (``$.at``), in one line."""
    messages = cattrs.transform_error(exc, format_exception=_format_exception)
    return "; ".join(messages) if messages else f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- codec


class Codec:
    """
    Encodes events and rows to JSON-ready values and back, with upcasting.

    :data:`CODEC` is the instance the backends use; build another one to register
    upcasters without touching it (tests do).

    Args:
        event_types: The event classes by name (default: :data:`EVENT_TYPES`).

    .. versionadded:: 0.1.0
    """

    def __init__(self, event_types: Mapping[str, type[Event]] = EVENT_TYPES) -> None:
        """Build the converter and the registry of event classes."""
        self._converter = _make_converter()
        self._types: dict[str, type[Event]] = dict(event_types)
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._revision = 0
        for cls in (*self._types.values(), ComplaintRow):
            self._generate_hooks(cls)

    def _generate_hooks(self, cls: type[object]) -> None:
        """
        Have the converter generate its hooks for *cls* now rather than on first use.

        cattrs writes a structuring function per attrs class when it first meets it
        (about 2 ms each); doing so here puts that cost on building the codec (at
        import, for :data:`CODEC`) instead of on the first load of each event type.
        """
        self._converter.get_structure_hook(cls)
        self._converter.get_unstructure_hook(cls)

    @property
    def event_types(self) -> Mapping[str, type[Event]]:
        """The known event classes by name."""
        return types.MappingProxyType(self._types)

    @property
    def revision(self) -> int:
        """
        How many event types and upcasters were registered after construction.

        What depends on them (a snapshot's fingerprint) is recomputed when it changes.

        .. versionadded:: 0.2.0
        """
        return self._revision

    @property
    def upcasters(self) -> Mapping[tuple[str, int], Upcaster]:
        """
        The registered upcasters by (type name, version they read), read-only.

        .. versionadded:: 0.1.0
        """
        return types.MappingProxyType(self._upcasters)

    def register_event_type(self, cls: type[Event]) -> None:
        """
        Make another event class known (its name must be new).

        Raises:
            ValidationError: Not an attrs subclass of ``Event``, or the name is taken.
        """
        if not (isinstance(cls, type) and issubclass(cls, Event)) or not attrs.has(cls):
            raise ValidationError(N_("not an attrs event class: {cls!r}"), cls=cls)
        if cls.__name__ in self._types and self._types[cls.__name__] is not cls:
            raise ValidationError(
                N_("an event type named {name!r} is already registered"), name=cls.__name__
            )
        # attrs.has() narrowed cls to an attrs class; it is still the Event subclass checked above
        self._types[cls.__name__] = typing.cast("type[Event]", cls)
        self._generate_hooks(cls)
        self._revision += 1

    def register_upcaster(self, type_name: str, from_version: int, fn: Upcaster) -> None:
        """
        Register *fn*, which maps the data of *type_name* at *from_version* to the next.

        Raises:
            ValidationError: Unknown type, a version that is not below the current one,
                or an upcaster already registered for that step.
        """
        cls = self._types.get(type_name)
        if cls is None:
            raise ValidationError(N_("no event type named {type_name!r}"), type_name=type_name)
        if not isinstance(from_version, int) or not 0 <= from_version < cls.SCHEMA_VERSION:
            raise ValidationError(
                N_(
                    "an upcaster of {type_name} must start below its current version "
                    "{current}, got {from_version!r}"
                ),
                type_name=type_name,
                current=cls.SCHEMA_VERSION,
                from_version=from_version,
            )
        if (type_name, from_version) in self._upcasters:
            raise ValidationError(
                N_("{type_name} already has an upcaster from v{from_version}"),
                type_name=type_name,
                from_version=from_version,
            )
        self._upcasters[type_name, from_version] = fn
        self._revision += 1

    # ----------------------------------------------------------------------- events

    def event_data(self, event: Event) -> dict[str, object]:
        """
        The ``data`` of *event*'s record (JSON-ready).

        Raises:
            StorageError: Not a known event type, or a naive datetime inside.
        """
        cls = type(event)
        if self._types.get(cls.__name__) is not cls:
            raise StorageError(
                N_("cannot store {type_name}: not a registered event type"), type_name=cls.__name__
            )
        return typing.cast("dict[str, object]", self._converter.unstructure(event, cls))

    def event_record(self, event: Event) -> dict[str, object]:
        """The whole record ``{"type", "v", "data"}`` of *event* (JSON-ready)."""
        data = self.event_data(event)
        return {"type": type(event).__name__, "v": type(event).SCHEMA_VERSION, "data": data}

    def encode_event(self, event: Event) -> str:
        """The record of *event* as JSON text."""
        return _dumps(self.event_record(event))

    def encode_data(self, event: Event) -> str:
        """The ``data`` of *event* as JSON text (backends keep type and version in columns)."""
        return _dumps(self.event_data(event))

    def decode_event(self, record: str | bytes | Mapping[str, object]) -> Event:
        """
        An event from its record (JSON text or an already parsed mapping).

        Raises:
            StorageError: Bad JSON, not a record, unknown type, unusable version or a
                corrupt payload.
        """
        parsed = _loads(record, "event record") if isinstance(record, str | bytes) else record
        if not isinstance(parsed, Mapping):
            raise StorageError(
                N_("an event record must be an object, got {got}"), got=type(parsed).__name__
            )
        missing = [k for k in ("type", "v", "data") if k not in parsed]
        if missing:
            raise StorageError(
                N_("event record without {missing}: {record}"),
                missing=", ".join(missing),
                record=_abbrev(parsed),
            )
        return self.decode_parts(parsed["type"], parsed["v"], parsed["data"])

    def decode_parts(self, type_name: object, version: object, data: object) -> Event:
        """
        An event from its type name, schema version and data (JSON text or mapping).

        Raises:
            StorageError: As :meth:`decode_event`.
        """
        if not isinstance(type_name, str):
            raise StorageError(
                N_("an event type name must be a string, got {type_name!r}"), type_name=type_name
            )
        cls = self._types.get(type_name)
        if cls is None:
            raise StorageError(
                N_("unknown event type {type_name!r} (not registered in the codec)"),
                type_name=type_name,
            )
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise StorageError(
                N_("{type_name}: invalid schema version {version!r}"),
                type_name=type_name,
                version=version,
            )
        if version > cls.SCHEMA_VERSION:
            raise StorageError(
                N_(
                    "{type_name} v{version} is newer than this code, which knows up to "
                    "v{current}: upgrade lapor_core to read it"
                ),
                type_name=type_name,
                version=version,
                current=cls.SCHEMA_VERSION,
            )
        what = f"{type_name} v{version}"
        payload = _loads(data, f"{what} payload") if isinstance(data, str | bytes) else data
        if not isinstance(payload, Mapping):
            raise StorageError(
                N_("{what}: the payload must be an object, got {got}"),
                what=what,
                got=type(payload).__name__,
            )
        current = self._upcast(type_name, version, cls.SCHEMA_VERSION, dict(payload))
        return self._structure(current, cls, what)

    def _upcast(
        self, type_name: str, version: int, target: int, data: dict[str, object]
    ) -> dict[str, object]:
        """Run the upcasters of *type_name* from *version* up to *target*."""
        for step in range(version, target):
            fn = self._upcasters.get((type_name, step))
            if fn is None:
                raise StorageError(
                    N_(
                        "{type_name} v{version} cannot be read: no upcaster from v{step} to v{next}"
                    ),
                    type_name=type_name,
                    version=version,
                    step=step,
                    next=step + 1,
                )
            try:
                data = fn(data)
            except Exception as exc:
                raise StorageError(
                    N_("{type_name}: the upcaster from v{step} failed: {error_type}: {reason}"),
                    type_name=type_name,
                    step=step,
                    error_type=type(exc).__name__,
                    reason=str(exc),
                ) from exc
            if not isinstance(data, dict):
                raise StorageError(
                    N_("{type_name}: the upcaster from v{step} returned no dict"),
                    type_name=type_name,
                    step=step,
                )
        return data

    def _structure(self, data: Mapping[str, object], cls: type[_T], what: str) -> _T:
        try:
            return self._converter.structure(data, cls)
        except Exception as exc:  # noqa: BLE001 - any failure means a corrupt payload
            raise StorageError(
                N_("corrupt {what} payload: {reason}"), what=what, reason=_explain(exc)
            ) from None

    # ----------------------------------------------------------------------- rows

    def encode_row(self, row: ComplaintRow) -> dict[str, object]:
        """The JSON-ready form of a projection row."""
        return typing.cast("dict[str, object]", self._converter.unstructure(row, ComplaintRow))

    def decode_row(self, data: str | bytes | Mapping[str, object]) -> ComplaintRow:
        """
        A projection row from its JSON-ready form.

        Raises:
            StorageError: Bad JSON or a corrupt row.
        """
        parsed = _loads(data, "complaint row") if isinstance(data, str | bytes) else data
        if not isinstance(parsed, Mapping):
            raise StorageError(
                N_("a complaint row must be an object, got {got}"), got=type(parsed).__name__
            )
        return self._structure(parsed, ComplaintRow, "complaint row")


def _dumps(value: object) -> str:
    """
    *value* as the stored format's JSON text: compact, non-ASCII written as it is.

    ``orjson`` writes it, about six times faster than the standard library's encoder,
    with the same text except for the notation of numbers below 0.0001 (``0.00001`` for
    ``1e-05``), which read back as the same numbers. What it encodes is the converter's
    output: dictionaries with text keys, lists, text, whole numbers, floats and ``None``.
    """
    return orjson.dumps(value).decode()


def _loads(text: str | bytes, what: str) -> object:
    try:
        return orjson.loads(text)
    except ValueError as exc:  # orjson.JSONDecodeError, also for bytes not UTF-8 and depth
        raise StorageError(
            N_("{what} is not valid JSON: {reason}"), what=what, reason=str(exc)
        ) from None


def _abbrev(value: object, limit: int = 120) -> str:
    try:
        text = repr(value)
    except RecursionError:
        return "<a value nested too deeply to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


CODEC = Codec()
"""
The codec the backends use.

.. versionadded:: 0.1.0
"""


def register_upcaster(type_name: str, from_version: int, fn: Upcaster) -> None:
    """
    Register an upcaster on :data:`CODEC` (see :meth:`Codec.register_upcaster`).

    .. versionadded:: 0.1.0
    """
    CODEC.register_upcaster(type_name, from_version, fn)


def encode_event(event: Event) -> str:
    """
    The JSON record of *event* with :data:`CODEC`.

    .. versionadded:: 0.1.0
    """
    return CODEC.encode_event(event)


def decode_event(record: str | bytes | Mapping[str, object]) -> Event:
    """
    An event from its JSON record with :data:`CODEC`.

    Raises:
        StorageError: See :meth:`Codec.decode_event`.

    .. versionadded:: 0.1.0
    """
    return CODEC.decode_event(record)


def encode_row(row: ComplaintRow) -> dict[str, object]:
    """
    The JSON-ready form of a projection row with :data:`CODEC`.

    .. versionadded:: 0.1.0
    """
    return CODEC.encode_row(row)


def decode_row(data: str | bytes | Mapping[str, object]) -> ComplaintRow:
    """
    A projection row from its JSON-ready form with :data:`CODEC`.

    .. versionadded:: 0.1.0
    """
    return CODEC.decode_row(data)
