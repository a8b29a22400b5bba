"""
A record's content fingerprint, for :func:`~lapor_core.interop.importer.import_lapor_csv`.

An import meets a *Tracking ID* again in the same file: the same content is a duplicate,
other content a conflict, named by the columns that differ. Each compared column gives
three bytes of its value's hash, packed into one number kept per key: cheap to keep for
a million rows, and which columns differ still shows.

The fingerprints use Python's own ``hash``, so they live only as long as the run, in one
process and the workers it forks (a forked worker keeps its parent's hash seed).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from typing import Final

from lapor_core.interop.lapor_csv import LaporCsvRecord

__all__ = ["differences", "fingerprint"]

_RECORD_FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("category_id", "KategoriID"),
    ("agency_id", "DisposisiInstansiID"),
    ("area_id", "AreaID"),
    ("received_at", "TanggalLaporanMasuk"),
    ("forwarded_at", "TanggalDisposisi"),
    ("last_activity_at", "TanggalLaporanAktivitasTerakhir"),
    ("closed_at", "TanggalLaporanDitutup"),
    ("status", "Status"),
    ("title", "JudulLaporan"),
    ("body", "IsiLaporan"),
)
"""The compared fields of a record, with their columns."""
_FIELD_BITS: Final = 24
_FIELD_MASK: Final = (1 << _FIELD_BITS) - 1


def fingerprint(record: LaporCsvRecord) -> int:
    """Three bytes of each compared field's hash, packed."""
    packed = 0
    for name, _ in _RECORD_FIELDS:
        packed = (packed << _FIELD_BITS) | (hash(getattr(record, name)) & _FIELD_MASK)
    return packed


def differences(old: int, new: int) -> list[str]:
    """The columns whose values differ between two fingerprints, in the file's order."""
    last = len(_RECORD_FIELDS) - 1
    return [
        column
        for index, (_, column) in enumerate(_RECORD_FIELDS)
        if (old >> ((last - index) * _FIELD_BITS)) & _FIELD_MASK
        != (new >> ((last - index) * _FIELD_BITS)) & _FIELD_MASK
    ]
