"""
Profiles: the rules that vary between deployments, parsed from TOML and validated.

A profile holds the options (reopen, rating, ...), the status labels in Indonesian and
English plus the local names a regional app uses, and the service-standard durations.
Every rule carries its basis (the source in domain.md) and how sure we are of it:
``C`` confirmed, ``I`` inferred, ``U`` unknown (a documented default, not law), ``L``
a local choice of the deployment.

A profile may extend another (``[profile] parent = "national"``) and state only what
differs: the child's mapping is deep-merged over the parent's resolved mapping (tables
merge key by key, the child winning; lists and scalars replace), then validated as a
whole. :meth:`Profile.provenance` says which profile each value came from and
:meth:`Profile.describe` prints the resolved profile with those origins.

Parsing is pure (text in, :class:`Profile` out); reading files, and finding a parent by
name, lives in :mod:`lapor_core.profiles`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from datetime import date
from types import MappingProxyType
from typing import Any, TypeVar

import attrs

from lapor_core.domain.agencies import TIME_ZONES
from lapor_core.domain.calendar import CalendarOverride, WorkingCalendar, overrides_from_records
from lapor_core.domain.clocks import BreachAction, ClockDefinition, ClockScope, DurationUnit
from lapor_core.domain.commands import COMMANDS
from lapor_core.domain.model import Basis, Channel, ChannelType, Confidence, Status
from lapor_core.errors import ProfileError

__all__ = [
    "Basis",
    "ChannelOption",
    "Confidence",
    "Duration",
    "DurationUnit",
    "ExtensionOption",
    "FlagOption",
    "OverrideRule",
    "Profile",
    "RatingOption",
    "ReopenOption",
    "StatusLabels",
    "merge_profile_data",
]

T = TypeVar("T")


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


@attrs.frozen
class FlagOption:
    """
    A yes/no rule the sources do not settle, with its documented default.

    .. versionadded:: 0.1.0
    """

    enabled: bool
    basis: Basis


@attrs.frozen
class ExtensionOption:
    """
    Whether and how far an agency may extend a clock (domain.md section 3.4: [U] for SP4N).

    .. versionadded:: 0.1.0
    """

    enabled: bool
    max_count: int
    max_amount: int
    basis: Basis


@attrs.frozen
class Duration:
    """
    A service-standard duration with its basis.

    .. versionadded:: 0.1.0
    """

    amount: int
    unit: DurationUnit
    basis: Basis


@attrs.frozen
class ChannelOption:
    """
    A channel a deployment receives reports through (``[channels.<key>]``).

    A regional profile lists its own front-ends here, e.g. East Kalimantan's
    *LAPOR WAL!* (domain.md section 3.5).

    Attributes:
        key: The table key (``lapor_wal``).
        name: The channel's name as reports carry it (``"LAPOR WAL!"``).
        kind: Its :class:`~lapor_core.domain.model.ChannelType`.
        description: Free text (how it links to the national LAPOR!).
        basis: Where the fact comes from.

    .. versionadded:: 0.1.0
    """

    key: str
    name: str
    kind: ChannelType
    description: str
    basis: Basis

    def channel(self) -> Channel:
        """The :class:`~lapor_core.domain.model.Channel` value a submission carries."""
        return Channel(self.kind, self.name)


@attrs.frozen
class OverrideRule:
    """
    A calendar override of the profile (``[[calendar.override]]``) with its confidence.

    .. versionadded:: 0.1.0
    """

    override: CalendarOverride
    confidence: Confidence

    @property
    def basis(self) -> Basis:
        """The override's basis text with the rule's confidence."""
        return Basis(self.override.basis, self.confidence)


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
        return Basis(source, self.confidence())

    def confidence(self) -> Confidence:
        raw = self.get("confidence", str)
        try:
            return Confidence(raw)
        except ValueError:
            raise ProfileError(
                f"{self.key('confidence')}: {raw!r} is not one of C, I, U, L"
            ) from None

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
    :func:`lapor_core.profiles.load_profile`. ``service_standards`` maps each category
    code to its duration key, ``category_names`` to its name (the code when unnamed).

    .. versionadded:: 0.1.0
    """

    name: str
    description: str
    time_zone: str
    reopen: ReopenOption
    rating: RatingOption
    labels: Mapping[Status, StatusLabels]
    durations: Mapping[str, Duration]
    clocks: Mapping[str, ClockDefinition]
    service_standards: Mapping[str, str]
    hold_pauses_clocks: FlagOption
    rejection_restarts_forwarding: FlagOption
    cuti_bersama: FlagOption
    extension: ExtensionOption
    parent: str | None = None
    raw: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    channels: Mapping[str, ChannelOption] = attrs.field(factory=dict)
    calendar_rules: tuple[OverrideRule, ...] = ()
    disabled_commands: frozenset[str] = frozenset()
    disabled_basis: Basis | None = None
    origins: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    category_names: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_toml(cls, text: str, parent: Profile | None = None) -> Profile:
        """
        Parse and validate a profile.

        Args:
            text: The TOML document.
            parent: The resolved profile this one extends, when it names one
                (``[profile] parent``); see :meth:`from_mapping`.

        Raises:
            ProfileError: Invalid TOML, a missing or unknown key, a wrong type, a
                non-positive duration, a missing basis, an unresolved or mismatched
                parent; the message names the key.
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(f"profile is not valid TOML: {exc}") from exc
        return cls.from_mapping(data, parent=parent)

    @classmethod
    def from_mapping(  # noqa: C901, PLR0912, PLR0915 - one flat block per table
        cls, data: Mapping[str, Any], parent: Profile | None = None
    ) -> Profile:
        """
        Validate a profile given as nested mappings (parsed TOML).

        With *parent*, *data* is deep-merged over ``parent.raw`` first (see
        :func:`merge_profile_data`) and the result is validated as a whole; the
        provenance of every value is recorded. A profile that names a parent must be
        given it (:func:`lapor_core.profiles.load_profile` finds it by name).

        Raises:
            ProfileError: As :meth:`from_toml`.
        """
        head_raw = data.get("profile")
        declared = head_raw.get("parent") if isinstance(head_raw, Mapping) else None
        if parent is None and declared:
            raise ProfileError(
                f"profile.parent: this profile extends {declared!r}; pass parent= (or load it "
                "with lapor_core.profiles.load_profile, which resolves parents by name)"
            )
        if parent is not None and declared is not None and declared != parent.name:
            raise ProfileError(
                f"profile.parent: this profile extends {declared!r}, not {parent.name!r}"
            )
        own_name = head_raw.get("name") if isinstance(head_raw, Mapping) else None
        if parent is not None:
            merged = merge_profile_data(parent.raw, data)
            head_merged = merged.get("profile")
            if isinstance(head_merged, dict):
                head_merged["parent"] = parent.name
                order = ("name", "description", "parent")
                merged["profile"] = {
                    **{k: head_merged[k] for k in order if k in head_merged},
                    **{k: v for k, v in head_merged.items() if k not in order},
                }
            origins = _origins(merged, data, str(own_name), parent.provenance())
            data = merged
        else:
            origins = _origins(data, data, str(own_name), {})
        root = _Reader(data, "")
        head = root.sub("profile")
        name = head.get("name", str)
        description = head.get("description", str, "")
        time_zone = head.get("time_zone", str)
        if time_zone not in TIME_ZONES:
            raise ProfileError(f"profile.time_zone: {time_zone!r} is not one of {TIME_ZONES}")
        parent_name = head.get("parent", str, "") or None
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
        flags = {}
        for flag in ("hold_pauses_clocks", "rejection_restarts_forwarding", "cuti_bersama"):
            f = options.sub(flag)
            flags[flag] = FlagOption(f.get("enabled", bool), f.basis())
            f.done()
        ext_r = options.sub("extension")
        extension = ExtensionOption(
            enabled=ext_r.get("enabled", bool),
            max_count=_positive(ext_r, "max_count"),
            max_amount=_positive(ext_r, "max_amount"),
            basis=ext_r.basis(),
        )
        ext_r.done()
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
        owner: dict[str, Status] = {}
        for status, status_labels in labels.items():
            for name_ in (status.value, status_labels.id, status_labels.en):
                owner.setdefault(name_.casefold(), status)
        for status, status_labels in labels.items():
            for name_ in status_labels.local:
                other = owner.get(name_.casefold(), status)
                if other is not status:
                    raise ProfileError(
                        f"statuses.{status.value}.local: {name_!r} is already a label of "
                        f"{other.value}"
                    )

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
        clocks = _parse_clocks(root.sub("clocks"), durations, flags)
        service_standards, category_names = _parse_categories(
            root.sub("categories", required=False), durations
        )
        channels = _parse_channels(root.sub("channels", required=False))
        calendar_rules = _parse_calendar(root.sub("calendar", required=False))
        disabled, disabled_basis = _parse_lifecycle(root.sub("lifecycle", required=False))
        root.done()
        return cls(
            name=name,
            description=description,
            time_zone=time_zone,
            reopen=reopen,
            rating=rating,
            labels=MappingProxyType(labels),
            durations=MappingProxyType(durations),
            clocks=MappingProxyType(clocks),
            service_standards=MappingProxyType(service_standards),
            category_names=MappingProxyType(category_names),
            hold_pauses_clocks=flags["hold_pauses_clocks"],
            rejection_restarts_forwarding=flags["rejection_restarts_forwarding"],
            cuti_bersama=flags["cuti_bersama"],
            extension=extension,
            parent=parent_name,
            raw=MappingProxyType(dict(data)),
            channels=MappingProxyType(channels),
            calendar_rules=calendar_rules,
            disabled_commands=disabled,
            disabled_basis=disabled_basis,
            origins=MappingProxyType(origins),
        )

    @property
    def calendar_overrides(self) -> tuple[CalendarOverride, ...]:
        """The profile's dated calendar overrides (``[[calendar.override]]``)."""
        return tuple(rule.override for rule in self.calendar_rules)

    def calendar(self) -> WorkingCalendar:
        """
        The working-day calendar of the profile.

        Its time zone, whether *cuti bersama* counts as a day off (``options.cuti_bersama``)
        and its dated overrides. Building one takes milliseconds: build it once.
        """
        return WorkingCalendar(
            time_zone=self.time_zone,
            include_cuti_bersama=self.cuti_bersama.enabled,
            overrides=self.calendar_overrides,
        )

    def channel(self, key: str) -> Channel:
        """
        The channel value for the profile's channel *key* (``lapor_wal``).

        Raises:
            ProfileError: The profile has no such channel.
        """
        option = self.channels.get(key)
        if option is None:
            known = ", ".join(sorted(self.channels)) or "none"
            raise ProfileError(f"profile {self.name!r} has no channel {key!r} (known: {known})")
        return option.channel()

    def provenance(self) -> Mapping[str, str]:
        """
        Where each value came from: dotted key -> name of the profile that set it.

        Keys are the leaves of the resolved mapping (``statuses.in_progress.local``,
        ``profile.time_zone``); a list (e.g. ``calendar.override``) is one leaf.
        """
        if self.origins:
            return self.origins
        return MappingProxyType(_origins(self.raw, self.raw, self.name, {}))

    def describe(self) -> str:
        """
        The resolved profile, one value per line, each with the profile it came from.

        Lines read ``key = value  <- origin``, in the order of the resolved mapping.
        """
        origins = self.provenance()
        chain = f" (extends {self.parent!r})" if self.parent else ""
        lines = [f"# profile {self.name!r}{chain}: resolved values and their origin"]
        for key, value in _leaves(self.raw):
            lines.append(f"{key} = {_toml_value(value)}  <- {origins.get(key, self.name)}")
        return "\n".join(lines) + "\n"

    def duration_of(self, clock: ClockDefinition, category: str | None) -> Duration | None:
        """
        The duration a clock runs for (``None``: the clock does not start).

        A ``by_category`` clock takes the service standard of the complaint's category and
        does not start for a complaint without one.
        """
        if clock.by_category:
            key = self.service_standards.get(category) if category is not None else None
            return self.durations[key] if key is not None else None
        assert clock.duration is not None  # noqa: S101 - checked when parsed
        return self.durations[clock.duration]

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
        for key, flag in (
            ("options.hold_pauses_clocks.enabled", self.hold_pauses_clocks),
            ("options.rejection_restarts_forwarding.enabled", self.rejection_restarts_forwarding),
            ("options.cuti_bersama.enabled", self.cuti_bersama),
        ):
            yield (key, flag.enabled, flag.basis)
        yield (
            "options.extension",
            f"{self.extension.max_count} x {self.extension.max_amount}"
            if self.extension.enabled
            else "off",
            self.extension.basis,
        )
        for key, duration in self.durations.items():
            yield (f"durations.{key}", f"{duration.amount} {duration.unit.value}", duration.basis)
        for key, clock in self.clocks.items():
            yield (f"clocks.{key}", clock.breach.value, clock.basis)
        for key, channel in self.channels.items():
            yield (f"channels.{key}", f"{channel.name} ({channel.kind.value})", channel.basis)
        for index, rule in enumerate(self.calendar_rules):
            override = rule.override
            value = f"{override.date.isoformat()} {override.kind.value}: {override.name}"
            yield (f"calendar.override[{index}]", value, rule.basis)
        if self.disabled_basis is not None:
            value = ", ".join(sorted(self.disabled_commands)) or "none"
            yield ("lifecycle.disabled_commands", value, self.disabled_basis)


