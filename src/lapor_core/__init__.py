"""
lapor_core: the complaint-workflow core of SP4N-LAPOR!.

The root namespace holds what an application needs: the values, the commands and the
events, ``decide``/``evolve``/``replay``, the profiles, the service with its store
opener, and the errors. The rest lives in its module: the lifecycle table in
:mod:`lapor_core.domain.lifecycle`, the clocks in :mod:`lapor_core.domain.clocks`, the
calendar's overrides in :mod:`lapor_core.domain.calendar`, disposition rules in
:mod:`lapor_core.domain.disposition`, the profile's parts in
:mod:`lapor_core.domain.profile`, the profile check in :mod:`lapor_core.domain.check`,
the privacy policy in :mod:`lapor_core.domain.privacy`, the stores in
:mod:`lapor_core.storage`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.domain.actors import Actor, Role, make_agency_actor
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.domain.calendar import WorkingCalendar
from lapor_core.domain.clocks import Deadline, deadlines
from lapor_core.domain.commands import (
    Archive,
    AutoClose,
    ChangePrivacy,
    Classify,
    Close,
    Command,
    ExtendDeadline,
    Forward,
    ForwardInternally,
    PostFollowUp,
    ProvideInformation,
    Rate,
    RecomputeDeadlines,
    RecordBreach,
    RecordWarning,
    RejectDisposition,
    Reopen,
    Reply,
    RequestInformation,
    Submit,
)
from lapor_core.domain.complaint import Complaint, Context, decide, evolve, replay
from lapor_core.domain.events import (
    Assignment,
    ClockBreached,
    ClockWarned,
    ComplaintArchived,
    ComplaintClassified,
    ComplaintClosed,
    ComplaintForwarded,
    ComplaintRated,
    ComplaintReopened,
    ComplaintSubmitted,
    DeadlineExtended,
    DeadlinesRecomputed,
    DispositionRejected,
    Event,
    FollowUpPosted,
    ForwardedInternally,
    InformationProvided,
    InformationRequested,
    PrivacyChanged,
    ReplyPosted,
)
from lapor_core.domain.lifecycle import Status
from lapor_core.domain.model import (
    ArchiveReason,
    Category,
    Channel,
    ChannelType,
    ComplaintId,
    Content,
    ExternalIds,
    GeoPoint,
    Kind,
    PointPrecision,
    Privacy,
    RegionCode,
    Reporter,
    TrackingId,
)
from lapor_core.domain.profile import Profile
from lapor_core.errors import (
    CalendarRangeError,
    ConcurrencyConflict,
    InvalidTransition,
    LaporError,
    NotFound,
    PermissionDenied,
    ProfileError,
    StorageError,
    ValidationError,
)
from lapor_core.profiles import bundled_profiles, load_profile, load_registry
from lapor_core.service import ComplaintService, HandleResult, HistoryEntry
from lapor_core.storage import open_store

__version__ = "0.1.0.dev0"

__all__ = [
    "Actor",
    "AgencyRegistry",
    "Archive",
    "ArchiveReason",
    "Assignment",
    "AutoClose",
    "CalendarRangeError",
    "Category",
    "ChangePrivacy",
    "Channel",
    "ChannelType",
    "Classify",
    "ClockBreached",
    "ClockWarned",
    "Close",
    "Command",
    "Complaint",
    "ComplaintArchived",
    "ComplaintClassified",
    "ComplaintClosed",
    "ComplaintForwarded",
    "ComplaintId",
    "ComplaintRated",
    "ComplaintReopened",
    "ComplaintService",
    "ComplaintSubmitted",
    "ConcurrencyConflict",
    "Content",
    "Context",
    "Deadline",
    "DeadlineExtended",
    "DeadlinesRecomputed",
    "DispositionRejected",
    "Event",
    "ExtendDeadline",
    "ExternalIds",
    "FollowUpPosted",
    "Forward",
    "ForwardInternally",
    "ForwardedInternally",
    "GeoPoint",
    "HandleResult",
    "HistoryEntry",
    "InformationProvided",
    "InformationRequested",
    "InvalidTransition",
    "Kind",
    "LaporError",
    "NotFound",
    "PermissionDenied",
    "PointPrecision",
    "PostFollowUp",
    "Privacy",
    "PrivacyChanged",
    "Profile",
    "ProfileError",
    "ProvideInformation",
    "Rate",
    "RecomputeDeadlines",
    "RecordBreach",
    "RecordWarning",
    "RegionCode",
    "RejectDisposition",
    "Reopen",
    "Reply",
    "ReplyPosted",
    "Reporter",
    "RequestInformation",
    "Role",
    "Status",
    "StorageError",
    "Submit",
    "TrackingId",
    "ValidationError",
    "WorkingCalendar",
    "bundled_profiles",
    "deadlines",
    "decide",
    "evolve",
    "load_profile",
    "load_registry",
    "make_agency_actor",
    "open_store",
    "replay",
]
