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

The parts of a profile live beside this module, and their public names are re-exported
here: the values it holds in :mod:`lapor_core.domain.profile_rules`, the file format
(config classes that report every problem at once, with its dotted key) in
:mod:`lapor_core.domain.profile_config`, the merge of a child over its parent in
:mod:`lapor_core.domain.profile_merge`.

Parsing is pure (text in, :class:`Profile` out); reading files, and finding a parent by
name, lives in :mod:`lapor_core.profiles`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from lapor_core.domain.calendar import CalendarOverride, WorkingCalendar
from lapor_core.domain.clocks import ClockDefinition, DurationUnit
from lapor_core.domain.model import Basis, Category, Channel, Confidence, Status
from lapor_core.domain.profile_config import KNOWN_TRIGGERS, ProfileConfig
from lapor_core.domain.profile_merge import (
    leaves,
    merge_profile_data,
    toml_value,
    value_origins,
)
from lapor_core.domain.profile_rules import (
    DEFAULT_NO_WRONG_DOOR_OPTION,
    DEFAULT_RULES_AT_CLOCK_START_OPTION,
    DEFAULT_THREAD_OPTION,
    DEFAULT_UNCATEGORISED_OPTION,
    ChannelOption,
    Duration,
    ExtensionOption,
    FlagOption,
    OverrideRule,
    RatingOption,
    ReopenOption,
    StatusLabels,
    ThreadOption,
)
from lapor_core.errors import N_, ProfileError, Term, ValidationError