_HOLD_EVENTS = frozenset({"InformationRequested", "InformationProvided"})
_RESTART_ON_RETURN = "DispositionRejected:returned"
KNOWN_TRIGGERS = frozenset(
    {
        "ComplaintSubmitted",
        "ComplaintClassified",
        "InformationRequested",
        "InformationProvided",
        "ComplaintForwarded",
        "ForwardedInternally",
        "DispositionRejected",
        "DispositionRejected:returned",
        "FollowUpPosted",
        "ReplyPosted",
        "ComplaintClosed",
        "ComplaintArchived",
        "ComplaintRated",
        "ComplaintReopened",
        "PrivacyChanged",
    }
)
"""Event names a clock definition may name as start, stop, pause or resume."""


def _names(reader: _Reader, key: str) -> frozenset[str]:
    values = reader.get(key, list, [])
    for value in values:
        if value not in KNOWN_TRIGGERS:
            raise ProfileError(f"{reader.key(key)}: unknown event {value!r}")
    return frozenset(values)


def _parse_clocks(  # noqa: C901 - one check per key of a clock table
    table: _Reader, durations: Mapping[str, Duration], flags: Mapping[str, FlagOption]
) -> dict[str, ClockDefinition]:
    clocks: dict[str, ClockDefinition] = {}
    for name in sorted(table.table):
        r = table.sub(name)
        start = _names(r, "start")
        if not start:
            raise ProfileError(f"{r.key('start')}: a clock needs at least one start event")
        stop, pause, resume = _names(r, "stop"), _names(r, "pause"), _names(r, "resume")
        if not flags["hold_pauses_clocks"].enabled:
            pause, resume = pause - _HOLD_EVENTS, resume - _HOLD_EVENTS
        if not flags["rejection_restarts_forwarding"].enabled:
            start = start - {_RESTART_ON_RETURN}
        by_category = r.get("by_category", bool, False)
        duration = r.get("duration", str, "") or None
        if by_category == (duration is not None):
            raise ProfileError(f"{r.key('duration')}: give a duration key or by_category = true")
        if duration is not None and duration not in durations:
            raise ProfileError(f"{r.key('duration')}: no duration named {duration!r}")
        raw_breach = r.get("breach", str)
        try:
            breach = BreachAction(raw_breach)
        except ValueError:
            raise ProfileError(
                f"{r.key('breach')}: {raw_breach!r} is not one of {[b.value for b in BreachAction]}"
            ) from None
        escalate_to = r.get("escalate_to", str, "") or None
        if (breach is BreachAction.ESCALATE) != (escalate_to is not None):
            raise ProfileError(f"{r.key('escalate_to')}: required exactly when breach = 'escalate'")
        if escalate_to not in (None, "parent", "national"):
            raise ProfileError(f"{r.key('escalate_to')}: use 'parent' or 'national'")
        warn_at = r.get("warn_at", list, [])
        if any(not isinstance(w, int) or not 0 < w < 100 for w in warn_at):
            raise ProfileError(f"{r.key('warn_at')}: thresholds are percents between 1 and 99")
        raw_scope = r.get("scope", str, "complaint")
        try:
            scope = ClockScope(raw_scope)
        except ValueError:
            raise ProfileError(f"{r.key('scope')}: use 'complaint' or 'assignment'") from None
        clocks[name] = ClockDefinition(
            name=name,
            start=start,
            stop=stop,
            pause=pause,
            resume=resume,
            duration=duration,
            breach=breach,
            basis=r.basis(),
            by_category=by_category,
            warn_at=tuple(sorted(set(warn_at))),
            escalate_to=escalate_to,
            scope=scope,
            extendable=r.get("extendable", bool, False),
        )
        r.done()
    return clocks


