"""
Events and projection rows to JSON and back, through one ``cattrs`` converter.

A stored event is a record ``{"type": <event class name>, "v": <schema version>,
"data": {...}}``. Ids, region codes and categories are plain strings, enums their values,
datetimes ISO 8601 strings with their offset (a naive datetime is refused on decode),
tuples JSON arrays. Decoding is strict: a wrong type is refused, never coerced.

Each event class carries a ``SCHEMA_VERSION``. When a class changes shape, bump it and
register an upcaster that maps the payload of the old version to the next one::

    register_upcaster("ComplaintRated", 1, lambda data: {**data, "comment": None})

On decode, upcasters run in a chain until the current version. An unknown type, a
version newer than the code, a version with no upcaster path, or a corrupt payload
(bad JSON, missing field, wrong type) raise :class:`~lapor_core.errors.StorageError`
naming the type, the version and the field.

This module also holds the small helpers every backend shares: epoch microseconds, the
opaque query cursor, and the checks on an append's arguments.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias, TypeVar

import attrs
import cattrs
from cattrs.fns import identity

from lapor_core.domain import events as _events
from lapor_core.domain.actors import Actor
from lapor_core.domain.clocks import ClockChange
from lapor_core.domain.events import Event
from lapor_core.domain.model import Category, ComplaintId, RegionCode, TrackingId
from lapor_core.errors import StorageError, ValidationError
from lapor_core.storage.base import ComplaintRow

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

T = TypeVar("T")

Upcaster: TypeAlias = Callable[[dict[str, Any]], dict[str, Any]]
"""
Maps the ``data`` of an event record at version *n* to version *n + 1*.

.. versionadded:: 0.1.0
"""

AppendBatch: TypeAlias = tuple[ComplaintId, int, Sequence[Event], ComplaintRow]
"""
One complaint's share of a bulk append: ``(complaint_id, expected_version, events, row)``.

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

_VALUE_TYPES: tuple[tuple[type[Any], str], ...] = (
    (ComplaintId, "value"),
    (TrackingId, "value"),
    (RegionCode, "value"),
    (Category, "code"),
)


# --------------------------------------------------------------------------- converter


