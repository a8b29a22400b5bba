"""GeoReport output fixes: service codes, the 4,000 cap, no doubled line, statuses, leniency."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from interop_helpers import PROFILE, sentinel_complaint, service

import lapor_core as lc
from lapor_core.errors import ValidationError
from lapor_core.interop.open311 import (
    DESCRIPTION_LIMIT,
    TRUNCATION_MARKER,
    UNCATEGORISED_SERVICE_CODE,
    UNCATEGORISED_SERVICE_NAME,
    extended_status,
    extra_attributes,
    service_definition,
    submit_from_request,
    to_service_request,
)

T_SUBMIT = datetime.fromisoformat("2025-03-03T08:00:00+07:00")
SYSTEM = lc.Actor.system("open311")


def _form(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "service_code": "infrastruktur",
        "description": "Lampu jalan mati\nLampu di Jl. Juanda mati sejak tiga hari.",
        "address_string": "Jl. Juanda, Samarinda",
        "email": "warga@example.org",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def _posted(form: dict[str, Any], cid: str = "o311-1") -> lc.Complaint:
    submit = submit_from_request(form, complaint_id=lc.ComplaintId(cid), profile=PROFILE)
    return service().handle(submit, SYSTEM, now=T_SUBMIT).complaint


def test_the_first_line_is_not_doubled_after_a_post() -> None:
    out = to_service_request(_posted(_form()))
    assert "Lampu jalan mati\nLampu di Jl. Juanda mati sejak tiga hari." == out["description"]


def test_a_given_title_still_heads_the_description() -> None:
    out = to_service_request(_posted(_form(**{"attribute[title]": "Judul lain"})))
    description = out["description"]
    assert description is not None
    assert description.startswith("Judul lain\n\nLampu jalan mati\n")


def test_descriptions_are_capped_at_4000_with_a_marker() -> None:
    body = "a" * 4100
    out = to_service_request(_posted(_form(description=body)))
    description = out["description"]
    assert description is not None
    assert DESCRIPTION_LIMIT == len(description)
    assert description.endswith(TRUNCATION_MARKER)
    short = to_service_request(_posted(_form(description="b" * 3990)))
    assert "b" * 3990 == short["description"]


def test_uncategorised_complaints_have_the_declared_service() -> None:
    complaint = _posted(_form(service_code=UNCATEGORISED_SERVICE_CODE))
    assert complaint.category is None
    out = to_service_request(complaint, profile=PROFILE)
    assert UNCATEGORISED_SERVICE_CODE == out["service_code"]
    assert UNCATEGORISED_SERVICE_NAME == out["service_name"]
    definition = service_definition(PROFILE, UNCATEGORISED_SERVICE_CODE)
    assert UNCATEGORISED_SERVICE_CODE == definition["service_code"]


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (lc.Status.SUBMITTED, None, "open"),
        (lc.Status.ON_HOLD, None, "investigating"),
        (lc.Status.FORWARDED, None, "action_scheduled"),
        (lc.Status.IN_PROGRESS, None, "in_progress"),
        (lc.Status.COMPLETED, None, "fixed"),
        (lc.Status.ARCHIVED, lc.ArchiveReason.DUPLICATE, "duplicate"),
        (lc.Status.ARCHIVED, lc.ArchiveReason.OUT_OF_SCOPE, "not_councils_responsibility"),
        (lc.Status.ARCHIVED, lc.ArchiveReason.NOT_GOVERNMENT, "not_councils_responsibility"),
        (lc.Status.ARCHIVED, lc.ArchiveReason.UNCLEAR, "no_further_action"),
        (lc.Status.ARCHIVED, None, "no_further_action"),
    ],
)
def test_extended_status(status: lc.Status, reason: lc.ArchiveReason | None, expected: str) -> None:
    assert expected == extended_status(status, reason)


def test_archived_and_completed_differ_in_extended_attributes() -> None:
    completed = to_service_request(
        sentinel_complaint(lc.Status.COMPLETED, lc.Privacy()), extended=True
    )
    archived = to_service_request(
        sentinel_complaint(lc.Status.ARCHIVED, lc.Privacy()), extended=True
    )
    assert completed["status"] == archived["status"] == "closed"
    assert "fixed" == completed["extended_attributes"]["extended_status"]
    assert "no_further_action" == archived["extended_attributes"]["extended_status"]


def test_description_and_identity_are_optional() -> None:
    complaint = _posted(_form(description=None, email=None))
    assert "Tanpa deskripsi (no description)" == complaint.content.title
    assert complaint.privacy.anonymous
    assert "anonim" == complaint.reporter.id


def test_unknown_attributes_are_kept_and_listed() -> None:
    form = _form(**{"attribute[WHISPAWN]": "123456", "attribute[WHISDORN][]": ["A", "B"]})
    assert {"WHISDORN": "A, B", "WHISPAWN": "123456"} == extra_attributes(form)
    complaint = _posted(form)
    assert complaint.content.body.endswith(
        "Atribut tambahan (extended attributes): WHISDORN=A, B; WHISPAWN=123456"
    )
    nested = _form(attribute={"WHISPAWN": ["1", "2"], "anonim": "true"})
    assert {"WHISPAWN": "1, 2"} == extra_attributes(nested)
    assert _posted(nested).privacy.anonymous


def test_list_values_as_frameworks_parse_forms() -> None:
    form = {key: [value] for key, value in _form().items()}
    complaint = _posted(form)
    assert "Lampu jalan mati" == complaint.content.title
    with pytest.raises(ValidationError, match="description: given 2 times"):
        submit_from_request(
            _form(description=["satu", "dua"]), complaint_id=lc.ComplaintId("o311-2")
        )
    with pytest.raises(ValidationError, match=r"attribute\[kind\]: given 2 values"):
        submit_from_request(
            _form(**{"attribute[kind][]": ["aspirasi", "pengaduan"]}),
            complaint_id=lc.ComplaintId("o311-3"),
        )
    with pytest.raises(ValidationError, match="not an attribute code"):
        submit_from_request(_form(**{"attribute[]": "x"}), complaint_id=lc.ComplaintId("o311-4"))


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"attribute[title]": "j" * 301}, "attribute[title]:"),
        ({"description": "d" * 20_001}, "description:"),
        ({"address_string": "a" * 501}, "address_string:"),
        ({"address_id": "i" * 65}, "address_id:"),
        ({"media_url": "ftp://example.org/foto.jpg"}, "media_url:"),
        ({"email": None, "account_id": "a" * 65}, "account_id:"),
        ({"first_name": "n" * 201}, "first_name:"),
        (
            {
                "email": None,
                "phone": "0812",
                "first_name": "Budi",
                "account_id": "b",
                "last_name": "x" * 200,
            },
            "first_name:",
        ),
        ({"email": "w@" + "e" * 200}, "email:"),
    ],
)
def test_a_refused_field_is_named_by_its_parameter(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        submit_from_request(
            _form(**changes), complaint_id=lc.ComplaintId("o311-x"), profile=PROFILE
        )
    assert str(caught.value).startswith(named), str(caught.value)
