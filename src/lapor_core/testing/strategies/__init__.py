"""
Hypothesis strategies for ``lapor_core``: values, actors, complaints and commands.

Value objects, actors, calendars, profiles, complaints in any reachable state, and
the commands ``decide`` accepts (or refuses) in a given state.

Use them in your own property tests::

    from hypothesis import given, strategies as st
    from lapor_core import Context, decide, load_profile, load_registry
    from lapor_core.testing import strategies as lst

    CTX = Context.create(load_profile("kaltim"), load_registry("kaltim"))

    @given(lst.complaints(CTX), st.data())
    def test_my_rule(made, data):
        complaint, events = made
        actor, command = data.draw(lst.commands_for(complaint, CTX))
        decide(complaint, command, actor, complaint.updated_at, CTX)  # accepted

Every value strategy draws only valid values (constructing them never raises). The
complaint strategies drive the real :func:`~lapor_core.domain.complaint.decide` and
:func:`~lapor_core.domain.complaint.evolve` from a submission, so a drawn complaint is
one the library can actually reach. :func:`valid_commands` lists ``(actor, command)``
pairs and keeps only those ``decide`` accepts at the given instant;
:func:`invalid_commands` draws pairs it refuses.

The strategies live in four modules, and every one is importable from this package:

* :mod:`~lapor_core.testing.strategies.values`: text, ids, kinds, channels, regions,
  reporters, contents, aware datetimes;
* :mod:`~lapor_core.testing.strategies.deployment`: actors scoped to agencies, calendars
  and profiles;
* :mod:`~lapor_core.testing.strategies.commands`: submissions, and the commands
  ``decide`` accepts or refuses for a complaint;
* :mod:`~lapor_core.testing.strategies.walks`: complaints in any reachable state.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.testing.strategies.commands import (
    Pair,
    commands_for,
    invalid_commands,
    submissions,
    valid_commands,
)
from lapor_core.testing.strategies.deployment import (
    actors,
    calendar_overrides,
    calendars,
    profiles,
)
from lapor_core.testing.strategies.values import (
    CALENDAR_FIRST,
    CALENDAR_LAST,
    REGIONAL_APP_NAMES,
    TIME_ZONES,
    archive_reasons,
    aware_datetimes,
    categories,
    channels,
    complaint_ids,
    contents,
    external_ids,
    geo_points,
    hostile_texts,
    kinds,
    media_urls,
    privacies,
    region_codes,
    reporters,
    texts,
    tracking_ids,
)
from lapor_core.testing.strategies.walks import complaints

__all__ = [
    "CALENDAR_FIRST",
    "CALENDAR_LAST",
    "REGIONAL_APP_NAMES",
    "TIME_ZONES",
    "Pair",
    "actors",
    "archive_reasons",
    "aware_datetimes",
    "calendar_overrides",
    "calendars",
    "categories",
    "channels",
    "commands_for",
    "complaint_ids",
    "complaints",
    "contents",
    "external_ids",
    "geo_points",
    "hostile_texts",
    "invalid_commands",
    "kinds",
    "media_urls",
    "privacies",
    "profiles",
    "region_codes",
    "reporters",
    "submissions",
    "texts",
    "tracking_ids",
    "valid_commands",
]
