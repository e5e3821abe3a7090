"""Deterministic, valid resource names."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# SageMaker names: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}
_INVALID = re.compile(r"[^a-zA-Z0-9-]+")


def content_hash(content: Any, length: int = 10) -> str:
    """Stable short hash of JSON-serializable content (sorted keys, no whitespace)."""
    blob = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:length]


def bounded_name(*parts: str, max_length: int = 63, suffix: str | None = None) -> str:
    """Join parts with '-', sanitized for SageMaker/IAM; if too long, truncate and add a hash of the full name."""
    joined = "-".join(_INVALID.sub("-", p).strip("-") for p in parts if p)
    joined = re.sub(r"-{2,}", "-", joined)
    tail = f"-{suffix}" if suffix else ""
    if len(joined) + len(tail) > max_length:
        tail = f"-{content_hash(joined, 6)}{tail}"
        joined = joined[: max_length - len(tail)].rstrip("-")
    return f"{joined}{tail}"


def s3_join(prefix: str, *names: str) -> str:
    return "/".join([prefix.rstrip("/"), *(n.strip("/") for n in names)])
