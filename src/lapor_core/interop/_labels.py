"""Internal: the national status labels (domain.md §3.1) the interop formats write and read."""

from __future__ import annotations

from lapor_core.domain.lifecycle import Status

LABELS: dict[Status, tuple[str, ...]] = {
    Status.SUBMITTED: ("Belum Terverifikasi", "Not yet verified", "belum diproses", "Belum"),
    Status.ON_HOLD: ("Tunda", "On hold", "dipending", "pending"),
    Status.FORWARDED: (
        "Belum Ditindaklanjuti",
        "Not yet followed up",
        "diverifikasi dan didisposisi",
        "Terverifikasi",
        "didisposisikan",
    ),
    Status.IN_PROGRESS: ("Proses", "In progress", "ditindaklanjuti"),
    Status.COMPLETED: ("Selesai", "Completed"),
    Status.ARCHIVED: ("Arsip", "Archived", "Arsipkan", "dihapus"),
}
"""Per status: the Indonesian label (written), the English one, then older local names."""


def label_id(status: Status) -> str:
    """The national Indonesian label of *status* (*Belum Terverifikasi*, ...)."""
    return LABELS[status][0]
