"""
Hypothesis strategies for a deployment: actors scoped to agencies, calendars, profiles.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import CalendarOverride, OverrideKind, WorkingCalendar
from lapor_core.domain.profile import Profile
from lapor_core.profiles import bundled_profiles, load_profile
from lapor_core.testing.strategies.values import TIME_ZONES

__all__ = ["actors", "calendar_overrides", "calendars", "profiles"]


def actors(
    registry: AgencyRegistry, roles: Iterable[Role] | None = None
) -> st.SearchStrategy[Actor]:
    """
    Actors of the given roles; agency roles are scoped to an agency of *registry*.

    Agency actors are built with :func:`~lapor_core.domain.actors.make_agency_actor`, so
    only agencies with their decree (*SK*) get them.

    Args:
        registry: The agency tree.
        roles: The roles drawn (default: every role).

    .. versionadded:: 0.1.0
    """
    return _actors(registry, tuple(Role) if roles is None else tuple(roles))


@functools.cache
def _actors(registry: AgencyRegistry, chosen: tuple[Role, ...]) -> st.SearchStrategy[Actor]:
    with_decree = [a.id for a in registry if a.has_decree]
    options: list[st.SearchStrategy[Actor]] = []
    for role in chosen:
        if role.is_agency_role:
            options.append(
                st.sampled_from(with_decree).map(
                    functools.partial(_scoped, registry, role),
                )
            )
        elif role is Role.REPORTER:
            ids = st.from_regex(r"[a-z0-9][a-z0-9._-]{0,30}", fullmatch=True)
            options.append(ids.map(Actor.reporter))
        elif role is Role.NATIONAL_ADMIN:
            options.append(st.sampled_from(["admin-nasional", "admin-2"]).map(Actor.national_admin))
        else:
            options.append(st.sampled_from(["sweeper", "lapor-wal-sync"]).map(Actor.system))
    return st.one_of(options)


def _scoped(registry: AgencyRegistry, role: Role, agency: str) -> Actor:
    return make_agency_actor(registry, f"{role.value}@{agency}", role, agency)


@functools.cache
def calendar_overrides(
    first: date = date(2024, 1, 1), last: date = date(2027, 12, 31)
) -> st.SearchStrategy[CalendarOverride]:
    """
    Dated overrides: a regional day off or a cancelled day off, with a basis.

    .. versionadded:: 0.1.0
    """
    return st.builds(
        CalendarOverride,
        date=st.dates(first, last),
        kind=st.sampled_from(OverrideKind),
        name=st.sampled_from(["Hari jadi kota", "Cuti bersama dibatalkan", "Libur daerah"]),
        basis=st.just("Keputusan Gubernur (contoh)"),
    )


@functools.cache
def calendars() -> st.SearchStrategy[WorkingCalendar]:
    """
    Working calendars: a zone, *cuti bersama* on or off, a five- or six-day week, a few overrides.

    .. versionadded:: 0.1.0
    """
    overrides = st.lists(calendar_overrides(), max_size=3, unique_by=lambda o: o.date)
    return st.builds(
        WorkingCalendar,
        time_zone=st.sampled_from(TIME_ZONES),
        include_cuti_bersama=st.booleans(),
        six_day_week=st.booleans(),
        overrides=overrides,
    )


_TOGGLES = (
    "reopen",
    "rating",
    "hold_pauses_clocks",
    "rejection_restarts_forwarding",
    "cuti_bersama",
    "extension",
)


@functools.cache
def _bundled(name: str | Path) -> Profile:
    return load_profile(name)


def _copy(value: Any) -> Any:  # noqa: ANN401 - nested TOML data
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _enabled(profile: Profile, option: str) -> bool:
    """Whether ``options.<option>.enabled`` is on in *profile*'s TOML."""
    options = profile.raw.get("options")
    table = options.get(option) if isinstance(options, Mapping) else None
    return bool(table.get("enabled")) if isinstance(table, Mapping) else False


@functools.cache
def _toggled(name: str | Path, switches: tuple[tuple[str, bool], ...]) -> Profile:
    base = _bundled(name)
    if not switches:
        return base
    data = _copy(base.raw)
    for option, enabled in switches:
        data["options"][option]["enabled"] = enabled
    if base.parent in bundled_profiles():
        return Profile.from_mapping(data, parent=_bundled(base.parent))
    # A parent given as a file: its values are already merged into raw.
    data["profile"].pop("parent", None)
    return Profile.from_mapping(data)


def profiles(
    names: Sequence[str | Path] = ("national", "kaltim"),
) -> st.SearchStrategy[Profile]:
    """
    Profiles with their options toggled: bundled ones by name, or profile files by path.

    Reopen, rating, hold pauses the clocks, rejection restarts forwarding, *cuti
    bersama* and extensions are each switched on or off; the profiles built are cached,
    so drawing many is cheap.

    Args:
        names: Bundled profile names or profile file paths to start from.

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0 profile files.
    """
    return _profiles(tuple(names))


@functools.cache
def _profiles(names: tuple[str | Path, ...]) -> st.SearchStrategy[Profile]:
    @st.composite
    def build(draw: st.DrawFn) -> Profile:
        name = draw(st.sampled_from(names))
        base = _bundled(name)
        switches = []
        for option in _TOGGLES:
            current = _enabled(base, option)
            wanted = draw(st.booleans())
            if wanted != current:
                switches.append((option, wanted))
        return _toggled(name, tuple(switches))

    return build()
