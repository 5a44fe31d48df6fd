"""Entity tags for the API's single resources: a hash of exactly what the client was sent.

A client sends the ETag back in If-Match when it changes the resource; if the resource changed in between (its
representation no longer hashes the same), the change is refused with 412 and the client reads it again.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def etag_of(representation: Any) -> str:
    """A strong ETag (quoted) of a JSON representation."""
    canonical = json.dumps(representation, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return '"' + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32] + '"'


def matches(if_match: str, current: str) -> bool:
    """Whether an If-Match header value names the current ETag (strong comparison, RFC 9110 section 13.1.1)."""
    candidates = [value.strip() for value in if_match.split(",")]
    return "*" in candidates or current in candidates
