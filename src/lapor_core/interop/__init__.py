"""
Interoperability: Open311 GeoReport v2, and the LAPOR! open-data export.

* :mod:`lapor_core.interop.open311`: complaints as GeoReport v2 service requests (privacy
  as :func:`~lapor_core.domain.privacy.public_view`), POSTed requests as
  :class:`~lapor_core.domain.commands.Submit`, a profile's categories as services.
* :mod:`lapor_core.interop.lapor_csv`: the export's columns (``TrackingID``,
  ``KategoriID``, ``DisposisiInstansiID``, ``AreaID``, the four dates, the status) read
  into typed records, replayed through the domain, and written back.
* :mod:`lapor_core.interop.importer`: the file and store edge: an idempotent,
  all-or-nothing-per-row import, and reading complaints out of a store.

Only the importer does I/O; the mappings are pure.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from lapor_core.interop.importer import (
    ImportSummary,
    RowProblem,
    import_lapor_csv,
    iter_complaints,
)
from lapor_core.interop.lapor_csv import (
    COLUMNS,
    STATUS_LABELS,
    CsvOptions,
    CsvRowError,
    ImportOptions,
    LaporCsvRecord,
    read_lapor_csv,
    record_steps,
    replay_record,
    to_record,
    write_lapor_csv,
)
from lapor_core.interop.open311 import (
    OPEN311_CHANNEL,
    OPEN311_STATUS,
    service_definition,
    services,
    submit_from_request,
    to_service_request,
)

__all__ = [
    "COLUMNS",
    "OPEN311_CHANNEL",
    "OPEN311_STATUS",
    "STATUS_LABELS",
    "CsvOptions",
    "CsvRowError",
    "ImportOptions",
    "ImportSummary",
    "LaporCsvRecord",
    "RowProblem",
    "import_lapor_csv",
    "iter_complaints",
    "read_lapor_csv",
    "record_steps",
    "replay_record",
    "service_definition",
    "services",
    "submit_from_request",
    "to_record",
    "to_service_request",
    "write_lapor_csv",
]
