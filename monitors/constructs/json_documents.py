"""JSON documents (state machine definition, event patterns, event inputs, ...) as structures, not escaped lines.

An attribute that takes a JSON document as a string (``definition``, ``event_pattern``, ``input``) is written as
``"${jsonencode(local.<name>)}"`` with the document itself in ``locals``: cdk.tf.json then holds it as nested
JSON, one value per line, so a changed parameter changes one short line of the file and the plan shows the
attribute as a structure (``jsonencode({...})``), instead of one escaped line thousands of characters long.
A document nested in another is referenced, not copied: ``"${local.x}"`` as a whole string is the local's value
(an object), so each baseline event is written once.

Terraform reads every string in ``locals`` as a template, exactly as it reads the attribute string it replaces
(HCL JSON syntax: strings and object property names are templates), so nothing changes in what the strings
mean: references such as ``${data.aws_caller_identity.caller.account_id}`` are still evaluated, and literal
text never holds a template: ``${`` and ``%{`` are refused in every value (monitors/settings/config.py; tags
cannot hold them by AWS's rules).
``jsonencode`` writes compact JSON with sorted keys, the same document JSON-wise (it escapes ``<``, ``>``
and ``&`` as ``\\u003c`` ..., which every JSON reader decodes back).
"""

from __future__ import annotations

import json
import re
from typing import Any

from cdktf import Fn, TerraformLocal, Token
from constructs import Construct

_REFERENCE = re.compile(r"^\$\{jsonencode\(local\.([A-Za-z0-9_-]+)\)\}$")
_LOCAL = re.compile(r"^\$\{local\.([A-Za-z0-9_-]+)\}$")  # a whole string: the local's value itself


def json_local(scope: Construct, id: str, document: Any) -> TerraformLocal:
    """A ``locals`` entry holding ``document`` (its ``expression`` may be nested in another document)."""
    plain = json.loads(json.dumps(document))  # tuples -> lists; fails on what JSON cannot hold
    _reject_null(plain, id)
    return TerraformLocal(scope, id, plain)


def json_document(scope: Construct, id: str, document: Any) -> str:
    """A ``locals`` entry holding ``document``; returns the attribute value that encodes it as a JSON string."""
    return encoded(json_local(scope, id, document))


def encoded(local: TerraformLocal) -> str:
    """``${jsonencode(local.x)}``: the attribute value of a JSON string."""
    return Fn.jsonencode(local.expression)


def reference(local: TerraformLocal) -> str:
    """``${local.x}``: the document itself, to nest in another document."""
    return Token.as_string(local.expression)


def document_value(tf: dict, value: str) -> Any:
    """The document an attribute of a synthesized stack (its cdk.tf.json as a dict) encodes: the ``locals``
    entry for ``${jsonencode(local.x)}`` (with ``${local.y}`` inside replaced by that entry), or the JSON string
    itself (an attribute written as a string). Other references (``${data...}``) stay unevaluated, as in the
    attribute string."""
    match = _REFERENCE.match(value)
    if match:
        return _resolve_locals(tf, tf["locals"][match.group(1)])
    return json.loads(value)


def _resolve_locals(tf: dict, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _resolve_locals(tf, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_locals(tf, v) for v in value]
    if isinstance(value, str) and (match := _LOCAL.match(value)):
        return _resolve_locals(tf, tf["locals"][match.group(1)])
    return value


def _reject_null(value: Any, where: str) -> None:
    # cdktf drops null from arrays and objects when it writes locals: a document with null would change silently.
    if value is None:
        raise ValueError(f"JSON document {where}: null values are not supported (cdktf would drop them)")
    if isinstance(value, dict):
        for key, item in value.items():
            _reject_null(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_null(item, f"{where}[{i}]")
