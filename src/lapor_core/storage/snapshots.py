"""
Snapshots of a complaint's state, so that a long stream loads in constant time.

A snapshot is a :class:`~lapor_core.domain.state.Complaint` at some version, encoded as
JSON by a ``cattrs`` converter of the codec (:func:`encode_state`, :func:`decode_state`).
Loading a complaint then reads its newest snapshot and only the events after it (see
:class:`~lapor_core.storage.base.SnapshotStore`).

A snapshot is only as good as the code that made it: it is stored with a
:func:`fingerprint` of everything its meaning depends on, namely the shape of the state
classes (every attrs field and its type, every enum's values), the schema version of every
event type, the upcasters registered on :data:`~lapor_core.storage.codec.CODEC` (which
types and versions, and their code) and :data:`SNAPSHOT_FORMAT`. A store ignores a
snapshot whose fingerprint is not the running code's; the next load replays the stream and
writes a new one. Events stay the only source of truth: a snapshot can be dropped at any
time without losing anything.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import hashlib
import json
import typing
import weakref
from collections.abc import Iterator

import attrs
import orjson

from lapor_core.domain.state import Complaint
from lapor_core.errors import N_, StorageError, ValidationError
from lapor_core.storage.codec import CODEC, Codec, _dumps, _make_converter

__all__ = [
    "SNAPSHOT_EVERY_DEFAULT",
    "SNAPSHOT_FORMAT",
    "check_snapshot",
    "decode_state",
    "encode_state",
    "fingerprint",
]

SNAPSHOT_FORMAT = 1
"""
The version of what a snapshot means; raise it when ``evolve`` changes how events fold
into a state (a change the shape of the classes does not show), so that every old
snapshot is ignored.

.. versionadded:: 0.1.0
"""

SNAPSHOT_EVERY_DEFAULT = 100
"""
Events between two snapshots of a complaint, by default
(:class:`~lapor_core.service.ComplaintService`'s ``snapshot_every``).

.. versionadded:: 0.1.0
"""

_CONVERTER = _make_converter()


def _describe(tp: object, seen: set[object]) -> Iterator[str]:
    """Lines describing *tp* and every attrs class and enum it reaches (once each)."""
    if tp in seen:
        return
    seen.add(tp)
    if isinstance(tp, type) and attrs.has(tp):
        hints = typing.get_type_hints(tp)
        fields = ",".join(f"{f.name}:{hints.get(f.name, f.type)!r}" for f in attrs.fields(tp))
        yield f"{tp.__module__}.{tp.__qualname__}({fields})"
        for f in attrs.fields(tp):
            yield from _describe(hints.get(f.name, f.type), seen)
    elif isinstance(tp, type) and issubclass(tp, enum.Enum):
        yield f"{tp.__module__}.{tp.__qualname__}{sorted(str(m.value) for m in tp)}"
    else:
        for arg in typing.get_args(tp):
            yield from _describe(arg, seen)


_SHAPE = "\n".join(_describe(Complaint, set()))


def _code_of(fn: object) -> str:
    code = getattr(fn, "__code__", None)
    name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', type(fn).__name__)}"
    if code is None:
        return name
    return f"{name}:{hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()}"


# each codec's fingerprint, with what it was computed from (computing one hashes every
# upcaster's code)
_FINGERPRINTS: weakref.WeakKeyDictionary[Codec, tuple[tuple[int, int, str], str]] = (
    weakref.WeakKeyDictionary()
)


def fingerprint(codec: Codec = CODEC) -> str:
    """
    The fingerprint a snapshot made by the running code carries (hex, 32 characters).

    It changes when the state classes, an event type's schema version, an upcaster of
    *codec* or :data:`SNAPSHOT_FORMAT` changes.

    .. versionadded:: 0.1.0
    """
    key = (codec.revision, SNAPSHOT_FORMAT, _SHAPE)
    known = _FINGERPRINTS.get(codec)
    if known is not None and known[0] == key:
        return known[1]
    events = sorted((name, cls.SCHEMA_VERSION) for name, cls in codec.event_types.items())
    upcasters = sorted(
        (name, version, _code_of(fn)) for (name, version), fn in codec.upcasters.items()
    )
    text = json.dumps([SNAPSHOT_FORMAT, _SHAPE, events, upcasters])
    found = hashlib.sha256(text.encode()).hexdigest()[:32]
    _FINGERPRINTS[codec] = (key, found)
    return found


def encode_state(state: Complaint) -> str:
    """
    The JSON text of a complaint's state (for a snapshot).

    .. versionadded:: 0.1.0
    """
    data = _CONVERTER.unstructure(state, Complaint)
    return _dumps(data)


def decode_state(data: str | bytes | object) -> Complaint:
    """
    A complaint's state from :func:`encode_state`'s JSON text (or its parsed value).

    Raises:
        StorageError: Not such a state (bad JSON, a missing or wrong field).

    .. versionadded:: 0.1.0
    """
    try:
        parsed = orjson.loads(data) if isinstance(data, str | bytes) else data
        return _CONVERTER.structure(parsed, Complaint)
    except Exception as exc:  # noqa: BLE001 - any failure means an unusable snapshot
        raise StorageError(
            N_("corrupt snapshot: {type_name}: {reason}"),
            type_name=type(exc).__name__,
            reason=str(exc),
        ) from None


def check_snapshot(state: Complaint) -> None:
    """
    Check the argument of ``save_snapshot`` (same for every backend).

    Raises:
        ValidationError: Not a complaint's state.

    .. versionadded:: 0.1.0
    """
    if not isinstance(state, Complaint):
        raise ValidationError(N_("a snapshot is a Complaint, got {got}"), got=type(state).__name__)
