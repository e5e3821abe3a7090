"""The jsii kernel's (Node.js) environment, set before cdktf starts it: one place, called by `synthesize`.

Most of a synth's time was Node loading the aws provider's assembly: its lib/index.js requires all 2,212
resource modules (~3 s of CPU, ~450 MB). `lazy_provider.cjs` (beside this file), preloaded with `--require` in
NODE_OPTIONS, makes those requires lazy, so the kernel loads only the modules a stack uses; the synthesized
output is the same byte for byte (tests/test_kernel_env.py). ``MONITORS_FULL_AWS_REQUIRE=1`` turns it off.

Not used, because they do not help here (measured, docs/performance.md): Node's compile cache
(NODE_COMPILE_CACHE; jsii runs the kernel with --preserve-symlinks from a new temporary folder each time, so the
cache, keyed by file path, never hits) and jsii's package cache (JSII_RUNTIME_PACKAGE_CACHE: on by default).
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path

PRELOAD = Path(__file__).resolve().parent / "lazy_provider.cjs"
OPT_OUT = "MONITORS_FULL_AWS_REQUIRE"


def node_require_option(path: Path = PRELOAD) -> str:
    """`--require <path>` as NODE_OPTIONS reads it (a path with spaces or quotes in double quotes, escaped)."""
    text = str(path)
    if any(c.isspace() or c in "\"'\\" for c in text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"--require {text}"


def prepare_kernel_environment(environ: MutableMapping[str, str] = os.environ) -> None:
    """Add the lazy-provider preload to NODE_OPTIONS, keeping whatever else it holds; idempotent. With
    MONITORS_FULL_AWS_REQUIRE=1 (or without the preload file) the option is taken out again. Takes effect for a
    kernel started afterwards (cdktf's import starts it; a fleet's later kernels, monitors/constructs/app.py, too)."""
    option = node_require_option()
    current = environ.get("NODE_OPTIONS", "")
    wanted = environ.get(OPT_OUT) != "1" and PRELOAD.is_file()
    if wanted == (option in current):
        return
    value = f"{current} {option}".strip() if wanted else current.replace(option, "").strip()
    if value:
        environ["NODE_OPTIONS"] = value
    else:
        environ.pop("NODE_OPTIONS", None)
