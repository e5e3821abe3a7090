"""Terraform references (cdktf tokens) as parameters: which parameters take them, and the checks they move
from synth time to plan time.

A parameter naming an AWS object created in the same CDKTF app (`bucket.arn`, `endpoint.name`,
`key.arn`, `topic.arn`, or an S3 URI `f"s3://{bucket.bucket}/baseline/"`) is a cdktf string token such as
`${TfToken[TOKEN.12]}` until synthesis, where it becomes a Terraform expression. Its value is unknown
here, so its literal rule cannot run: validation checks a stand-in literal in its place (every other
rule still runs, with the same messages) and the value's own rule becomes a `lifecycle.precondition`
(Terraform checks it at plan time, when the value is known). Everything else, e.g. `stack_name`, which
names folders and resources at synth time, must be a literal.
"""

from __future__ import annotations

import re
from typing import Any

# cdktf's string token: "${TfToken[TOKEN.<n>]}" (cdktf/lib/tokens/private/encoding.js, BEGIN_STRING_TOKEN_MARKER);
# a list token is "#{TfToken[...]}".
TOKEN_RE = re.compile(r"[$#]\{TfToken\[[^\]]+\]\}")


def is_token(value: Any) -> bool:
    """The value holds a cdktf token (an unresolved Terraform reference)."""
    if isinstance(value, str):
        return TOKEN_RE.search(value) is not None
    if isinstance(value, (list, tuple)):
        return any(is_token(v) for v in value)
    if isinstance(value, dict):
        return any(is_token(k) or is_token(v) for k, v in value.items())
    return False


def plan_time_checks(settings: Any) -> list[dict[str, str]]:
    """`lifecycle.precondition` blocks for the referenced parameters of these settings (empty without any)."""
    return list(getattr(settings, "__pydantic_private__", None) and settings.__pydantic_private__.get("_plan_time_checks") or [])
