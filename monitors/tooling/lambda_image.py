"""The baseline Lambda image's content tag: the tag the synth builds and pushes lambda_image/ under, computed from
its files (paths and bytes; no timestamps). Standard library only, so a pipeline can print it without the synth's
dependencies:

    python -m monitors.tooling.lambda_image          # prints the tag, e.g. 3f2a9c0d1e4b5a6c

examples/github-actions/baseline-image.yml builds and pushes the image under this tag where Terraform has no Docker
(Terraform Cloud remote runs) and prints the `baseline_lambda_image_uri` to give."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

LAMBDA_IMAGE_DIR = Path(__file__).resolve().parents[2] / "lambda_image"
# lambda_image/alerts/ is the alert checker, deployed as its own zip (monitors/constructs/alerts.py), not in the image.
NOT_IN_IMAGE = ("__pycache__", "alerts")


def source_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not set(p.relative_to(directory).parts) & set(NOT_IN_IMAGE) and p.suffix != ".pyc"
    )


def lambda_image_hash(directory: Path = LAMBDA_IMAGE_DIR) -> str:
    """Content hash of every file under lambda_image/ (paths and bytes; no timestamps): the image tag."""
    digest = hashlib.sha256()
    for path in source_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m monitors.tooling.lambda_image",
        description="Print the content tag of the baseline Lambda image (lambda_image/), the tag the synth uses.",
    )
    parser.parse_args(argv)
    sys.stdout.write(lambda_image_hash() + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
