"""
Open311 GeoReport v2, the service list: a profile's categories as GeoReport services.

Every public name here is re-exported by :mod:`lapor_core.interop.open311`; import it
from there.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from lapor_core.domain.model import Kind
from lapor_core.domain.profile import Profile
from lapor_core.errors import N_, ProfileError, Term

__all__ = [
    "UNCATEGORISED_SERVICE_CODE",
    "UNCATEGORISED_SERVICE_NAME",
    "AttributeValue",
    "Service",
    "ServiceAttribute",
    "ServiceDefinition",
    "category_names",
    "service_definition",
    "services",
]


UNCATEGORISED_SERVICE_CODE = "uncategorised"
"""
The ``service_code`` of a complaint without a category (*belum dikategorikan*).

GeoReport v2 wants a ``service_code`` on every request: :func:`services` declares this
service after the profile's categories, and a ``POST`` with it submits a complaint
without a category, for the admin to classify.

.. versionadded:: 0.2.0
"""

UNCATEGORISED_SERVICE_NAME = "Belum dikategorikan (uncategorised)"
"""
The ``service_name`` of :data:`UNCATEGORISED_SERVICE_CODE`, in Indonesian and English.

.. versionadded:: 0.2.0
"""


class Service(TypedDict):
    """
    One GeoReport v2 service (an item of ``GET services.json``): a category (*kategori*).

    Attributes:
        service_code: The category's code.
        service_name: Its name (its code when it has none).
        description: Its service standard, e.g.
            ``"service standard (standar pelayanan): 5 working_days (service_normative)"``.
        metadata: Always ``True``: :func:`service_definition` lists the attributes.
        type: Always ``"realtime"``: the complaint id is known at once.
        keywords: ``"lapor, sp4n, <code>"``.
        group: Always ``"SP4N-LAPOR!"``.

    .. versionadded:: 0.1.0
    """

    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class AttributeValue(TypedDict):
    """
    One choice of a ``singlevaluelist`` attribute: its ``key`` and its ``name``.

    .. versionadded:: 0.1.0
    """

    key: str
    name: str


class ServiceAttribute(TypedDict):
    """
    One attribute of a GeoReport v2 service definition (``attribute[code]`` of a POST).

    ``values`` is there only for a ``singlevaluelist``; the other keys always are.

    .. versionadded:: 0.1.0
    """

    variable: bool
    code: str
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: NotRequired[list[AttributeValue]]


class ServiceDefinition(TypedDict):
    """
    A GeoReport v2 service definition (``GET services/{code}.json``).

    .. versionadded:: 0.1.0
    """

    service_code: str
    attributes: list[ServiceAttribute]


def category_names(profile: Profile) -> dict[str, str]:
    """
    The profile's category codes with their names (``[categories.<code>] name``).

    A category without a name is named by its code.

    .. versionadded:: 0.1.0
    """
    return dict(sorted(profile.category_names.items()))


def services(profile: Profile) -> list[Service]:
    """
    The profile's categories as GeoReport v2 services (``GET services.json``).

    One service per ``[categories.<code>]`` of the profile, in code order:
    ``service_code`` (the code), ``service_name`` (its name), ``description`` (its
    service standard, e.g. ``"service standard: 5 working_days (service_normative)"``),
    ``metadata`` (``True``: :func:`service_definition` lists the attributes),
    ``type`` (``"realtime"``: the complaint id is known at once), ``keywords`` and
    ``group``. Last comes :data:`UNCATEGORISED_SERVICE_CODE`, the service of a
    complaint without a category (the only one of a profile without categories).

    .. versionadded:: 0.1.0
    .. versionchanged:: 0.2.0
       The ``uncategorised`` service is listed last.
    """
    out: list[Service] = []
    for code, name in category_names(profile).items():
        key = profile.service_standards[code]
        duration = profile.durations.get(key)
        standard = f"{duration.amount} {duration.unit.value} " if duration is not None else ""
        out.append(
            {
                "service_code": code,
                "service_name": name,
                "description": f"service standard (standar pelayanan): {standard}({key})",
                "metadata": True,
                "type": "realtime",
                "keywords": f"lapor, sp4n, {code}",
                "group": "SP4N-LAPOR!",
            }
        )
    out.append(
        {
            "service_code": UNCATEGORISED_SERVICE_CODE,
            "service_name": UNCATEGORISED_SERVICE_NAME,
            "description": "not yet classified (belum dikategorikan): the admin assigns "
            "the category",
            "metadata": True,
            "type": "realtime",
            "keywords": f"lapor, sp4n, {UNCATEGORISED_SERVICE_CODE}",
            "group": "SP4N-LAPOR!",
        }
    )
    return out


def _attribute(
    code: str,
    description: str,
    datatype: str,
    order: int,
    values: list[AttributeValue] | None = None,
) -> ServiceAttribute:
    """One optional attribute of the definition, in GeoReport's key order."""
    attribute: ServiceAttribute = {
        "variable": True,
        "code": code,
        "datatype": datatype,
        "required": False,
        "datatype_description": "",
        "order": order,
        "description": description,
    }
    if values is not None:
        attribute["values"] = values
    return attribute


def service_definition(profile: Profile, service_code: str) -> ServiceDefinition:
    """
    The GeoReport v2 service definition of a category (``GET services/{code}.json``).

    It lists the attributes :func:`submit_from_request` understands: ``title``,
    ``kind``, ``anonim``, ``rahasia``, ``region`` and ``tracking_id``.

    :data:`UNCATEGORISED_SERVICE_CODE` has the same attributes.

    Raises:
        ProfileError: The profile has no such category.

    .. versionadded:: 0.1.0
    """
    known_codes = {*profile.service_standards, UNCATEGORISED_SERVICE_CODE}
    if service_code not in known_codes:
        known = ", ".join(sorted(profile.service_standards)) or Term(N_("none"))
        raise ProfileError(
            N_("profile {profile!r} has no category {code!r} (known: {known})"),
            profile=profile.name,
            code=service_code,
            known=known,
        )
    kinds: list[AttributeValue] = [{"key": k.value, "name": k.label_id} for k in Kind]
    flags: list[AttributeValue] = [{"key": "false", "name": "Tidak"}, {"key": "true", "name": "Ya"}]
    return {
        "service_code": service_code,
        "attributes": [
            _attribute("title", "Judul (title); default: the first line", "string", 1),
            _attribute("kind", "Klasifikasi laporan (kind)", "singlevaluelist", 2, kinds),
            _attribute("anonim", "Anonim: hide my identity", "singlevaluelist", 3, flags),
            _attribute("rahasia", "Rahasia: hide the content", "singlevaluelist", 4, flags),
            _attribute("region", "Kode wilayah Kemendagri (region code)", "string", 5),
            _attribute("tracking_id", "SP4N-LAPOR! Tracking ID, if known", "string", 6),
        ],
    }