def _parse_categories(
    table: _Reader, durations: Mapping[str, Duration]
) -> tuple[dict[str, str], dict[str, str]]:
    """The categories' service standards and their names (the code when unnamed)."""
    standards: dict[str, str] = {}
    names: dict[str, str] = {}
    for code in sorted(table.table):
        r = table.sub(code)
        key = r.get("service_standard", str)
        if key not in durations:
            raise ProfileError(f"{r.key('service_standard')}: no duration named {key!r}")
        standards[code] = key
        names[code] = r.get("name", str, "").strip() or code
        r.done()
    return standards, names


_COMMANDS = frozenset(command.__name__ for command in COMMANDS)


def _parse_channels(table: _Reader) -> dict[str, ChannelOption]:
    channels: dict[str, ChannelOption] = {}
    for key in sorted(table.table):
        r = table.sub(key)
        name = r.get("name", str)
        if not name.strip():
            raise ProfileError(f"{r.key('name')}: must not be empty")
        raw_kind = r.get("kind", str)
        try:
            kind = ChannelType(raw_kind)
        except ValueError:
            raise ProfileError(
                f"{r.key('kind')}: {raw_kind!r} is not one of {[t.value for t in ChannelType]}"
            ) from None
        description = r.get("description", str, "")
        channels[key] = ChannelOption(key, name, kind, description, r.basis())
        r.done()
    return channels


