"""The public API is explicit, sorted, documented and pinned: changing it is a deliberate diff."""

from __future__ import annotations

import inspect
import typing

import pytest

import lapor_core

EXPECTED = {
    # errors
    "LaporError",
    "ValidationError",
    "InvalidTransition",
    "PermissionDenied",
    "NotFound",
    "ConcurrencyConflict",
    "ProfileError",
    "CalendarRangeError",
    "StorageError",
    # value objects
    "ComplaintId",
    "TrackingId",
    "Kind",
    "Privacy",
    "Channel",
    "ChannelType",
    "RegionCode",
    "Category",
    "Reporter",
    "Content",
    "GeoPoint",
    "PointPrecision",
    "ExternalIds",
    "ArchiveReason",
    # actors and agencies
    "Role",
    "Actor",
    "make_agency_actor",
    "AgencyRegistry",
    # lifecycle
    "Status",
    # commands
    "Command",
    "Submit",
    "Classify",
    "RequestInformation",
    "ProvideInformation",
    "Forward",
    "ForwardInternally",
    "RejectDisposition",
    "PostFollowUp",
    "Reply",
    "Close",
    "AutoClose",
    "Archive",
    "Rate",
    "Reopen",
    "ChangePrivacy",
    # events
    "Event",
    "Assignment",
    "ComplaintSubmitted",
    "ComplaintClassified",
    "InformationRequested",
    "InformationProvided",
    "ComplaintForwarded",
    "ForwardedInternally",
    "DispositionRejected",
    "FollowUpPosted",
    "ReplyPosted",
    "ComplaintClosed",
    "ComplaintArchived",
    "ComplaintRated",
    "ComplaintReopened",
    "PrivacyChanged",
    # core
    "Complaint",
    "Context",
    "decide",
    "evolve",
    "replay",
    # profiles
    "Profile",
    "load_profile",
    "load_registry",
    "bundled_profiles",
    # calendar and clocks
    "WorkingCalendar",
    "Deadline",
    "deadlines",
    "ExtendDeadline",
    "RecordBreach",
    "RecomputeDeadlines",
    "RecordWarning",
    "ClockBreached",
    "ClockWarned",
    "DeadlineExtended",
    "DeadlinesRecomputed",
    # the service and its store
    "ComplaintService",
    "HandleResult",
    "HistoryEntry",
    "open_store",
}


def test_all_is_pinned() -> None:
    assert len(EXPECTED) <= 90  # the root holds what an application needs, no more
    assert EXPECTED == set(lapor_core.__all__)


def _isort_key(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions (ruff RUF022's isort-style order)."""
    rank = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return (rank, name)


def test_all_is_sorted_and_unique() -> None:
    assert sorted(lapor_core.__all__, key=_isort_key) == list(lapor_core.__all__)
    assert len(set(lapor_core.__all__)) == len(lapor_core.__all__)


def test_every_public_name_exists_and_is_documented() -> None:
    undocumented = []
    for name in lapor_core.__all__:
        obj = getattr(lapor_core, name)
        if name.isupper():  # constants are documented in their module
            continue
        if not inspect.getdoc(obj):
            undocumented.append(name)
    assert [] == undocumented


def test_public_methods_are_documented() -> None:
    undocumented = []
    for name in lapor_core.__all__:
        obj = getattr(lapor_core, name)
        if not inspect.isclass(obj):
            continue
        for attr, member in vars(obj).items():
            if attr.startswith("_") or (not callable(member) and not isinstance(member, property)):
                continue
            target = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            if not inspect.getdoc(target):
                undocumented.append(f"{name}.{attr}")
    assert [] == undocumented


def test_version() -> None:
    assert isinstance(lapor_core.__version__, str)
    assert lapor_core.__version__


def _mentions_any(annotation: object) -> bool:
    if annotation is typing.Any:
        return True
    return any(_mentions_any(arg) for arg in typing.get_args(annotation))


def _annotated(obj: object) -> list[tuple[str, object]]:
    """Every annotation a user of *obj* meets: fields, signatures, properties."""
    found: list[tuple[str, object]] = []
    functions: list[tuple[str, object]] = []
    if inspect.isclass(obj):
        found.extend(typing.get_type_hints(obj).items())
        for name, member in vars(obj).items():
            if name.startswith("_") and name != "__init__":
                continue
            if isinstance(member, property):
                functions.append((name, member.fget))
            elif isinstance(member, (classmethod, staticmethod)):
                functions.append((name, member.__func__))
            elif inspect.isfunction(member):
                functions.append((name, member))
    elif callable(obj):
        functions.append(("", obj))
    for name, function in functions:
        hints = typing.get_type_hints(function)
        found.extend((f"{name}.{key}", hint) for key, hint in hints.items())
    return found


@pytest.mark.parametrize("name", sorted(lapor_core.__all__))
def test_no_any_in_the_public_api(name: str) -> None:
    obj = getattr(lapor_core, name)
    assert [] == [(where, hint) for where, hint in _annotated(obj) if _mentions_any(hint)]