__all__ = [
    "KNOWN_TRIGGERS",
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


@attrs.frozen(eq=False)
class Profile:
    """
    The validated rules of one deployment (national, or a region's).

    Build one with :meth:`from_toml`; load bundled ones with
    :func:`lapor_core.profiles.load_profile`. ``service_standards`` maps each category
    code to its duration key, ``category_names`` to its name (the code when unnamed),
    ``category_bases`` to its basis (a local choice when the table cites none).

    ``durations`` holds each duration's table-level version (the undated rule, or the
    one in force before its first dated change); ``duration_versions`` every version of
    each duration in date order (see :meth:`duration_in_force`).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       ``duration_versions`` and ``rules_at_clock_start``.
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
    raw: Mapping[str, object] = attrs.field(factory=dict, repr=False)
    channels: Mapping[str, ChannelOption] = attrs.field(factory=dict)
    calendar_rules: tuple[OverrideRule, ...] = ()
    disabled_commands: frozenset[str] = frozenset()
    disabled_basis: Basis | None = None
    origins: Mapping[str, str] = attrs.field(factory=dict, repr=False)
    category_names: Mapping[str, str] = attrs.field(factory=dict)
    category_bases: Mapping[str, Basis] = attrs.field(factory=dict)
    thread: ThreadOption = DEFAULT_THREAD_OPTION
    uncategorised: FlagOption = DEFAULT_UNCATEGORISED_OPTION
    no_wrong_door: FlagOption = DEFAULT_NO_WRONG_DOOR_OPTION
    duration_versions: Mapping[str, tuple[Duration, ...]] = attrs.field(factory=dict)
    rules_at_clock_start: FlagOption = DEFAULT_RULES_AT_CLOCK_START_OPTION

    @classmethod
    def from_toml(cls, text: str, parent: Profile | None = None) -> Profile:
        """
        Parse and validate a profile.

        Args:
            text: The TOML document.
            parent: The resolved profile this one extends, when it names one
                (``[profile] parent``); see :meth:`from_mapping`.

        Raises:
            ProfileError: Invalid TOML, missing or unknown keys, wrong types, non-positive
                durations, missing bases, an unresolved or mismatched parent: every
                problem found, each naming its key (``ProfileError.problems``).
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ProfileError(N_("profile is not valid TOML: {reason}"), reason=str(exc)) from exc
        return cls.from_mapping(data, parent=parent)

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], parent: Profile | None = None) -> Profile:
        """
        Validate a profile given as nested mappings (parsed TOML).

        With *parent*, *data* is deep-merged over ``parent.raw`` first (see
        :func:`merge_profile_data`) and the result is validated as a whole; the
        provenance of every value is recorded. A profile that names a parent must be
        given it (:func:`lapor_core.profiles.load_profile` finds it by name).

        The file is read into a :class:`~lapor_core.domain.profile_config.ProfileConfig`,
        which reports every problem at once (:attr:`ProfileError.problems
        <lapor_core.errors.ProfileError.problems>`).

        Raises:
            ProfileError: As :meth:`from_toml`.
        """
        resolved, origins = _resolve(data, parent)
        config = ProfileConfig.from_mapping(resolved)
        return cls._from_config(config, resolved, origins)

    @classmethod
    def _from_config(
        cls, config: ProfileConfig, raw: Mapping[str, object], origins: Mapping[str, str]
    ) -> Profile:
        options = config.options
        hold, restart = options.hold_pauses_clocks, options.rejection_restarts_forwarding
        clocks = {
            name: clock.to_definition(
                name,
                hold_pauses_clocks=hold.enabled,
                rejection_restarts_forwarding=restart.enabled,
            )
            for name, clock in sorted(config.clocks.items())
        }
        categories = sorted(config.categories.items())
        lifecycle = config.lifecycle
        return cls(
            name=config.profile.name,
            description=config.profile.description,
            time_zone=config.profile.time_zone,
            reopen=options.reopen.to_option(),
            rating=options.rating.to_option(),
            labels=MappingProxyType({s: t.to_labels() for s, t in config.statuses.items()}),
            durations=MappingProxyType(
                {key: d.to_duration() for key, d in sorted(config.durations.items())}
            ),
            clocks=MappingProxyType(clocks),
            service_standards=MappingProxyType({c: t.service_standard for c, t in categories}),
            category_names=MappingProxyType({c: t.name.strip() or c for c, t in categories}),
            category_bases=MappingProxyType({c: t.to_basis() for c, t in categories}),
            hold_pauses_clocks=hold.to_option(),
            rejection_restarts_forwarding=restart.to_option(),
            cuti_bersama=options.cuti_bersama.to_option(),
            extension=options.extension.to_option(),
            parent=config.profile.parent or None,
            raw=MappingProxyType(dict(raw)),
            channels=MappingProxyType(
                {key: c.to_option(key) for key, c in sorted(config.channels.items())}
            ),
            calendar_rules=tuple(rule.to_rule() for rule in config.calendar.override),
            disabled_commands=frozenset(lifecycle.disabled_commands) if lifecycle else frozenset(),
            disabled_basis=lifecycle.to_basis() if lifecycle else None,
            origins=MappingProxyType(origins),
            thread=options.thread_option(),
            uncategorised=options.uncategorised_option(),
            no_wrong_door=options.no_wrong_door_option(),
            duration_versions=MappingProxyType(
                {key: d.versions() for key, d in sorted(config.durations.items())}
            ),
            rules_at_clock_start=options.rules_at_clock_start_option(),
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
            known = ", ".join(sorted(self.channels)) or Term(N_("none"))
            raise ProfileError(
                N_("profile {profile!r} has no channel {channel!r} (known: {known})"),
                profile=self.name,
                channel=key,
                known=known,
            )
        return option.channel()

    def provenance(self) -> Mapping[str, str]:
        """
        Where each value came from: dotted key -> name of the profile that set it.

        Keys are the leaves of the resolved mapping (``statuses.in_progress.local``,
        ``profile.time_zone``); a list (e.g. ``calendar.override``) is one leaf.
        """
        if self.origins:
            return self.origins
        return MappingProxyType(value_origins(self.raw, self.raw, self.name, {}))

    def describe(self) -> str:
        """
        The resolved profile, one value per line, each with the profile it came from.

        Lines read ``key = value  <- origin``, in the order of the resolved mapping.
        """
        origins = self.provenance()
        chain = f" (extends {self.parent!r})" if self.parent else ""
        lines = [f"# profile {self.name!r}{chain}: resolved values and their origin"]
        for key, value in leaves(self.raw):
            lines.append(f"{key} = {toml_value(value)}  <- {origins.get(key, self.name)}")
        return "\n".join(lines) + "\n"

    def duration_of(
        self,
        clock: ClockDefinition,
        category: str | None,
        submitted_at: datetime,
        started_at: datetime | None = None,
    ) -> Duration | None:
        """
        The duration a clock runs for (``None``: the clock does not start).

        A ``by_category`` clock takes the service standard of the complaint's category and
        does not start for a complaint without one. The version is the one in force when
        the complaint was submitted (*submitted_at*), or, with
        ``[options.rules_at_clock_start] enabled``, when the clock starts (*started_at*,
        which defaults to *submitted_at*); see :meth:`duration_in_force`.

        .. versionchanged:: 0.2.0
           *submitted_at* and *started_at*: durations may change from a date.
        """
        if clock.by_category:
            key = self.service_standards.get(category) if category is not None else None
            if key is None:
                return None
        else:
            assert clock.duration is not None  # noqa: S101 - checked when parsed
            key = clock.duration
        instant = submitted_at
        if self.rules_at_clock_start.enabled and started_at is not None:
            instant = started_at
        return self.duration_in_force(key, instant)

    def duration_in_force(self, key: str, at: datetime | date) -> Duration:
        """
        The version of duration *key* in force at *at*.

        An aware instant is read as a date in the profile's time zone; a date is taken
        as it is. The versions cover every day (checked when parsed).

        .. versionadded:: 0.2.0

        Raises:
            ProfileError: No duration named *key*.
            ValidationError: *at* is a naive datetime.
        """
        versions = self.duration_versions.get(key)
        if versions is None:
            if key not in self.durations:
                raise ProfileError(
                    N_("profile {profile!r} has no duration {duration!r}"),
                    profile=self.name,
                    duration=key,
                )
            return self.durations[key]
        if isinstance(at, datetime):
            if at.tzinfo is None or at.utcoffset() is None:
                raise ValidationError(
                    N_("duration {key!r}: the instant must be timezone-aware"), key=key
                )
            if len(versions) == 1:
                return versions[0]  # the one version covers every day: no need of the date
            day = at.astimezone(ZoneInfo(self.time_zone)).date()
        else:
            day = at
        for version in versions:
            if version.in_force_on(day):
                return version
        return versions[-1]  # unreachable for a parsed profile: the periods cover every day

    def category_for(self, code: str, where: str = "category") -> Category:
        """
        *code* as a category of this profile: the one category rule of every path.

        A code that is not one of the profile's categories is refused, unless
        ``[options.uncategorised] enabled``: then it is accepted as given and the
        complaint is *uncategorised* (its service-standard clock does not start).

        Raises:
            ValidationError: Not a valid category code, or not one of the profile's
                (named as *where*, e.g. ``service_code``).
        """
        if code not in self.service_standards and not self.uncategorised.enabled:
            known = ", ".join(sorted(self.service_standards)) or Term(N_("none"))
            raise ValidationError(
                N_(
                    "{where}: {code!r} is not a category of profile {profile_name!r} (known: "
                    "{known}; options.uncategorised is off)"
                ),
                where=where,
                code=code,
                profile_name=self.name,
                known=known,
            )
        try:
            return Category(code)
        except ValidationError as exc:
            raise ValidationError(N_("{where}: {exc}"), where=where, exc=exc) from None

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
        raise ProfileError(N_("unknown option {option!r}"), option=option)

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
        raise ProfileError(N_("unknown label language {lang!r}; use 'id' or 'en'"), lang=lang)

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
        raise ProfileError(
            N_("no status is labelled {label!r} in profile {profile!r}"),
            label=label,
            profile=self.name,
        )

    def _option_rules(self) -> Iterator[tuple[str, object, Basis]]:
        yield ("options.reopen.enabled", self.reopen.enabled, self.reopen.basis)
        yield ("options.rating.enabled", self.rating.enabled, self.rating.basis)
        for status, labels in self.labels.items():
            yield (f"statuses.{status.value}", labels.id, labels.basis)
        for key, flag in (
            ("options.hold_pauses_clocks.enabled", self.hold_pauses_clocks),
            ("options.rejection_restarts_forwarding.enabled", self.rejection_restarts_forwarding),
            ("options.cuti_bersama.enabled", self.cuti_bersama),
            ("options.uncategorised.enabled", self.uncategorised),
            ("options.no_wrong_door.enabled", self.no_wrong_door),
        ):
            yield (key, flag.enabled, flag.basis)
        yield (
            "options.extension",
            f"{self.extension.max_count} x {self.extension.max_amount}"
            if self.extension.enabled
            else "off",
            self.extension.basis,
        )
        yield (
            "options.rules_at_clock_start.enabled",
            self.rules_at_clock_start.enabled,
            self.rules_at_clock_start.basis,
        )

    def rules(self) -> Iterator[tuple[str, object, Basis]]:
        """Every rule as ``(key, value, basis)``, for a regulation matrix."""
        yield from self._option_rules()
        for key, duration in self.durations.items():
            versions = self.duration_versions.get(key, (duration,))
            if len(versions) == 1:
                value = f"{duration.amount} {duration.unit.value}"
                yield (f"durations.{key}", value, duration.basis)
                continue
            for version in versions:
                value = f"{version.amount} {version.unit.value} ({version.period()})"
                yield (f"durations.{key}", value, version.basis)
        for key, clock in self.clocks.items():
            yield (f"clocks.{key}", clock.breach.value, clock.basis)
        for code, basis in self.category_bases.items():
            yield (f"categories.{code}", self.service_standards[code], basis)
        for key, channel in self.channels.items():
            yield (f"channels.{key}", f"{channel.name} ({channel.kind.value})", channel.basis)
        for index, rule in enumerate(self.calendar_rules):
            override = rule.override
            value = f"{override.date.isoformat()} {override.kind.value}: {override.name}"
            yield (f"calendar.override[{index}]", value, rule.basis)
        if self.disabled_basis is not None:
            value = ", ".join(sorted(self.disabled_commands)) or "none"
            yield ("lifecycle.disabled_commands", value, self.disabled_basis)


def _resolve(
    data: Mapping[str, object], parent: Profile | None
) -> tuple[Mapping[str, object], dict[str, str]]:
    """The profile's mapping merged over its parent's, and the origin of every value."""
    head = data.get("profile")
    declared = head.get("parent") if isinstance(head, Mapping) else None
    own_name = str(head.get("name")) if isinstance(head, Mapping) else "None"
    if parent is None:
        if declared:
            raise ProfileError(
                N_(
                    "this profile extends {declared!r}; pass parent= (or load it "
                    "with lapor_core.profiles.load_profile, which resolves parents by name)"
                ),
                key="profile.parent",
                declared=declared,
            )
        return data, value_origins(data, data, own_name, {})
    if declared is not None and declared != parent.name:
        raise ProfileError(
            N_("this profile extends {declared!r}, not {name!r}"),
            key="profile.parent",
            declared=declared,
            name=parent.name,
        )
    merged = merge_profile_data(parent.raw, data)
    merged_head = merged.get("profile")
    if isinstance(merged_head, dict):
        merged_head["parent"] = parent.name
        order = ("name", "description", "parent")
        merged["profile"] = {
            **{k: merged_head[k] for k in order if k in merged_head},
            **{k: v for k, v in merged_head.items() if k not in order},
        }
    return merged, value_origins(merged, data, own_name, parent.provenance())
