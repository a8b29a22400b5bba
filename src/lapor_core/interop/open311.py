"""
Open311 GeoReport v2: service requests out, POSTed requests in, the service list.

`GeoReport v2 <https://wiki.open311.org/GeoReport_v2/>`_ is the open standard many city
apps speak. This module maps our complaints (*laporan*) onto it and back:

* :func:`to_service_request`: a :class:`~lapor_core.domain.complaint.Complaint` as a
  GeoReport ``service_request`` (the shape of ``GET requests.json``). Everything public
  comes from :func:`~lapor_core.domain.privacy.public_view`, so privacy holds exactly as
  there: *rahasia* (confidential) hides the description and the address (the location is
  part of the content, *lokasi kejadian*); *anonim* (anonymous) hides the reporter, who is
  never in a standard field anyway and appears only in the optional
  ``extended_attributes`` when the report is not anonymous. Given a working-day
  calendar, ``expected_datetime`` is the next deadline of the complaint's running SLA
  clocks.
* :func:`submit_from_request`: the parameters of a ``POST requests.json`` as our
  :class:`~lapor_core.domain.commands.Submit`; a bad parameter raises
  :class:`~lapor_core.errors.ValidationError` naming it.
* :func:`services` and :func:`service_definition`: the categories (*kategori*) of a
  profile as GeoReport services.

What comes out is plain JSON-ready dicts, typed as :class:`ServiceRequest` (with
:class:`ExtendedAttributes`), :class:`Service` and :class:`ServiceDefinition` (with
:class:`ServiceAttribute` and :class:`AttributeValue`): ``TypedDict`` classes, so a type
checker knows each field.

Everything here is pure: no I/O, no clock. The three parts live in private modules
beside this one (requests out, requests in, the service list); import their names from
here.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.interop._open311_post import (
    OPEN311_CHANNEL,
    extra_attributes,
    submit_from_request,
)
from lapor_core.interop._open311_requests import (
    DESCRIPTION_LIMIT,
    OPEN311_STATUS,
    TRUNCATION_MARKER,
    ExtendedAttributes,
    ServiceRequest,
    extended_status,
    to_service_request,
)
from lapor_core.interop._open311_services import (
    UNCATEGORISED_SERVICE_CODE,
    UNCATEGORISED_SERVICE_NAME,
    AttributeValue,
    Service,
    ServiceAttribute,
    ServiceDefinition,
    category_names,
    service_definition,
    services,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "OPEN311_CHANNEL",
    "OPEN311_STATUS",
    "TRUNCATION_MARKER",
    "UNCATEGORISED_SERVICE_CODE",
    "UNCATEGORISED_SERVICE_NAME",
    "AttributeValue",
    "ExtendedAttributes",
    "Service",
    "ServiceAttribute",
    "ServiceDefinition",
    "ServiceRequest",
    "category_names",
    "extended_status",
    "extra_attributes",
    "service_definition",
    "services",
    "submit_from_request",
    "to_service_request",
]
