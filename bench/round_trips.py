"""Count jsii round trips (requests the Python process sends to the jsii Node.js kernel) of one `main.py` run.

    .venv/bin/python bench/round_trips.py -- --config fleet.yaml --outdir /tmp/out     # or: -- --example ...

Prints the total and the count per request kind (create, invoke, get, set, sinvoke, complete for callbacks
answered, ...) to stderr as one JSON line after `main.py` finishes. It patches the kernel's process
provider in this process only (benchmark code: nothing in monitors/ depends on it).
"""

from __future__ import annotations

import collections
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

COUNTS: collections.Counter[str] = collections.Counter()


def install_counter() -> None:
    from jsii._kernel.providers import process

    send = process._NodeProcess.send

    def counted(self, request, response_type):
        COUNTS[type(request).__name__.removesuffix("Request")] += 1
        return send(self, request, response_type)

    process._NodeProcess.send = counted  # type: ignore[method-assign]


def main() -> int:
    argv = sys.argv[1:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    # ROUND_TRIPS_REPO: count another checkout's main.py (bench/synth_benchmark.py --repo)
    sys.path.insert(0, os.environ.get("ROUND_TRIPS_REPO", str(REPO)))
    install_counter()
    import main as cli

    code = cli.main(argv)
    total = sum(COUNTS.values())
    print(json.dumps({"round_trips": total, "by_kind": dict(COUNTS.most_common())}), file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
