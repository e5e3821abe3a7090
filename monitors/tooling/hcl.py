"""HCL (``cdk.tf``) from the Terraform JSON we synthesize (``cdk.tf.json``), for reviewers who read HCL.

Why our own writer: cdktf 0.21's Python HCL output is not usable. ``App(hcl_output=True)`` only renames the file
(the stack's synthesizer reads ``SYNTH_HCL_OUTPUT`` from the Node process environment, lib/terraform-stack.js),
so ``cdk.tf`` holds JSON; with ``SYNTH_HCL_OUTPUT=true`` its renderer (lib/hcl/render.js) writes unindented
HCL that drops stack overrides other than ``terraform`` (our ``moved`` blocks) and ``required_version``.
The JSON document is the tested source of truth (validate, plan, apply); this module maps it one to one.

The mapping is mechanical (HCL JSON syntax specification): a JSON string is a template, written as the same
template in quotes, or as the bare expression when it is one ``${...}`` interpolation; numbers, bools, arrays
and objects are literals. Only one thing is not in the JSON: whether an object-valued key is a nested block or
an attribute (a map or object). ``monitors/tooling/hcl_blocks.py`` lists the nested blocks of each block type we write
(from the providers' schemas); everything else is an attribute. A resource type it does not know fails the
synthesis (``HclError``) rather than guessing.

The text is laid out as ``terraform fmt`` lays it out (two-space indents, ``=`` aligned across consecutive
one-line attributes), so ``terraform fmt -check`` passes without running Terraform at synth time.
"""

from __future__ import annotations

import json
import re
from typing import Any

from monitors.tooling.hcl_blocks import BLOCKS, Blocks

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
KEYWORDS = frozenset({"true", "false", "null", "for", "in", "if", "else", "endif", "endfor"})
INDENT = "  "
# Top-level sections, in the order written (Terraform reads them in any order).
SECTIONS = ("terraform", "provider", "locals", "data", "resource", "output", "moved", "import")


class HclError(Exception):
    """The JSON holds something this writer cannot map faithfully."""


# ----------------------------------------------------------------------------------------------------------- lines
class _Assign:
    """A one-line `key = value`: consecutive ones are aligned on `=` (terraform fmt)."""

    def __init__(self, depth: int, key: str, value: str):
        self.depth, self.key, self.value = depth, key, value