def _structure_str(value: object, _t: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _structure_int(value: object, _t: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return value


def _structure_bool(value: object, _t: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected a boolean, got {type(value).__name__}")
    return value


def _structure_datetime(value: object, _t: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: a stored datetime must carry its offset")
    return parsed


def _unstructure_datetime(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise StorageError(f"refusing to store the naive datetime {value.isoformat()}")
    return value.isoformat()


def _value_hooks(
    cls: type[Any], attribute: str
) -> tuple[Callable[[Any], str], Callable[[object, object], Any]]:
    def unstructure(value: Any) -> str:  # noqa: ANN401 - one of the value classes
        return typing.cast("str", getattr(value, attribute))

    def structure(value: object, _t: object) -> Any:  # noqa: ANN401 - one of the value classes
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {cls.__name__}, got {type(value).__name__}")
        return cls(value)

    return unstructure, structure


def _is_tuple(tp: Any) -> bool:  # noqa: ANN401 - any type annotation
    return typing.get_origin(tp) is tuple


def _tuple_unstructure_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Unstructure homogeneous tuples to lists with the item hook looked up once."""

    def factory(tp: Any) -> Callable[[tuple[Any, ...]], list[Any]]:  # noqa: ANN401 - any tuple type
        args = typing.get_args(tp)
        if not (len(args) == 2 and args[1] is Ellipsis):
            return lambda value: [converter.unstructure(item) for item in value]
        item_hook = converter.get_unstructure_hook(args[0])
        if item_hook is identity:
            return list
        return lambda value: [item_hook(item) for item in value]

    return factory


def _tuple_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Build strict tuple hooks: a JSON array of the right items, never a string or a dict."""

    def factory(tp: Any) -> Callable[[object, object], tuple[Any, ...]]:  # noqa: ANN401 - any tuple type
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item_type = args[0]
            item_hook = converter.get_structure_hook(item_type)

            def homogeneous(value: object, _t: object) -> tuple[Any, ...]:
                if not isinstance(value, list | tuple):
                    raise TypeError(f"expected an array, got {type(value).__name__}")
                return tuple([item_hook(item, item_type) for item in value])

            return homogeneous
        hooks = [(converter.get_structure_hook(a), a) for a in args]

        def heterogeneous(value: object, _t: object) -> tuple[Any, ...]:
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected an array, got {type(value).__name__}")
            if len(value) != len(hooks):
                raise TypeError(f"expected an array of {len(hooks)} items, got {len(value)}")
            return tuple([hook(item, t) for (hook, t), item in zip(hooks, value, strict=True)])

        return heterogeneous

    return factory


_ENUM_VALUE = operator.attrgetter("_value_")  # the plain attribute, not the slower property

_PRIMITIVES = frozenset({str, int, bool, type(None)})


def _is_optional_primitive(tp: Any) -> bool:  # noqa: ANN401 - any type annotation
    """``str | None`` and the like: unstructured as they are, without a runtime dispatch."""
    if typing.get_origin(tp) not in {typing.Union, types.UnionType}:
        return False
    args = set(typing.get_args(tp))
    return type(None) in args and args <= _PRIMITIVES


def _is_enum(tp: Any) -> bool:  # noqa: ANN401 - any type annotation
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _enum_hook(tp: type[enum.Enum]) -> Callable[[object, object], enum.Enum]:
    """Structure *tp* from its value: one dict lookup, strict about the value's type."""
    members = {member.value: member for member in tp}
    value_types = frozenset(type(value) for value in members)

    def structure(value: object, _t: object) -> enum.Enum:
        if type(value) not in value_types:
            raise TypeError(f"expected a {tp.__name__} value, got {type(value).__name__}")
        member = members.get(value)
        if member is None:
            raise ValueError(f"{value!r} is not a valid {tp.__qualname__}")
        return member

    return structure


def _is_optional(tp: Any) -> bool:  # noqa: ANN401 - any type annotation
    """``X | None`` for one type ``X``."""
    if typing.get_origin(tp) not in {typing.Union, types.UnionType}:
        return False
    args = typing.get_args(tp)
    return len(args) == 2 and type(None) in args


def _optional_hook_factory(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """``X | None``: ``None`` as it is, anything else through ``X``'s hook, looked up once."""

    def factory(tp: Any) -> Callable[[object, object], Any]:  # noqa: ANN401 - any optional type
        (inner,) = (arg for arg in typing.get_args(tp) if arg is not type(None))
        hook = converter.get_structure_hook(inner)

        def optional(value: object, _t: object) -> Any:  # noqa: ANN401 - any structured value
            return None if value is None else hook(value, inner)

        return optional

    return factory


_INTERN_LIMIT = 1 << 16


def _interning(
    structure: Callable[[Any, Any], T], limit: int = _INTERN_LIMIT
) -> Callable[[Any, Any], T]:
    """
    Wrap the structure hook of a small flat value class: equal records, one shared object.

    Clock changes and actors repeat across events (``decide`` shares them too), so a
    stream decodes each distinct one once. The key is the record's items and the types of
    its values (JSON ``1`` and ``true`` are equal in Python, but only one is an int). A
    record that is not a dict, or holds an unhashable value, goes straight to *structure*
    and is never cached. The cache starts again when it holds *limit* records.
    """
    cache: dict[tuple[Any, ...], T] = {}

    def interned(value: Any, tp: Any) -> T:  # noqa: ANN401 - a JSON record, a type
        if type(value) is not dict:
            return structure(value, tp)
        try:
            key = (*value.items(), *map(type, value.values()))
            found = cache.get(key)
        except TypeError:  # an unhashable value
            return structure(value, tp)
        if found is None:
            found = structure(value, tp)
            if len(cache) >= limit:
                cache.clear()
            cache[key] = found
        return found

    return interned


def _make_converter(*, detailed: bool) -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=detailed)
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_unstructure_hook(datetime, _unstructure_datetime)
    converter.register_structure_hook_factory(_is_enum, _enum_hook)
    converter.register_structure_hook_factory(_is_optional, _optional_hook_factory(converter))
    for cls, attribute in _VALUE_TYPES:
        unstructure, structure = _value_hooks(cls, attribute)
        converter.register_unstructure_hook(cls, unstructure)
        converter.register_structure_hook(cls, structure)
    converter.register_structure_hook_factory(_is_tuple, _tuple_hook_factory(converter))
    converter.register_unstructure_hook_func(_is_optional_primitive, identity)
    converter.register_unstructure_hook_factory(_is_tuple, _tuple_unstructure_factory(converter))
    converter.register_unstructure_hook_func(_is_enum, _ENUM_VALUE)
    if not detailed:  # the detailed converter only explains a failure
        for cls in (ClockChange, Actor):
            converter.register_structure_hook(cls, _interning(converter.get_structure_hook(cls)))
    return converter


def _format_exception(exc: BaseException, _type: object) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"extra fields ({', '.join(sorted(exc.extra_fields))})"
    return f"{type(exc).__name__}: {exc}"


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
        """Build the converters and precompute the hooks of every event class."""
        self._fast = _make_converter(detailed=False)
        self._detailed = _make_converter(detailed=True)
        self._types: dict[str, type[Event]] = dict(event_types)
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        self._structure: dict[type[Any], Callable[[Any, Any], Any]] = {}
        self._unstructure: dict[type[Any], Callable[[Any], Any]] = {}
        for cls in (*self._types.values(), ComplaintRow):
            self._prepare(cls)

    def _prepare(self, cls: type[Any]) -> None:
        self._structure[cls] = self._fast.get_structure_hook(cls)
        self._unstructure[cls] = self._fast.get_unstructure_hook(cls)

    @property
    def event_types(self) -> Mapping[str, type[Event]]:
        """The known event classes by name."""
        return types.MappingProxyType(self._types)

    def register_event_type(self, cls: type[Event]) -> None:
        """
        Make another event class known (its name must be new).

        Raises:
            ValidationError: Not an attrs subclass of ``Event``, or the name is taken.
        """
        if not (isinstance(cls, type) and issubclass(cls, Event)) or not attrs.has(cls):
            raise ValidationError(f"not an attrs event class: {cls!r}")
        if cls.__name__ in self._types and self._types[cls.__name__] is not cls:
            raise ValidationError(f"an event type named {cls.__name__!r} is already registered")
        self._types[cls.__name__] = typing.cast("type[Event]", cls)
        self._prepare(cls)

    def register_upcaster(self, type_name: str, from_version: int, fn: Upcaster) -> None:
        """
        Register *fn*, which maps the data of *type_name* at *from_version* to the next.

        Raises:
            ValidationError: Unknown type, a version that is not below the current one,
                or an upcaster already registered for that step.
        """
        cls = self._types.get(type_name)
        if cls is None:
            raise ValidationError(f"no event type named {type_name!r}")
        if not isinstance(from_version, int) or not 0 <= from_version < cls.SCHEMA_VERSION:
            raise ValidationError(
                f"an upcaster of {type_name} must start below its current version "
                f"{cls.SCHEMA_VERSION}, got {from_version!r}"
            )
        if (type_name, from_version) in self._upcasters:
            raise ValidationError(f"{type_name} already has an upcaster from v{from_version}")
        self._upcasters[type_name, from_version] = fn

    # ----------------------------------------------------------------------- events

    def event_data(self, event: Event) -> dict[str, Any]:
        """
        The ``data`` of *event*'s record (JSON-ready).

        Raises:
            StorageError: Not a known event type, or a naive datetime inside.
        """
        cls = type(event)
        hook = self._unstructure.get(cls)
        if hook is None or self._types.get(cls.__name__) is not cls:
            raise StorageError(f"cannot store {cls.__name__}: not a registered event type")
        return typing.cast("dict[str, Any]", hook(event))

    def event_record(self, event: Event) -> dict[str, Any]:
        """The whole record ``{"type", "v", "data"}`` of *event* (JSON-ready)."""
        data = self.event_data(event)
        return {"type": type(event).__name__, "v": type(event).SCHEMA_VERSION, "data": data}

    def encode_event(self, event: Event) -> str:
        """The record of *event* as JSON text."""
        return _dumps(self.event_record(event))

    def encode_data(self, event: Event) -> str:
        """The ``data`` of *event* as JSON text (backends keep type and version in columns)."""
        return _dumps(self.event_data(event))

    def decode_event(self, record: str | bytes | Mapping[str, Any]) -> Event:
        """
        An event from its record (JSON text or an already parsed mapping).

        Raises:
            StorageError: Bad JSON, not a record, unknown type, unusable version or a
                corrupt payload.
        """
        parsed = _loads(record, "event record") if isinstance(record, str | bytes) else record
        if not isinstance(parsed, Mapping):
            raise StorageError(f"an event record must be an object, got {type(parsed).__name__}")
        missing = [k for k in ("type", "v", "data") if k not in parsed]
        if missing:
            raise StorageError(f"event record without {', '.join(missing)}: {_abbrev(parsed)}")
        return self.decode_parts(parsed["type"], parsed["v"], parsed["data"])

    def decode_parts(self, type_name: object, version: object, data: object) -> Event:
        """
        An event from its type name, schema version and data (JSON text or mapping).

        Raises:
            StorageError: As :meth:`decode_event`.
        """
        if not isinstance(type_name, str):
            raise StorageError(f"an event type name must be a string, got {type_name!r}")
        cls = self._types.get(type_name)
        if cls is None:
            raise StorageError(f"unknown event type {type_name!r} (not registered in the codec)")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise StorageError(f"{type_name}: invalid schema version {version!r}")
        current = cls.SCHEMA_VERSION
        if version > current:
            raise StorageError(
                f"{type_name} v{version} is newer than this code, which knows up to "
                f"v{current}: upgrade lapor_core to read it"
            )
        payload = (
            _loads(data, f"{type_name} v{version} payload")
            if isinstance(data, str | bytes)
            else data
        )
        if not isinstance(payload, Mapping):
            raise StorageError(
                f"{type_name} v{version}: the payload must be an object, got "
                f"{type(payload).__name__}"
            )
        step = version
        upcast = dict(payload)
        while step < current:
            fn = self._upcasters.get((type_name, step))
            if fn is None:
                raise StorageError(
                    f"{type_name} v{version} cannot be read: no upcaster from v{step} to "
                    f"v{step + 1}"
                )
            try:
                upcast = fn(upcast)
            except Exception as exc:
                raise StorageError(
                    f"{type_name}: the upcaster from v{step} failed: {type(exc).__name__}: {exc}"
                ) from exc
            if not isinstance(upcast, dict):
                raise StorageError(f"{type_name}: the upcaster from v{step} returned no dict")
            step += 1
        return typing.cast(
            "Event", self._structure_or_explain(cls, upcast, f"{type_name} v{version}")
        )

    def _structure_or_explain(self, cls: type[Any], data: Mapping[str, Any], what: str) -> Any:  # noqa: ANN401 - the structured class
        try:
            return self._structure[cls](data, cls)
        except Exception as fast_exc:  # noqa: BLE001 - any failure means a corrupt payload
            reasons = self._explain(cls, data, fast_exc)
            raise StorageError(f"corrupt {what} payload: {reasons}") from None

    def _explain(self, cls: type[Any], data: Mapping[str, Any], fast_exc: BaseException) -> str:
        """Re-run the structuring with the detailed converter to name the fields."""
        try:
            self._detailed.structure(data, cls)
        except Exception as exc:  # noqa: BLE001 - turned into a message
            messages = cattrs.transform_error(exc, format_exception=_format_exception)
            if messages:
                return "; ".join(messages)
            return f"{type(exc).__name__}: {exc}"
        return f"{type(fast_exc).__name__}: {fast_exc}"

    # ----------------------------------------------------------------------- rows

    def encode_row(self, row: ComplaintRow) -> dict[str, Any]:
        """The JSON-ready form of a projection row."""
        return typing.cast("dict[str, Any]", self._unstructure[ComplaintRow](row))

    def decode_row(self, data: str | bytes | Mapping[str, Any]) -> ComplaintRow:
        """
        A projection row from its JSON-ready form.

        Raises:
            StorageError: Bad JSON or a corrupt row.
        """
        parsed = _loads(data, "complaint row") if isinstance(data, str | bytes) else data
        if not isinstance(parsed, Mapping):
            raise StorageError(f"a complaint row must be an object, got {type(parsed).__name__}")
        return typing.cast(
            "ComplaintRow", self._structure_or_explain(ComplaintRow, parsed, "complaint row")
        )


_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False, separators=(",", ":"))


def _dumps(value: object) -> str:
    return _ENCODER.encode(value)


def _loads(text: str | bytes, what: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise StorageError(f"{what} is not valid JSON: {exc}") from None


def _abbrev(value: object, limit: int = 120) -> str:
    text = repr(value)
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


def decode_event(record: str | bytes | Mapping[str, Any]) -> Event:
    """
    An event from its JSON record with :data:`CODEC`.

    Raises:
        StorageError: See :meth:`Codec.decode_event`.

    .. versionadded:: 0.1.0
    """
    return CODEC.decode_event(record)


def encode_row(row: ComplaintRow) -> dict[str, Any]:
    """
    The JSON-ready form of a projection row with :data:`CODEC`.

    .. versionadded:: 0.1.0
    """
    return CODEC.encode_row(row)


def decode_row(data: str | bytes | Mapping[str, Any]) -> ComplaintRow:
    """
    A projection row from its JSON-ready form with :data:`CODEC`.

    .. versionadded:: 0.1.0
    """
    return CODEC.decode_row(data)


# --------------------------------------------------------------------------- backend helpers

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """
    Microseconds since the Unix epoch of an aware datetime (exact).

    Raises:
        ValidationError: *value* is naive.

    .. versionadded:: 0.1.0
    """
    try:
        return (value - _EPOCH) // _MICRO
    except TypeError:
        # a naive datetime cannot be subtracted from an aware one; nor can a non-datetime
        raise ValidationError(f"expected an aware datetime, got {value!r}") from None


def from_micros(micros: int) -> datetime:
    """
    The UTC datetime of microseconds since the Unix epoch.

    .. versionadded:: 0.1.0
    """
    return _EPOCH + timedelta(microseconds=micros)


def encode_cursor(submitted_at: datetime, complaint_id: ComplaintId) -> str:
    """
    The opaque query cursor after the row (*submitted_at*, *complaint_id*).

    .. versionadded:: 0.1.0
    """
    raw = f"{to_micros(submitted_at)}|{complaint_id.value}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """
    The ``(submitted_at micros, id)`` of a cursor made by :func:`encode_cursor`.

    Raises:
        ValidationError: Not such a cursor.

    .. versionadded:: 0.1.0
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        micros, sep, ident = (
            base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition("|")
        )
        parsed = int(micros)
    except (ValueError, UnicodeError, binascii.Error, AttributeError, TypeError):
        parsed, sep, ident = 0, "", ""
    if not sep or not ident:
        raise ValidationError(f"invalid query cursor {cursor!r}")
    return parsed, ident


def _check_events(complaint_id: ComplaintId, events: Sequence[Event]) -> None:
    if not events:
        raise ValidationError(f"an append to {complaint_id} needs at least one event")
    for event in events:
        if not isinstance(event, Event):
            raise ValidationError(f"not an event: {event!r}")
        if event.complaint_id != complaint_id:
            raise ValidationError(
                f"event {type(event).__name__} is for complaint {event.complaint_id}, "
                f"not {complaint_id}"
            )


def check_append(
    complaint_id: ComplaintId,
    expected_version: int,
    events: Sequence[Event],
    row: ComplaintRow,
    idempotency_key: str | None = None,
) -> None:
    """
    Check an append's arguments before anything is written (same for every backend).

    Raises:
        ValidationError: No events, an event of another complaint, a row of another
            complaint or whose version is not ``expected_version + len(events)``, a
            negative expected version, or an empty idempotency key.

    .. versionadded:: 0.1.0
    """
    if not isinstance(complaint_id, ComplaintId):
        raise ValidationError(f"complaint_id must be a ComplaintId, got {complaint_id!r}")
    if (
        not isinstance(expected_version, int)
        or isinstance(expected_version, bool)
        or expected_version < 0
    ):
        raise ValidationError(f"expected_version must be an int >= 0, got {expected_version!r}")
    _check_events(complaint_id, events)
    if not isinstance(row, ComplaintRow):
        raise ValidationError(f"row must be a ComplaintRow, got {type(row).__name__}")
    if row.id != complaint_id:
        raise ValidationError(f"the row is for complaint {row.id}, not {complaint_id}")
    if row.version != expected_version + len(events):
        raise ValidationError(
            f"the row of {complaint_id} has version {row.version}; after {len(events)} "
            f"event(s) on version {expected_version} it must be "
            f"{expected_version + len(events)}"
        )
    if idempotency_key is not None and (
        not isinstance(idempotency_key, str) or not idempotency_key
    ):
        raise ValidationError(
            f"an idempotency key must be a non-empty string, got {idempotency_key!r}"
        )


def check_batches(batches: Iterable[AppendBatch]) -> list[AppendBatch]:
    """
    Check the batches of a bulk append; one complaint may appear only once.

    Raises:
        ValidationError: As :func:`check_append`, or a complaint repeated.

    .. versionadded:: 0.1.0
    """
    checked = list(batches)
    seen: set[ComplaintId] = set()
    for batch in checked:
        if not isinstance(batch, tuple) or len(batch) != 4:
            raise ValidationError(
                f"a batch is (complaint_id, expected_version, events, row), got {_abbrev(batch)}"
            )
        complaint_id, expected_version, events, row = batch
        check_append(complaint_id, expected_version, events, row)
        if complaint_id in seen:
            raise ValidationError(f"complaint {complaint_id} appears twice in one bulk append")
        seen.add(complaint_id)
    return checked


def check_query_window(after: int, limit: int) -> None:
    """
    Check the arguments of ``read_all``.

    Raises:
        ValidationError: A negative position or a limit below 1.

    .. versionadded:: 0.1.0
    """
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValidationError(f"after must be a position >= 0, got {after!r}")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError(f"limit must be an int >= 1, got {limit!r}")


def check_claim(now: datetime, claimant: str, lease: timedelta, limit: int) -> None:
    """
    Check the arguments of ``claim_due``.

    Raises:
        ValidationError: A naive instant, an empty claimant, a lease that is not
            positive, or a limit below 1.

    .. versionadded:: 0.1.0
    """
    to_micros(now)
    if not isinstance(claimant, str) or not claimant:
        raise ValidationError(f"claimant must be a non-empty string, got {claimant!r}")
    if not isinstance(lease, timedelta) or lease <= timedelta(0):
        raise ValidationError(f"lease must be a positive timedelta, got {lease!r}")
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError(f"limit must be an int >= 1, got {limit!r}")
