"""
Profiles: the rules that vary between deployments, parsed from TOML and validated.

A profile holds the options (reopen, rating, ...), the status labels in Indonesian and
English plus the local names a regional app uses, and the service-standard durations.
Every rule carries its basis (the source in domain.md) and how sure we are of it:
``C`` confirmed, ``I`` inferred, ``U`` unknown (a documented default, not law), ``L``
a local choice of the deployment.

Parsing is pure (text in, :class:`Profile` out); reading files lives in
:mod:`lapor_core.profiles`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import tomllib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from lapor_core.domain.agencies import TIME_ZONES
from lapor_core.domain.lifecycle import Status
from lapor_core.errors import ProfileError

__all__ = [
    "Basis",
    "Confidence",
    "Duration",
    "DurationUnit",
    "Profile",
    "RatingOption",
    "ReopenOption",
    "StatusLabels",
]

T = TypeVar("T")


class Confidence(enum.Enum):
    """
    How sure we are of a rule (domain.md's tags, plus ``L`` for a deployment's own choice).

    .. versionadded:: 0.1.0
    """

    CONFIRMED = "C"
    """A cited source states it."""
    INFERRED = "I"
    """Pieced together from secondary sources."""
    UNKNOWN = "U"
    """No source: a configurable default, never presented as law."""
    LOCAL = "L"
    """A local choice or example of the deployment."""


@attrs.frozen
class Basis:
    """
    Where a rule comes from.

    .. versionadded:: 0.1.0
    """

    source: str
    confidence: Confidence

    def __str__(self) -> str:
        """``[C] source``."""
        return f"[{self.confidence.value}] {self.source}"


@attrs.frozen
class ReopenOption:
    """
    Whether a reporter may reopen a completed report (domain.md section 8 q7: [U]).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int
    window_days: int
    basis: Basis