def _layout(lines: list[Any]) -> str:
    out: list[str] = []
    chain: list[_Assign] = []

    def flush() -> None:
        width = max((len(a.key) for a in chain), default=0)
        out.extend(f"{INDENT * a.depth}{a.key.ljust(width)} = {a.value}" for a in chain)
        chain.clear()

    for line in lines:
        if isinstance(line, _Assign):
            chain.append(line)
            continue
        flush()
        out.append(line)
    flush()
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------------------------- expressions
def _scan_template_sequence(text: str, i: int) -> int:
    """Index just past the `}` closing the `${`/`%{` sequence whose body starts at i."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i = _scan_quoted(text, i + 1)
            continue
        if c in "{([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "}":
            if depth == 0:
                return i + 1
            depth -= 1
        i += 1
    raise HclError(f"unterminated template sequence in {text!r}")


def _scan_quoted(text: str, i: int) -> int:
    """Index just past the `"` closing a string literal inside an expression (its body starts at i)."""
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i + 1
        elif text.startswith(("$${", "%%{"), i):
            i += 3
        elif text.startswith(("${", "%{"), i):
            i = _scan_template_sequence(text, i + 2)
        else:
            i += 1
    raise HclError(f"unterminated string in {text!r}")


def _template_parts(text: str) -> list[tuple[bool, str]]:
    """[(is_sequence, text)]: literal runs and `${...}`/`%{...}` sequences (verbatim, delimiters included)."""
    parts: list[tuple[bool, str]] = []
    literal, i = [], 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):  # escapes: literal `${`/`%{`, kept as escapes
            literal.append(text[i : i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _scan_template_sequence(text, i + 2)
            if literal:
                parts.append((False, "".join(literal)))
                literal = []
            parts.append((True, text[i:end]))
            i = end
        else:
            literal.append(text[i])
            i += 1
    if literal:
        parts.append((False, "".join(literal)))
    return parts


def _escape_literal(text: str) -> str:
    out = []
    for c in text:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or c in "\u2028\u2029":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return "".join(out)


def string_expression(text: str) -> str:
    """A JSON-syntax string (a template) as an HCL expression with the same value."""
    parts = _template_parts(text)
    if len(parts) == 1 and parts[0][0] and parts[0][1].startswith("${"):
        # One interpolation and nothing else: its value unconverted, as in JSON syntax; written bare.
        return parts[0][1][2:-1].strip()
    return '"' + "".join(part if is_sequence else _escape_literal(part) for is_sequence, part in parts) + '"'


def _key(name: str) -> str:
    if IDENTIFIER.match(name) and name not in KEYWORDS:
        return name
    return string_expression(name) if "${" not in name else '"' + _escape_literal(name) + '"'


def _scalar(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return string_expression(value)
    if isinstance(value, list) and all(_is_scalar(v) for v in value):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"  # type: ignore[misc]
    if isinstance(value, dict) and not value:
        return "{}"
    return None


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _attribute(lines: list[Any], depth: int, key: str, value: Any) -> None:
    """`key = value`; objects and lists holding objects span lines."""
    one_line = _scalar(value)
    if one_line is not None:
        lines.append(_Assign(depth, key, one_line))
        return
    lines.append(f"{INDENT * depth}{key} = " + ("{" if isinstance(value, dict) else "["))
    _value_body(lines, depth + 1, value)
    lines.append(f"{INDENT * depth}" + ("}" if isinstance(value, dict) else "]"))


def _value_body(lines: list[Any], depth: int, value: Any) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _attribute(lines, depth, _key(k), v)
        return
    for item in value:
        one_line = _scalar(item)
        if one_line is not None:
            lines.append(f"{INDENT * depth}{one_line},")
            continue
        lines.append(f"{INDENT * depth}" + ("{" if isinstance(item, dict) else "["))
        _value_body(lines, depth + 1, item)
        lines.append(f"{INDENT * depth}" + ("}," if isinstance(item, dict) else "],"))


def _traversal(value: str, where: str) -> str:
    """depends_on / provider / moved addresses: plain references in JSON syntax, bare in HCL."""
    text = value[2:-1] if value.startswith("${") and value.endswith("}") else value
    if not re.fullmatch(r"[A-Za-z_][\w.\-\[\]\"]*", text):
        raise HclError(f"{where}: {value!r} is not a reference")
    return text


# ---------------------------------------------------------------------------------------------------------- blocks
def _bodies(value: Any, where: str) -> list[dict]:
    bodies = value if isinstance(value, list) else [value]
    if not all(isinstance(b, dict) for b in bodies):
        raise HclError(f"{where}: a block must be an object or a list of objects")
    return bodies


def _block(lines: list[Any], depth: int, header: str, body: dict, blocks: dict, where: str) -> None:
    if lines and lines[-1] != "":
        lines.append("")
    lines.append(f"{INDENT * depth}{header} {{")
    _body(lines, depth + 1, body, blocks, where)
    lines.append(f"{INDENT * depth}}}")


META_TRAVERSALS = {"depends_on", "provider"}


def _body(lines: list[Any], depth: int, body: dict, blocks: dict, where: str) -> None:
    """Attributes first (in the JSON's order), then nested blocks."""
    nested = []
    for key, value in body.items():
        if key == "//":  # a comment in JSON syntax
            continue
        if key in blocks or key == "lifecycle":
            nested.append((key, value))
        elif key in META_TRAVERSALS and where.startswith(("resource.", "data.", "output.")):
            if key == "provider":
                lines.append(_Assign(depth, key, _traversal(value, f"{where}.{key}")))
            else:
                lines.append(_Assign(depth, key, "[" + ", ".join(_traversal(v, f"{where}.{key}") for v in value) + "]"))
        else:
            _attribute(lines, depth, key, value)
    for key, value in nested:
        children = LIFECYCLE if key == "lifecycle" else blocks[key]
        for body_ in _bodies(value, f"{where}.{key}"):
            _block(lines, depth, key, _lifecycle(body_) if key == "lifecycle" else body_, children, f"{where}.{key}")


LIFECYCLE: Blocks = {"precondition": {}, "postcondition": {}}


def _lifecycle(body: dict) -> dict:
    out = dict(body)
    for key in ("ignore_changes", "replace_triggered_by"):
        if key in out and isinstance(out[key], list):
            out[key] = [f"${{{_traversal(v, 'lifecycle.' + key)}}}" for v in out[key]]  # bare references
    return out


def _types(section: str, kind: str, name: str) -> dict:
    try:
        return BLOCKS[section][kind]
    except KeyError:
        raise HclError(
            f"HCL output: the nested blocks of {section} {kind!r} ({name}) are not known; add them to "
            "monitors/tooling/hcl_blocks.py"
        ) from None


def to_hcl(tf: dict) -> str:
    """The configuration `tf` (a synthesized cdk.tf.json) as HCL text, formatted like `terraform fmt`."""
    unknown = sorted(set(tf) - set(SECTIONS) - {"//"})
    if unknown:
        raise HclError(f"HCL output: top-level {', '.join(unknown)} not supported")
    lines: list[Any] = []
    if "terraform" in tf:
        _terraform(lines, tf["terraform"])
    for name, configs in (tf.get("provider") or {}).items():
        for body in _bodies(configs, f"provider.{name}"):
            _block(lines, 0, f'provider "{name}"', body, _types("provider", name, "provider"), f"provider.{name}")
    if tf.get("locals"):
        if lines:
            lines.append("")
        lines.append("locals {")
        for key, value in tf["locals"].items():
            _attribute(lines, 1, key, value)
        lines.append("}")
    for section in ("data", "resource"):
        for rtype, resources in (tf.get(section) or {}).items():
            blocks = _types(section, rtype, rtype)
            for name, body in resources.items():
                _block(lines, 0, f'{section} "{rtype}" "{name}"', body, blocks, f"{section}.{rtype}.{name}")
    for name, body in (tf.get("output") or {}).items():
        _block(lines, 0, f'output "{name}"', body, {}, f"output.{name}")
    for section in ("moved", "import"):
        for body in tf.get(section) or []:
            fields = {k: (f"${{{_traversal(v, section)}}}" if k in ("from", "to") else v) for k, v in body.items()}
            _block(lines, 0, section, fields, {}, section)
    return _layout(lines)


def _terraform(lines: list[Any], block: dict) -> None:
    body: dict = {}
    nested: list[tuple[str, dict]] = []
    for key, value in block.items():
        if key == "backend":
            for kind, config in value.items():
                nested.append((f'backend "{kind}"', config))
        elif key == "required_providers":
            nested.append(("required_providers", value))
        elif key == "cloud":
            nested.append(("cloud", value))
        else:
            body[key] = value
    lines.append("terraform {")
    _body(lines, 1, body, {}, "terraform")
    for header, config in nested:
        blocks: Blocks = {"workspaces": {}} if header == "cloud" else {}
        _block(lines, 1, header, config, blocks, f"terraform.{header}")
    lines.append("}")
