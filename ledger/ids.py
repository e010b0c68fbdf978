"""Which strings can be Firestore document ids.

Ids that arrive from outside (a URL path, a header) are checked before they become a
document reference: a document cannot have an impossible id, so it is simply not found,
where Firestore would refuse the whole request (and the caller would see a 500).
"""

from __future__ import annotations

__all__ = ["MAX_ID_BYTES", "storable_id"]

MAX_ID_BYTES = 1500


def storable_id(doc_id: str) -> bool:
    """Firestore's rules for a document id: 1 to 1500 bytes of UTF-8, no `/`, not `.` or
    `..`, not `__…__` (reserved)."""
    try:
        size = len(doc_id.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate is not text Firestore can store
        return False
    return (
        0 < size <= MAX_ID_BYTES
        and "/" not in doc_id
        and doc_id not in (".", "..")
        and not (doc_id.startswith("__") and doc_id.endswith("__"))
    )
