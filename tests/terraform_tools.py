"""`terraform validate` on synthesized JSON, through the emulator harness's offline Terraform runner.

Tests that need Terraform FAIL (never skip) when the CLI or the provider binary is missing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from emulator import harness


def require_terraform() -> str:
    try:
        return harness.require_terraform()
    except harness.TerraformUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


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


def validate(tf: dict, workdir: Path) -> dict:
    """Run `terraform validate -json` (backend left out); return its report."""
    require_terraform()
    workdir.mkdir(parents=True, exist_ok=True)
    tf = json.loads(json.dumps(tf))
    tf["terraform"].pop("backend", None)
    tf["terraform"].pop("cloud", None)
    (workdir / "main.tf.json").write_text(json.dumps(tf, indent=2))
    rc, _, err = harness.run_terraform(
        ["init", "-backend=false", f"-plugin-dir={harness.PLUGIN_DIR}", "-input=false", "-no-color"], workdir
    )
    assert rc == 0, err
    _, out, _ = harness.run_terraform(["validate", "-no-color", "-json"], workdir)
    return json.loads(out)
