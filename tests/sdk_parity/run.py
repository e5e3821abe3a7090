"""Runs the whole comparison against a moto server; also a command to inspect or regenerate the list:

    .venv/bin/python tests/sdk_parity/run.py            # every current difference, in the list's format
    .venv/bin/python tests/sdk_parity/run.py --requests # the normalized requests of both sides, as JSON
    .venv/bin/python tests/sdk_parity/run.py --readme   # the list in docs/sdk-parity.md (no run)

(starts its own moto server through tests/emulator/harness.py; nothing leaves the machine).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make tests/ and the repository importable
    sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parents[2])]

from sdk_parity import compare, matrix  # noqa: E402
from sdk_parity.capture import Recorder  # noqa: E402

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": matrix.REGION,
    "AWS_REGION": matrix.REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
}
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


@contextlib.contextmanager
def aws_environment(endpoint_url: str) -> Iterator[None]:
    """Every boto3 client made meanwhile talks to the moto server (AWS_ENDPOINT_URL) with fake credentials."""
    saved = {k: os.environ.get(k) for k in (*AWS_ENV, *CLEARED, "AWS_ENDPOINT_URL")}
    os.environ.update(AWS_ENV, AWS_ENDPOINT_URL=endpoint_url)
    for key in CLEARED:
        os.environ.pop(key, None)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def capture_all(endpoint_url: str, workdir: Path, stacks: dict | None = None) -> dict[str, tuple[dict, dict]]:
    """{case id: (SDK requests, project requests)} for every case of the matrix (stacks: synthesize's answer)."""
    import boto3

    from sdk_parity.project_requests import project_requests, synthesize
    from sdk_parity.sdk_requests import run_sdk

    stacks = stacks or synthesize(matrix.CASES, workdir / "cdktf.out")
    results = {}
    with aws_environment(endpoint_url):
        s3 = boto3.client("s3", region_name=matrix.REGION)
        if matrix.BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
            s3.create_bucket(Bucket=matrix.BUCKET, CreateBucketConfiguration={"LocationConstraint": matrix.REGION})
        for case in matrix.CASES:
            sdk = run_sdk(case, Recorder(endpoint_url))
            tf, stack_dir = stacks[case.id]
            project = project_requests(case, tf, stack_dir, Recorder(endpoint_url))
            results[case.id] = (sdk, project)
    return results


def all_differences(results: dict[str, tuple[dict, dict]]) -> list[compare.Difference]:
    return [d for case_id, (sdk, project) in results.items() for d in compare.differences(case_id, sdk, project)]


def main(argv: list[str]) -> int:
    import json
    import logging

    from emulator import harness

    if "--readme" in argv:
        print(compare.README_BEGIN + "\n" + compare.readme_list(compare.load_known()) + compare.README_END)
        return 0
    logging.disable(logging.INFO)
    server = harness.MotoServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = capture_all(server.endpoint, Path(tmp))
    finally:
        server.stop()
    if "--requests" in argv:
        print(
            json.dumps(
                {
                    case: {"sdk": compare.normalize(s), "project": compare.normalize(p)}
                    for case, (s, p) in results.items()
                },
                indent=1,
                default=str,
            )
        )
    else:
        known = compare.expand(compare.load_known()) if compare.KNOWN_DIFFERENCES.exists() else {}
        print(compare.as_yaml_entries(all_differences(results), known))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