def _parse_calendar(table: _Reader) -> tuple[OverrideRule, ...]:
    records = table.get("override", list, [])
    confidences: list[Confidence] = []
    plain: list[object] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ProfileError(f"{table.key('override')}[{index}]: expected a table")
        r = _Reader(record, f"{table.key('override')}[{index}]")
        confidences.append(r.confidence())
        plain.append({k: v for k, v in record.items() if k != "confidence"})
    table.done()
    overrides = overrides_from_records(plain, table.key("override"))
    return tuple(OverrideRule(o, conf) for o, conf in zip(overrides, confidences, strict=True))


def _parse_lifecycle(table: _Reader) -> tuple[frozenset[str], Basis | None]:
    if not table.table:
        return frozenset(), None
    names = table.get("disabled_commands", list, [])
    for value in names:
        if value not in _COMMANDS:
            raise ProfileError(
                f"{table.key('disabled_commands')}: unknown command {value!r} "
                f"(one of {', '.join(sorted(_COMMANDS))})"
            )
    basis = table.basis()
    table.done()
    return frozenset(names), basis


_NOT_INHERITED = ("name", "description", "parent")


def merge_profile_data(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """
    Deep-merge a child profile's mapping over its parent's (resolved) mapping.

    Tables merge key by key, the child winning; lists and scalars replace the parent's
    value whole (a child's ``local`` names or ``[[calendar.override]]`` list replaces the
    parent's). The parent's ``profile.name``, ``profile.description`` and
    ``profile.parent`` are not inherited: a child names and describes itself. Neither
    input is changed.

    .. versionadded:: 0.1.0
    """
    base = _copy_tables(parent)
    head = base.get("profile")
    if isinstance(head, dict):
        for key in _NOT_INHERITED:
            head.pop(key, None)
    return _merge(base, child)


def _copy_tables(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy_tables(v) if isinstance(v, Mapping) else v for k, v in value.items()}


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        current = base.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            base[key] = _merge(current, value)
        elif isinstance(value, Mapping):
            base[key] = _copy_tables(value)
        else:
            base[key] = value
    return base


def _leaves(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            yield from _leaves(value, path)
        else:
            yield path, value


def _origins(
    merged: Mapping[str, Any], own: Mapping[str, Any], name: str, inherited: Mapping[str, str]
) -> dict[str, str]:
    """Leaf key -> origin: *name* where *own* sets the leaf, else the parent's origin."""
    mine = {key for key, _ in _leaves(own)}
    return {
        key: name if key in mine or key not in inherited else inherited[key]
        for key, _ in _leaves(merged)
    }


def _toml_value(value: object) -> str:
    """A value written the TOML way (for :meth:`Profile.describe`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)
