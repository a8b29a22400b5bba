"""
The LAPOR! open-data export (*data aspirasi dan pengaduan masyarakat*): read, replay, write.

The older LAPOR! published its reports on data.go.id with these columns (domain.md §2,
[C]): ``TrackingID``, ``KategoriID``, ``DisposisiInstansiID``, ``AreaID``,
``TanggalLaporanMasuk`` (received), ``TanggalDisposisi`` (forwarded),
``TanggalLaporanAktivitasTerakhir`` (last activity), ``TanggalLaporanDitutup`` (closed)
and a status with the Indonesian labels of domain.md §3.1 (*Belum Terverifikasi*,
*Belum Ditindaklanjuti*, *Proses*, *Selesai*, *Tunda*, *Arsip*, and older names such as
*Belum* or *dihapus*).

Three steps, each usable alone, each in a module of this package (every name is also
importable from the package itself):

1. :mod:`~lapor_core.interop.lapor_csv.reading`: :func:`read_lapor_csv` streams the rows
   of a CSV text (the ``csv`` module, one row at a time) into typed
   :class:`LaporCsvRecord` values (:mod:`~lapor_core.interop.lapor_csv.records`), or a
   :class:`CsvRowError` naming the line and the column of a bad row. Dates are read by
   :mod:`~lapor_core.interop.lapor_csv.dates`: ISO 8601, day-first numeric formats, and
   dates with Indonesian month names (``02 Maret 2015 09:15``).
2. :mod:`~lapor_core.interop.lapor_csv.history`: :func:`record_steps` turns a record into
   the commands that reproduce its history through the real domain (its ids mapped onto
   ours by :mod:`~lapor_core.interop.lapor_csv.mapping`), and
   :func:`replay_record` decides them (pure: ``decide`` and ``evolve``), so the complaint
   ends in the status the row gives and keeps the *Tracking ID* as
   :attr:`~lapor_core.domain.model.ExternalIds.sp4n_tracking_id`.
3. :mod:`~lapor_core.interop.lapor_csv.writing`: :func:`to_record` and
   :func:`write_lapor_csv` go back: complaints to the same columns. The columns carry no
   content and no reporter, so *anonim* and *rahasia* reports export nothing the public
   may not see.

What the export does not say is an explicit parameter with a documented default: the
date formats and time zone (:class:`CsvOptions`), and the channel, kind, reporter and the
mapping of the export's ids onto our agencies, categories and regions
(:class:`ImportOptions`). An id that cannot be mapped is an error for its row unless a
fallback is given: nothing is guessed.

The file-reading and store-writing helper is
:func:`lapor_core.interop.importer.import_lapor_csv`.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.interop.lapor_csv.dates import (
    INDONESIAN,
    ISO,
    ZONE_ABBREVIATIONS,
    IndonesianParserInfo,
    parse_date,
    parse_indonesian_date,
)
from lapor_core.interop.lapor_csv.history import (
    Step,
    record_steps,
    record_warnings,
    replay_record,
)
from lapor_core.interop.lapor_csv.mapping import (
    IMPORT_CHANNEL,
    IMPORT_REPORTER,
    ImportOptions,
    MappedIds,
    complaint_id_for,
    idempotency_key_for,
    map_ids,
)
from lapor_core.interop.lapor_csv.reading import (
    LaporCsvRows,
    normalise_header,
    parse_cells,
    parse_row,
    read_lapor_csv,
)
from lapor_core.interop.lapor_csv.records import (
    AGENCY_ID,
    AREA_ID,
    BODY,
    CATEGORY_ID,
    CLOSED,
    COLUMN_ALIASES,
    COLUMNS,
    DEFAULT_DATE_FORMATS,
    DEFAULT_TIME_ZONE,
    ERA_LABEL_BELUM,
    ERA_STATUS_LABELS,
    FORWARDED,
    LAST_ACTIVITY,
    RECEIVED,
    REPORTER,
    REQUIRED_COLUMNS,
    STATUS,
    STATUS_LABELS,
    TIMESTAMP_COLUMNS,
    TITLE,
    TRACKING_ID,
    CsvOptions,
    CsvRowError,
    LaporCsvRecord,
    RowWarning,
    status_labels_from_profile,
)
from lapor_core.interop.lapor_csv.writing import (
    FULL_COLUMNS,
    LAYOUTS,
    LaporNumbers,
    full_fields,
    record_fields,
    to_record,
    write_lapor_csv,
)

__all__ = [
    "AGENCY_ID",
    "AREA_ID",
    "BODY",
    "CATEGORY_ID",
    "CLOSED",
    "COLUMNS",
    "COLUMN_ALIASES",
    "DEFAULT_DATE_FORMATS",
    "DEFAULT_TIME_ZONE",
    "ERA_LABEL_BELUM",
    "ERA_STATUS_LABELS",
    "FORWARDED",
    "FULL_COLUMNS",
    "IMPORT_CHANNEL",
    "IMPORT_REPORTER",
    "INDONESIAN",
    "ISO",
    "LAST_ACTIVITY",
    "LAYOUTS",
    "RECEIVED",
    "REPORTER",
    "REQUIRED_COLUMNS",
    "STATUS",
    "STATUS_LABELS",
    "TIMESTAMP_COLUMNS",
    "TITLE",
    "TRACKING_ID",
    "ZONE_ABBREVIATIONS",
    "CsvOptions",
    "CsvRowError",
    "ImportOptions",
    "IndonesianParserInfo",
    "LaporCsvRecord",
    "LaporCsvRows",
    "LaporNumbers",
    "MappedIds",
    "RowWarning",
    "Step",
    "complaint_id_for",
    "full_fields",
    "idempotency_key_for",
    "map_ids",
    "normalise_header",
    "parse_cells",
    "parse_date",
    "parse_indonesian_date",
    "parse_row",
    "read_lapor_csv",
    "record_fields",
    "record_steps",
    "record_warnings",
    "replay_record",
    "status_labels_from_profile",
    "to_record",
    "write_lapor_csv",
]
