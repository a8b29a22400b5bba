"""The dry-run import: every row checked as the import would, nothing written, memory bounded."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator

import pytest
from interop_helpers import SAMPLE, SAMPLE_ROWS, service

from lapor_core.interop import importer
from lapor_core.interop.importer import import_lapor_csv
from lapor_core.service import Subscription
from lapor_core.storage.memory import InMemoryStore


def _lines(rows: int, *, repeat_every: int = 0) -> Iterator[str]:
    """A generated export of *rows* rows (every *repeat_every*-th repeats a Tracking ID)."""
    yield "TrackingID,TanggalLaporanMasuk,Status\n"
    for n in range(rows):
        ident = n - 1 if repeat_every and n and n % repeat_every == 0 else n
        yield f"LPR-{ident:08d},2025-03-03 08:15:00,Belum Terverifikasi\n"
    yield "LPR-bad,not a date,Belum Terverifikasi\n"


def test_a_dry_run_counts_as_the_import_and_writes_nothing() -> None:
    """Imported, skipped and refused rows are those a real import reports; the store stays empty."""
    text = SAMPLE.read_text(encoding="utf-8")
    lines = [*text.splitlines(keepends=True), *text.splitlines(keepends=True)[1:]]
    lines.append("LPR-bad,x,x,x,not a date,,,,Selesai\n")
    dry_store = InMemoryStore()
    dry = import_lapor_csv(service(dry_store), lines, dry_run=True)
    real = import_lapor_csv(service(InMemoryStore()), lines)
    assert (real.imported, real.skipped, real.errors) == (dry.imported, dry.skipped, dry.errors)
    assert (SAMPLE_ROWS, SAMPLE_ROWS, 1) == (dry.imported, dry.skipped, len(dry.errors))
    assert () == dry.complaint_ids
    assert [] == list(Subscription(dry_store))


def test_a_dry_run_skips_what_the_store_already_holds() -> None:
    """Against a store that holds the file's complaints, every row counts as skipped."""
    store = InMemoryStore()
    import_lapor_csv(service(store), SAMPLE)
    again = import_lapor_csv(service(store), SAMPLE, dry_run=True)
    assert (0, SAMPLE_ROWS) == (again.imported, again.skipped)


def _peak(rows: int) -> int:
    tracemalloc.start()
    try:
        summary = import_lapor_csv(
            service(InMemoryStore()), _lines(rows, repeat_every=1000), dry_run=True
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == summary.imported + summary.skipped
    assert 1 == len(summary.errors)
    return peak


def test_a_dry_run_streams_with_bounded_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """
    The peak memory of a 100,000-row dry run is that of a 10,000-row one, but the digests.

    Nothing is kept per row but the key's hash and a fingerprint of the content (to
    tell a conflict from a duplicate) in a dict (under 200 bytes a row at its peak);
    before, the in-memory store kept every complaint (about 2.4 KB a row).
    Each row's replay through the domain is stubbed: it is stateless, and real replays
    make the run too slow under tracemalloc (the test above replays for real).
    """
    monkeypatch.setattr(importer, "replay_record", lambda *_args, **_kwargs: None)
    small, large = _peak(10_000), _peak(100_000)
    assert (large - small) / 90_000 < 200, (small, large)
    assert large < 40_000_000, large
