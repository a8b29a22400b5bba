"""
Who acts: roles, actors and agency scoping.

Roles follow domain.md section 1 ([C]). An agency's actors act only on complaints
assigned inside their subtree; a reporter only on their own complaints.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum

import attrs

from lapor_core.domain._validators import (
    AGENCY_ID_MAX_LENGTH,
    ID_MAX_LENGTH,
    identifier,
    instance_of,
    optional_identifier,
)
from lapor_core.domain.agencies import AgencyRegistry
from lapor_core.errors import N_, PermissionDenied, ValidationError

__all__ = ["Actor", "Role", "make_agency_actor"]


class Role(enum.Enum):
    """
    The roles of SP4N-LAPOR! (domain.md section 1).

    .. versionadded:: 0.1.0
    """

    REPORTER = "reporter"
    """*Pelapor*: submits, provides information, replies, rates."""
    NATIONAL_ADMIN = "national_admin"
    """*Admin Nasional*: verifies, forwards anywhere, archives, intervenes."""
    AGENCY_ADMIN = "agency_admin"
    """*Admin Instansi* / *Admin Koordinator*: verifies, forwards to its units, rejects."""
    UNIT_ADMIN = "unit_admin"
    """*Admin Unit Kerja*: forwards to liaison officers, drafts replies."""
    LIAISON_OFFICER = "liaison_officer"
    """*Pejabat / Admin Penghubung*: posts the follow-up (*tindak lanjut*)."""
    SYSTEM = "system"
    """The library's own sweeper, issuing clock commands; also integrations."""
    PUBLIC = "public"
    """*Publik*: anyone reading without an account (a tracking page); acts on nothing.

    .. versionadded:: 0.2.0
    """

    @property
    def is_agency_role(self) -> bool:
        """Whether the role belongs to an agency and is scoped to its subtree."""
        return self in _AGENCY_ROLES


_AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.UNIT_ADMIN, Role.LIAISON_OFFICER})


