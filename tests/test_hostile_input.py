"""Hostile input, in process: generated cases per parameter class, each refused with a message naming the parameter
and nothing but ConfigError (issue 22); the state path a re-synth must not reach."""

from __future__ import annotations

import json
import os

import pytest
from conftest import MINIMAL

from monitors.settings.config import ConfigError, validate
from monitors.tooling import output


def refused(config: dict) -> list[str]:
    try:
        validate(config)
    except ConfigError as exc:
        return exc.problems
    raise AssertionError(f"accepted: {config}")


# --- backend_local_path: never where a synth writes, moves or removes (monitors/tooling/output.py) ---------------
STATE_IN_SYNTH_OUTPUT = [
    "cdk.tf.json",
    "cdk.tf",
    "metadata.json",
    "assets",
    "assets/terraform.tfstate",
    "./assets/../assets/state",
    "../other-stack/cdk.tf.json",
    "../other-stack/assets/state",
    "../other-stack",
    "../.old.new/terraform.tfstate",
    "../../manifest.json",
    "../../.synth.lock",
    "../../.synth-1234/terraform.tfstate",
    "../../stacks",
    "../../../cdktf.out/stacks/x/cdk.tf.json",
    "../../../other-out/manifest.json",
]


@pytest.mark.parametrize("path", STATE_IN_SYNTH_OUTPUT)
def test_state_path_in_synth_output_is_refused(path):
    lines = refused({**MINIMAL, "backend_local_path": path})
    assert [line for line in lines if line.startswith("backend_local_path: ")], lines
    assert any("re-synth would overwrite or delete the state" in line for line in lines), lines


ACCEPTED_STATE_PATHS = [
    "terraform.tfstate",
    "state/terraform.tfstate",
    "../../terraform.tfstate",
    "../../state/terraform.tfstate",
    "../other-stack/terraform.tfstate",
    "../../../terraform.mine.tfstate",
    "../../../state/prod.tfstate",
]


@pytest.mark.parametrize("path", ACCEPTED_STATE_PATHS)
def test_state_path_outside_synth_output_is_accepted(path):
    assert validate({**MINIMAL, "backend_local_path": path}).backend_local_path == path


def _synthesized(root, stack: str) -> object:
    """A cdktf outdir as a synth writes it (in the scratch folder), with every generated entry."""
    folder = root / "stacks" / stack
    (folder / "assets" / "lambda").mkdir(parents=True)
    (folder / "assets" / "lambda" / "app.zip").write_text("zip")
    for name in ("cdk.tf.json", "metadata.json"):
        (folder / name).write_text(json.dumps({"new": True}))
    (root / "manifest.json").write_text("{}")
    return root


@pytest.mark.parametrize("path", ACCEPTED_STATE_PATHS)
def test_accepted_state_path_survives_a_resynth(tmp_path, path):
    """Every accepted form: the state file is untouched by two synths (install into an existing folder, and a
    stack that leaves the configuration is kept because of the state)."""
    project = tmp_path / "project"
    outdir = project / "cdktf.out"
    stack_dir = outdir / "stacks" / "mine"
    for run in range(2):
        with output.locked_output(outdir) as scratch:
            output.install(_synthesized(scratch, "mine"), outdir, ["mine"])
        state = os.path.normpath(stack_dir / path)
        if run == 0:
            os.makedirs(os.path.dirname(state), exist_ok=True)
            with open(state, "w") as f:
                f.write('{"version": 4, "serial": 7}')
    assert open(state).read() == '{"version": 4, "serial": 7}'
    assert (stack_dir / "cdk.tf.json").is_file()


@pytest.mark.parametrize("path", ["cdk.tf.json", "assets/terraform.tfstate"])
def test_refused_state_paths_are_lost_by_a_resynth(tmp_path, path):
    """Why the rule exists: the same harness loses a state file at a refused path."""
    outdir = tmp_path / "cdktf.out"
    for run in range(2):
        with output.locked_output(outdir) as scratch:
            output.install(_synthesized(scratch, "mine"), outdir, ["mine"])
        state = outdir / "stacks" / "mine" / path
        if run == 0:
            state.write_text("state")
    assert not state.is_file() or state.read_text() != "state"
