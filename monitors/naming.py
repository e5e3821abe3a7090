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


def default_schedule_name(name_base: str, short_name: str) -> str:
    """A monitor's schedule name without <monitor>_schedule_name: <endpoint>-<short name>-schedule."""
    return bounded_name(name_base, short_name, "schedule")


def s3_join(prefix: str, *names: str) -> str:
    return "/".join([prefix.rstrip("/"), *(n.strip("/") for n in names)])


# Default stack names stay this short so every name derived from them (the IAM roles `<stack>-monitoring`,
# `<stack>-baseline-lambda`, ...: 64 characters; the baseline and alerts names `<stack>-baseline`: 56) keeps
# its readable form; longer identities are shortened with a hash of the whole (still unique).
DEFAULT_STACK_NAME_MAX = 46
DEFAULT_STACK_PREFIX = "smm"  # SageMaker Model Monitor, when no SeedFarmer context names the deployment


def deployment_stack_name(
    endpoint_name: str | None,
    region: str | None,
    *,
    project: str | None = None,
    deployment: str | None = None,
    module: str | None = None,
) -> str:
    """The default stack name: what identifies one deployment, lowercase, at most DEFAULT_STACK_NAME_MAX.

    `<project>-<deployment>-<module>` (SeedFarmer's context, as the seed named its stack) or `smm`, then the
    endpoint (None for a fleet's shared stack), then the region: IAM role names are account-wide, so the
    same endpoint in two regions must not share them (and the stack name is the S3 state key's prefix).
    Lowercase because the baseline's ECR repository takes this name and ECR allows only lowercase.
    """
    context = [part for part in (project, deployment, module) if part]
    head_parts = [*(context or [DEFAULT_STACK_PREFIX]), endpoint_name or ""]
    tail = f"-{_INVALID.sub('-', region)[:20]}" if region else ""  # an invalid region is reported as such
    head = bounded_name(*(p.lower() for p in head_parts), max_length=DEFAULT_STACK_NAME_MAX - len(tail))
    name = f"{head}{tail}".lower()
    # A stack name starts with a letter (SeedFarmer names may start with a digit).
    return name if name[:1].isalpha() else bounded_name(DEFAULT_STACK_PREFIX, name, max_length=DEFAULT_STACK_NAME_MAX)


def cloud_workspace_name(pattern: str | None, stack_name: str, endpoint_name: str | None) -> str:
    """The Terraform Cloud workspace of one stack: tfc_workspace_name with its placeholders replaced; unset, the stack
    name (one workspace per stack, as the S3 backend's default key is one state per stack). endpoint_name: the stack's
    one endpoint (None for a fleet's shared stack, where {endpoint_name} is refused)."""
    name = pattern or "{stack_name}"
    name = name.replace("{stack_name}", stack_name)
    return name if endpoint_name is None else name.replace("{endpoint_name}", endpoint_name)
