"""Offline Terraform for tests: the CLI and the hashicorp/aws provider binary from the machine image.

Tests that need them FAIL (never skip) when they are missing: CI must not go green by skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PLUGIN_DIR = Path(os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins"))


def require_terraform() -> str:
    exe = shutil.which("terraform")
    if not exe:
        pytest.fail("terraform CLI not found on PATH (it ships on the machine image; see README 'Testing')")
    if not list(PLUGIN_DIR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")):
        pytest.fail(f"hashicorp/aws provider binary not found under {PLUGIN_DIR} (set TF_PLUGIN_DIR)")
    return exe


def terraform_env(workdir: Path) -> dict[str, str]:
    rc = workdir / ".terraformrc"
    rc.write_text('disable_checkpoint = true\n')
    return {**os.environ, "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": str(rc), "CHECKPOINT_DISABLE": "1"}


def run(args: list[str], workdir: Path, timeout: int = 300) -> subprocess.CompletedProcess:
    exe = require_terraform()
    return subprocess.run([exe, *args], cwd=workdir, env=terraform_env(workdir), capture_output=True, text=True, timeout=timeout)


def without_awscc(tf: dict) -> dict:
    """A copy without awscc resources/provider (no awscc binary here); references become literals."""
    tf = json.loads(json.dumps(tf))
    for rtype in [r for r in tf.get("resource", {}) if r.startswith("awscc_")]:
        del tf["resource"][rtype]
    tf.get("provider", {}).pop("awscc", None)
    tf["terraform"]["required_providers"].pop("awscc", None)
    text = re.sub(
        r"\$\{awscc_sagemaker_(\w+)_job_definition\.[^}]+\.job_definition_(name|arn)\}",
        lambda m: f"stub-{m.group(1).replace('_', '-')}-{m.group(2)}", json.dumps(tf),
    )
    return json.loads(text)


def validate(tf: dict, workdir: Path) -> subprocess.CompletedProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    tf = json.loads(json.dumps(tf))
    tf["terraform"].pop("backend", None)
    tf["terraform"].pop("cloud", None)
    (workdir / "main.tf.json").write_text(json.dumps(tf, indent=2))
    init = run(["init", "-backend=false", f"-plugin-dir={PLUGIN_DIR}", "-input=false", "-no-color"], workdir)
    assert init.returncode == 0, init.stderr
    return run(["validate", "-no-color", "-json"], workdir)
