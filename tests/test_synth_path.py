"""The synth path: the fast provider import changes nothing in the output, and nothing slow is loaded."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, node_env

PROBE = """
import json, sys
sys.path.insert(0, {repo!r})
import main
rc = main.main(["--example", "--outdir", {outdir!r}])
print(json.dumps({{"rc": rc, "modules": sorted(m for m in sys.modules if m.split(".")[0] in
    ("sagemaker", "boto3", "botocore", "cdktf_cdktf_provider_aws"))}}))
"""


def _synth(tmp_path, name: str, env: dict) -> tuple[dict, list[str]]:
    outdir = tmp_path / name
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(repo=str(REPO), outdir=str(outdir))],
        cwd=tmp_path,
        env={**node_env(), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["rc"] == 0
    files = {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}
    return files, probe["modules"]


@pytest.fixture(scope="module")
def fast(tmp_path_factory) -> tuple[dict, list[str]]:
    """The default synth path (one process, shared by the tests of this file)."""
    return _synth(tmp_path_factory.mktemp("synth-path"), "fast", {})


def test_fast_provider_import_gives_identical_output_and_loads_few_submodules(fast, tmp_path):
    (fast_files, fast_modules) = fast
    full, full_modules = _synth(tmp_path, "full", {"MONITORS_FULL_AWS_IMPORT": "1"})
    assert fast_files == full  # byte for byte, every file
    provider_submodules = [m for m in fast_modules if m.startswith("cdktf_cdktf_provider_aws.")]
    assert 0 < len(provider_submodules) < 80, provider_submodules  # of ~2,200
    assert len([m for m in full_modules if m.startswith("cdktf_cdktf_provider_aws.")]) > 1000


def test_no_sagemaker_sdk_or_aws_sdk_on_the_synth_path(fast):
    _, modules = fast
    assert modules and not [m for m in modules if m.split(".")[0] in ("sagemaker", "boto3", "botocore")], modules
