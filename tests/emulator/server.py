"""Emulator entry point: ``python tests/emulator/server.py --port N``.

Registers the moto extensions (tests/emulator/moto_extensions.py) in this
process, then serves moto's server on 127.0.0.1.  Run as a subprocess by
``harness.start_moto_server``; stop it by its process id.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto server with test extensions")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv)

    # Import the extension module by path, so this works whether or not
    # ``tests`` is a package and whatever the working directory is.
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import moto_extensions  # noqa: E402

    moto_extensions.register()

    from moto.server import main as moto_main

    moto_main(["-H", args.host, "-p", str(args.port)])


if __name__ == "__main__":
    main()