@attrs.frozen
class Actor:
    """
    Someone (or something) issuing a command.

    Attributes:
        id: Account id (for a reporter, the same as :attr:`Reporter.id`): one line of
            text, at most 128 characters (see the text rules in ``docs/storage.md``).
        role: Their role.
        agency_id: The agency node whose subtree they act in; required for agency roles,
            forbidden for reporters. (Stored under the key ``agency``, as before 0.2.0.)

    Build actors with the constructors: :meth:`reporter`, :meth:`national_admin`,
    :meth:`agency` (any agency role), its shorthands :meth:`agency_admin`,
    :meth:`unit_admin` and :meth:`liaison_officer`, :meth:`system` and :meth:`public`.
    An agency actor names its agency by id; ``decide`` checks it against the profile's
    registry (the agency must exist and have its decree, *SK*), and
    :func:`make_agency_actor` checks it at once.

    .. versionchanged:: 0.2.0
       The attribute ``agency`` is now :attr:`agency_id`, so that ``Actor.agency(...)``
       can be the constructor of agency actors.

    .. versionadded:: 0.1.0
    """

    id: str = attrs.field(validator=identifier(ID_MAX_LENGTH, N_("actor id")))
    role: Role = attrs.field(validator=instance_of(Role))
    agency_id: str | None = attrs.field(
        default=None, validator=optional_identifier(AGENCY_ID_MAX_LENGTH, N_("actor agency"))
    )

    def __attrs_post_init__(self) -> None:
        """Check that agency roles carry an agency and reporters do not."""
        if self.role.is_agency_role and self.agency_id is None:
            raise ValidationError(N_("a {role} actor must name its agency"), role=self.role.value)
        if self.role in (Role.REPORTER, Role.PUBLIC) and self.agency_id is not None:
            raise ValidationError(
                N_("a {role} actor does not belong to an agency"), role=self.role.value
            )

    @classmethod
    def reporter(cls, reporter_id: str) -> Actor:
        """A reporter actor."""
        return cls(reporter_id, Role.REPORTER)

    @classmethod
    def national_admin(cls, admin_id: str) -> Actor:
        """A national admin actor."""
        return cls(admin_id, Role.NATIONAL_ADMIN)

    @classmethod
    def agency(cls, actor_id: str, role: Role, agency_id: str) -> Actor:
        """
        An actor of *agency_id* in an agency *role* (agency admin, unit admin, liaison).

        The registry is consulted when the actor acts: ``decide`` refuses an agency it
        does not know or one without its decree (``PermissionDenied``). Use
        :func:`make_agency_actor` to check against a registry at once.

        Raises:
            ValidationError: *role* is not an agency role.

        .. versionadded:: 0.2.0
        """
        if not isinstance(role, Role) or not role.is_agency_role:
            choices = ", ".join(r.value for r in Role if r.is_agency_role)
            raise ValidationError(
                N_("{role!r} is not an agency role (one of: {choices})"), role=role, choices=choices
            )
        return cls(actor_id, role, agency_id)

    @classmethod
    def agency_admin(cls, admin_id: str, agency: str) -> Actor:
        """
        An agency admin (*Admin Instansi*) of *agency*, an agency id.

        The registry is consulted when the actor acts: ``decide`` refuses an agency it
        does not know or one without its decree (``PermissionDenied``).

        .. versionadded:: 0.2.0
        """
        return cls(admin_id, Role.AGENCY_ADMIN, agency)

    @classmethod
    def unit_admin(cls, admin_id: str, agency: str) -> Actor:
        """
        A unit admin (*Admin Unit Kerja*) of *agency*; checked as :meth:`agency_admin`.

        .. versionadded:: 0.2.0
        """
        return cls(admin_id, Role.UNIT_ADMIN, agency)

    @classmethod
    def liaison_officer(cls, officer_id: str, agency: str) -> Actor:
        """
        A liaison officer (*Pejabat Penghubung*) of *agency*; checked as :meth:`agency_admin`.

        .. versionadded:: 0.2.0
        """
        return cls(officer_id, Role.LIAISON_OFFICER, agency)

    @classmethod
    def system(cls, name: str = "sweeper") -> Actor:
        """The system actor that issues clock commands."""
        return cls(name, Role.SYSTEM)

    @classmethod
    def public(cls, name: str = "publik") -> Actor:
        """
        A reader without an account: sees what the privacy policy shows the public.

        .. versionadded:: 0.2.0
        """
        return cls(name, Role.PUBLIC)


def make_agency_actor(registry: AgencyRegistry, actor_id: str, role: Role, agency_id: str) -> Actor:
    """
    Create an agency-scoped actor after checking the registry.

    Args:
        registry: The agency tree.
        actor_id: The account id.
        role: An agency role (agency admin, unit admin, liaison officer).
        agency_id: Where the actor works.

    Raises:
        NotFound: Unknown agency.
        ValidationError: *role* is not an agency role.
        PermissionDenied: The agency has no decree (*SK*) appointing its complaint team,
            so it cannot be given admin accounts (seed report 2021; domain.md section 6).

    .. versionadded:: 0.1.0
    """
    if not isinstance(role, Role):
        raise ValidationError(
            N_("{attr_name} must be {names}, got {type_name} {value!r}"),
            attr_name="role",
            names="Role",
            type_name=type(role).__name__,
            value=role,
        )
    agency = registry.get(agency_id)
    if not role.is_agency_role:
        raise ValidationError(N_("{role} is not an agency role"), role=role.value)
    if not agency.has_decree:
        raise PermissionDenied(
            N_(
                "agency {agency_id!r} has no decree (SK) appointing its complaint team; "
                "it cannot be given admin accounts"
            ),
            agency_id=agency_id,
        )
    return Actor(actor_id, role, agency_id)