@attrs.frozen
class RatingOption:
    """
    Whether a reporter may rate a completed report, and the scale (domain.md 8 q7: [U]).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    scale: int
    basis: Basis


@attrs.frozen
class StatusLabels:
    """
    Labels of a status: Indonesian, English, and local names mapped onto it.

    .. versionadded:: 0.1.0
    """

    id: str
    en: str
    local: tuple[str, ...]
    basis: Basis


class DurationUnit(enum.Enum):
    """
    Unit of a service-standard duration.

    .. versionadded:: 0.1.0
    """

    WORKING_DAYS = "working_days"
    """*Hari kerja* (HK), counted on the working-day calendar."""
    CALENDAR_DAYS = "calendar_days"
    """Calendar days."""
    HOURS = "hours"
    """Hours."""


@attrs.frozen
class Duration:
    """
    A service-standard duration with its basis.

    .. versionadded:: 0.1.0
    """

    amount: int
    unit: DurationUnit
    basis: Basis


class _Reader:
    """Reads a TOML table, tracking the key path for error messages."""

    def __init__(self, table: Mapping[str, Any], path: str) -> None:
        self.table = table
        self.path = path
        self.seen: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def get(self, name: str, kind: type[T], default: T | None = None) -> T:
        self.seen.add(name)
        if name not in self.table:
            if default is None:
                raise ProfileError(f"{self.key(name)}: missing")
            return default
        value = self.table[name]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if not ok:
            raise ProfileError(
                f"{self.key(name)}: expected {kind.__name__}, got {type(value).__name__}"
            )
        return value  # type: ignore[no-any-return]  # checked by isinstance above

    def sub(self, name: str, *, required: bool = True) -> _Reader:
        table = self.get(name, dict, None if required else {})
        return _Reader(table, self.key(name))

    def basis(self) -> Basis:
        source = self.get("basis", str)
        if not source.strip():
            raise ProfileError(f"{self.key('basis')}: must cite a source or say it is local")
        raw = self.get("confidence", str)
        try:
            confidence = Confidence(raw)
        except ValueError:
            raise ProfileError(
                f"{self.key('confidence')}: {raw!r} is not one of C, I, U, L"
            ) from None
        return Basis(source, confidence)

    def done(self) -> None:
        unknown = sorted(set(self.table) - self.seen)
        if unknown:
            raise ProfileError(f"{self.key(unknown[0])}: unknown key")


def _positive(reader: _Reader, name: str, *, allow_zero: bool = False) -> int:
    value = reader.get(name, int)
    if value < 0 or (value == 0 and not allow_zero):
        raise ProfileError(f"{reader.key(name)}: must be positive, got {value}")
    return value


@attrs.frozen(eq=False)
class Profile:
    """
    The validated rules of one deployment (national, or a region's).

    Build one with :meth:`from_toml`; load bundled ones with
    :func:`lapor_core.profiles.load_profile`.

    .. versionadded:: 0.1.0
    """

    name: str
    description: str
    time_zone: str
    reopen: ReopenOption
    rating: RatingOption
    labels: Mapping[Status, StatusLabels]
    durations: Mapping[str, Duration]
    parent: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    @classmethod
    def from_toml(cls, text: str) -> Profile:
        """
        Parse and validate a profile.

        Raises:
            ProfileError: Invalid TOML, a missing or unknown key, a wrong type, a
                non-positive duration, a missing basis; the message names the key.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"profile is not valid TOML: {exc}") from exc
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Profile:
        """Validate a profile given as nested mappings (parsed TOML)."""
        root = _Reader(data, "")
        head = root.sub("profile")
        name = head.get("name", str)
        description = head.get("description", str, "")
        time_zone = head.get("time_zone", str)
        if time_zone not in TIME_ZONES:
            raise ProfileError(f"profile.time_zone: {time_zone!r} is not one of {TIME_ZONES}")
        parent = head.get("parent", str, "") or None
        head.done()

        options = root.sub("options")
        reopen_r = options.sub("reopen")
        reopen = ReopenOption(
            enabled=reopen_r.get("enabled", bool),
            max_count=_positive(reopen_r, "max_count"),
            window_days=_positive(reopen_r, "window_days"),
            basis=reopen_r.basis(),
        )
        reopen_r.done()
        rating_r = options.sub("rating")
        rating = RatingOption(
            enabled=rating_r.get("enabled", bool),
            scale=_positive(rating_r, "scale"),
            basis=rating_r.basis(),
        )
        rating_r.done()
        options.done()

        statuses = root.sub("statuses")
        labels: dict[Status, StatusLabels] = {}
        local_seen: dict[str, Status] = {}
        for status in Status:
            s = statuses.sub(status.value)
            local = tuple(s.get("local", list, []))
            for name_ in local:
                if not isinstance(name_, str) or not name_.strip():
                    raise ProfileError(f"{s.key('local')}: local labels must be non-empty strings")
                other = local_seen.setdefault(name_.casefold(), status)
                if other is not status:
                    raise ProfileError(f"{s.key('local')}: {name_!r} already maps to {other.value}")
            label_id = s.get("id", str)
            label_en = s.get("en", str)
            for key, value in (("id", label_id), ("en", label_en)):
                if not value.strip():
                    raise ProfileError(f"{s.key(key)}: label must not be empty")
            labels[status] = StatusLabels(label_id, label_en, local, s.basis())
            s.done()
        statuses.done()

        durations_r = root.sub("durations")
        durations: dict[str, Duration] = {}
        for key in sorted(durations_r.table):
            d = durations_r.sub(key)
            unit_raw = d.get("unit", str)
            try:
                unit = DurationUnit(unit_raw)
            except ValueError:
                raise ProfileError(
                    f"{d.key('unit')}: {unit_raw!r} is not one of {[u.value for u in DurationUnit]}"
                ) from None
            durations[key] = Duration(_positive(d, "amount"), unit, d.basis())
            d.done()
        root.seen.add("clocks")  # read by the clocks layer
        root.done()
        return cls(
            name=name,
            description=description,
            time_zone=time_zone,
            reopen=reopen,
            rating=rating,
            labels=MappingProxyType(labels),
            durations=MappingProxyType(durations),
            parent=parent,
            raw=MappingProxyType(dict(data)),
        )

    def option_enabled(self, option: str) -> bool:
        """
        Whether a named option that gates transitions is on (``reopen``, ``rating``).

        Raises:
            ProfileError: Unknown option name.
        """
        if option == "reopen":
            return self.reopen.enabled
        if option == "rating":
            return self.rating.enabled
        raise ProfileError(f"unknown option {option!r}")

    def label(self, status: Status, lang: str = "id") -> str:
        """
        The label of *status* in ``"id"`` (Indonesian) or ``"en"`` (English).

        Raises:
            ProfileError: Unknown language.
        """
        labels = self.labels[status]
        if lang == "id":
            return labels.id
        if lang == "en":
            return labels.en
        raise ProfileError(f"unknown label language {lang!r}; use 'id' or 'en'")

    def status_for_label(self, label: str) -> Status:
        """
        Map a label (ours in either language, or a local name) onto our status.

        Raises:
            ProfileError: No status has this label.
        """
        wanted = label.strip().casefold()
        for status, labels in self.labels.items():
            names = (status.value, labels.id, labels.en, *labels.local)
            if wanted in {n.casefold() for n in names}:
                return status
        raise ProfileError(f"no status is labelled {label!r} in profile {self.name!r}")

    def rules(self) -> Iterator[tuple[str, object, Basis]]:
        """Every rule as ``(key, value, basis)``, for a regulation matrix."""
        yield ("options.reopen.enabled", self.reopen.enabled, self.reopen.basis)
        yield ("options.rating.enabled", self.rating.enabled, self.rating.basis)
        for status, labels in self.labels.items():
            yield (f"statuses.{status.value}", labels.id, labels.basis)
        for key, duration in self.durations.items():
            yield (f"durations.{key}", f"{duration.amount} {duration.unit.value}", duration.basis)
