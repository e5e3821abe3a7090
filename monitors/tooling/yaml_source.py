"""Read a config file safely: bounded size, depth and alias expansion; duplicate keys and YAML 1.1 surprises caught.

YAML 1.1 (PyYAML) reads some unquoted scalars as something else than they look: ``0123`` is 83 (octal),
``1:20`` is 80 (base 60), ``yes``/``no``/``on``/``off`` are booleans. Such scalars are loaded as
``Surprise(value, text)`` (dates and times too) so the caller can accept them where the parameter's type wants
exactly that (a
boolean parameter given ``yes``) and reject them, asking for quotes, everywhere else.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000  # a real configuration is a few kB; bounds parse time and memory
MAX_DEPTH = 32  # nesting levels (the deepest real parameter is a list of lists: shap_baseline)
MAX_NODES = 200_000  # nodes after alias expansion (bounds "billion laughs")


class SourceError(Exception):
    """The file cannot be read as a configuration; one line saying why."""


@dataclass(frozen=True)
class Surprise:
    """A plain scalar YAML 1.1 resolves to a non-string that does not look like one (0123, 1:20, yes)."""

    value: Any
    text: str


# Plain scalars whose int/float/bool reading is what anyone would expect; anything else resolved to one
# of those types is a Surprise.
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_PLAIN_BOOL = re.compile(r"true|false|True|False|TRUE|FALSE")


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys and too deep nesting, and marks YAML 1.1 surprises."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Surprise):
                key = key.text
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(  # noqa: B904 (the key, not the TypeError, is the problem)
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key].line + 1})", key_node.start_mark
                )
            seen[key] = key_node.start_mark
        mapping = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            mapping[key.text if isinstance(key, Surprise) else key] = self.construct_object(value_node, deep=True)
        return mapping


def _surprising(pattern: re.Pattern[str], constructor):
    def construct(loader: BoundedLoader, node):
        value = constructor(loader, node)
        if node.style is None and not pattern.fullmatch(node.value):
            return Surprise(value, node.value)
        return value

    return construct


BoundedLoader.add_constructor("tag:yaml.org,2002:int", _surprising(_PLAIN_INT, yaml.SafeLoader.construct_yaml_int))
BoundedLoader.add_constructor(
    "tag:yaml.org,2002:float", _surprising(_PLAIN_FLOAT, yaml.SafeLoader.construct_yaml_float)
)
BoundedLoader.add_constructor("tag:yaml.org,2002:bool", _surprising(_PLAIN_BOOL, yaml.SafeLoader.construct_yaml_bool))
# A date or time is never what a parameter wants (2025-10-23 in a project id).
BoundedLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", _surprising(re.compile(r"(?!)"), yaml.SafeLoader.construct_yaml_timestamp)
)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Node count with every alias expanded (memoized per node, so a bomb is counted, not expanded)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = MAX_NODES + 1  # a cycle counts as too big
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_NODES + 1)
    return memo[id(node)]


def read_text(path: Path) -> str:
    """The file's text: a regular file of at most MAX_BYTES, UTF-8 (a BOM is allowed)."""
    try:
        info = os.stat(path)  # before opening: opening a FIFO would block
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{path} is not a regular file")
    if info.st_size > MAX_BYTES:
        raise SourceError(f"{path} is {info.st_size} bytes; a configuration file may have at most {MAX_BYTES}")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise SourceError(f"{path} has more than {MAX_BYTES} bytes; a configuration file may have at most {MAX_BYTES}")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(f"{path} is UTF-16; save it as UTF-8")
    if b"\0" in data:
        raise SourceError(f"{path} is not a text file (it holds NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def _json_depth_problem(text: str) -> str | None:
    """Too deep nesting, found before parsing (json.loads recurses: 60,000 '[' is a RecursionError)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"is nested deeper than {MAX_DEPTH} levels"
        elif char in "]}":
            depth -= 1
    return None


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise SourceError(f"has the key {key!r} twice")
        mapping[key] = value
    return mapping


def load_json_text(text: str) -> Any:
    """A JSON value from text (an environment variable), with a file's bounds: size, depth, values, duplicate keys.
    SourceError says why (to follow the variable's name); ValueError for text that is no JSON."""
    import json

    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise SourceError(f"has more than {MAX_BYTES} bytes; a value may have at most {MAX_BYTES}")
    problem = _json_depth_problem(text)
    if problem:
        raise SourceError(problem)
    value = json.loads(text, object_pairs_hook=_json_pairs)
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise SourceError(f"holds more than {MAX_NODES} values")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


def load(path: Path) -> Any:
    """Parse YAML (JSON is YAML) with the bounds above; SourceError with line and column on failure."""
    text = read_text(path)
    loader = BoundedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise SourceError(f"{path} expands to more than {MAX_NODES} values (aliases); write the values out")
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}:" if mark else ""
        what = exc.problem or exc.context or "syntax error"
        raise SourceError(f"{path} is not valid YAML or JSON:{where} {what}") from None
    except yaml.YAMLError as exc:
        raise SourceError(f"{path} is not valid YAML or JSON: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise SourceError(f"{path} is nested too deeply") from None
    finally:
        loader.dispose()
