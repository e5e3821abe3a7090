"""The output folder: a re-synth keeps what it did not write (state, .terraform, plans), moves all stacks in
together or not at all, one run at a time, and signals leave nothing behind."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import BUCKET, MINIMAL, REPO, node_env
from emulator import harness

from monitors.constructs.app import synthesize
from monitors.settings.config import load_plan, validate
from monitors.tooling import output

STACK = "smm-my-endpoint-us-east-2"
S = f"s3://{BUCKET}"
# Files a user's `terraform init/plan/apply` leaves in a stack folder, and one we know nothing about.
USER_FILES = {
    "terraform.tfstate": '{"version": 4, "serial": 7}',  # the old layout: state inside the stack folder
    "terraform.tfstate.backup": '{"version": 4, "serial": 6}',
    ".terraform.lock.hcl": "# lock\n",
    ".terraform/providers/registry.terraform.io/hashicorp/aws/marker": "provider",
    "plan.tfplan": "binary plan",
    "notes/README.txt": "ours, not yours",
}


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fleet(tmp_path: Path, names: list[str], **extra):
    config = {
        **{k: v for k, v in MINIMAL.items() if not k.startswith(("endpoint_name", "data_quality_"))},
        "enable_data_quality_monitor": True,
        **extra,
        "endpoints": [
            {
                "endpoint_name": n,
                "data_quality_baseline_s3_uri": f"{S}/{n}/baseline/",
                "data_quality_output_s3_uri": f"{S}/{n}/output/",
            }
            for n in names
        ],
    }
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(config))
    return load_plan(path, environ={})[0]


def test_default_local_state_lives_beside_the_output_folder(synth):
    tf = synth(MINIMAL)
    assert tf["terraform"]["backend"] == {"local": {"path": f"../../../terraform.{STACK}.tfstate"}}
    tf = synth({**MINIMAL, "backend_local_path": "state/terraform.tfstate"})
    assert tf["terraform"]["backend"] == {"local": {"path": "state/terraform.tfstate"}}


def test_resynth_keeps_old_layout_state_and_user_files_replaces_generated_drops_stale_generated(tmp_path):
    outdir = tmp_path / "cdktf.out"
    [stack] = synthesize([validate(MINIMAL)], outdir)
    for name, text in USER_FILES.items():
        (stack / name).parent.mkdir(parents=True, exist_ok=True)
        (stack / name).write_text(text)
    (stack / "assets" / "old_asset_1234" / "ABCD").mkdir(parents=True)  # from an earlier synth with assets
    (stack / "assets" / "old_asset_1234" / "ABCD" / "code.zip").write_text("old")
    (stack / "cdk.tf").write_text("# from an earlier --hcl synth")  # Terraform would read both files
    notes: list[str] = []

    synthesize([validate({**MINIMAL, "data_quality_instance_type": "ml.c5.xlarge"})], outdir, notes)

    assert notes == []
    files = tree(stack)
    assert {name: files[name].decode() for name in USER_FILES} == USER_FILES
    assert sorted(set(files) - set(USER_FILES)) == ["cdk.tf.json"]  # stale assets/ and cdk.tf are gone
    tf = json.loads(files["cdk.tf.json"])
    [dq] = tf["resource"]["aws_sagemaker_data_quality_job_definition"].values()
    assert dq["job_resources"]["cluster_config"]["instance_type"] == "ml.c5.xlarge"
    assert sorted(p.name for p in outdir.iterdir()) == [".synth.lock", "manifest.json", "stacks"]  # no scratch left
    assert [p.name for p in (outdir / "stacks").iterdir()] == [STACK]


def test_unconfigured_stack_folders_are_reported_and_removed_only_without_state(tmp_path):
    outdir = tmp_path / "project" / "cdktf.out"
    synthesize(fleet(tmp_path, ["a", "b", "c", "d"]), outdir)
    stacks = outdir / "stacks"
    (stacks / "smm-a-us-east-2" / ".terraform").mkdir()
    (tmp_path / "project" / "terraform.smm-b-us-east-2.tfstate").write_text("{}")  # b's state, default location
    notes: list[str] = []

    synthesize(fleet(tmp_path, ["c"]), outdir, notes)

    assert [line.replace(str(tmp_path), "TMP") for line in notes] == [
        "kept TMP/project/cdktf.out/stacks/smm-a-us-east-2: no longer in the configuration, but it holds .terraform; "
        "run `terraform destroy` there if its resources should go, then delete it yourself",
        "kept TMP/project/cdktf.out/stacks/smm-b-us-east-2: no longer in the configuration, but it holds its state "
        "TMP/project/terraform.smm-b-us-east-2.tfstate; run `terraform destroy` there if its resources should go, "
        "then delete it yourself",
        "removed TMP/project/cdktf.out/stacks/smm-d-us-east-2: no longer in the configuration, it held only "
        "generated files",
    ]
    assert sorted(p.name for p in stacks.iterdir()) == ["smm-a-us-east-2", "smm-b-us-east-2", "smm-c-us-east-2"]
    assert (stacks / "smm-b-us-east-2" / "cdk.tf.json").exists()  # still there to `terraform destroy` with
    assert list(json.loads((outdir / "manifest.json").read_text())["stacks"]) == ["smm-c-us-east-2"]


def test_a_failed_move_leaves_every_stack_as_it_was(tmp_path, monkeypatch):
    outdir = tmp_path / "cdktf.out"
    synthesize(fleet(tmp_path, ["a", "b"]), outdir)
    (outdir / "stacks" / "smm-a-us-east-2" / "terraform.tfstate").write_text("state")
    before = tree(outdir)
    real_move, calls = output._Moves.move, []

    def failing_move(self, source, target):
        calls.append(target)
        if len(calls) == 2:  # a's cdk.tf.json replaced, c (new) moved in, now b (unconfigured) is being removed
            raise OSError(28, "No space left on device")
        real_move(self, source, target)

    monkeypatch.setattr(output._Moves, "move", failing_move)
    with pytest.raises(OSError, match="No space left"):
        synthesize(fleet(tmp_path, ["a", "c"], data_quality_instance_type="ml.c5.xlarge"), outdir)
    assert len(calls) == 2
    assert tree(outdir) == before  # a restored, c not added, b not removed, manifest unchanged
    assert not list(outdir.glob(".synth-*"))


def test_a_second_synth_into_the_same_folder_fails_at_once(cli, tmp_path):
    outdir = tmp_path / "cdktf.out"
    outdir.mkdir()
    # main() in this process: flock locks belong to the open file, so this process's second open conflicts too.
    with open(outdir / ".synth.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        start = time.monotonic()
        result = cli(["--example"])
        waited = time.monotonic() - start
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: --outdir: another synthesis is writing cdktf.out (it holds .synth.lock); nothing was written, "
        "run again when it has finished"
    ]
    assert waited < 5  # does not wait for the lock
    assert sorted(p.name for p in outdir.iterdir()) == [".synth.lock"]


def test_two_concurrent_processes_one_writes_the_other_exits_2(tmp_path):
    def start():
        return subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), "--example"],
            cwd=tmp_path,
            env=node_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    first = start()
    deadline = time.monotonic() + 60
    while not list((tmp_path / "cdktf.out").glob(".synth-*")):  # the scratch folder exists only under the lock
        assert first.poll() is None and time.monotonic() < deadline, "first synth never took the lock"
        time.sleep(0.05)
    second = start()
    _, second_err = second.communicate(timeout=60)
    _, first_err = first.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (0, 2), (first_err, second_err)
    assert second_err.startswith("error: --outdir: another synthesis is writing cdktf.out")
    tf = json.loads((tmp_path / "cdktf.out/stacks/sagemaker-model-monitoring/cdk.tf.json").read_text())
    assert "aws_sagemaker_data_quality_job_definition" in tf["resource"]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_with_one_line_and_leaves_nothing_behind(tmp_path, signum, code):
    private_tmp = tmp_path / "tmp"  # jsii's kernel folders and our asset staging go here (TMPDIR)
    private_tmp.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "--example"],
        cwd=work,
        env={**node_env(), "TMPDIR": str(private_tmp)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(private_tmp.glob("jsii-*")):  # jsii is loaded: synthesis is under way
        assert proc.poll() is None and time.monotonic() < deadline, "synthesis never started"
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code
    assert err.splitlines() == [
        f"interrupted by {signal.Signals(signum).name}: stopped; cdktf.out holds the previous "
        "or the new output of each stack, never a mix"
    ]
    assert sorted(p.name for p in (work / "cdktf.out").iterdir()) in (
        [".synth.lock"],
        [".synth.lock", "manifest.json", "stacks"],
    )
    assert list(private_tmp.iterdir()) == []
    assert sorted(p.name for p in work.iterdir()) == ["cdktf.out"]


@pytest.mark.slow
def test_apply_then_resynth_keeps_state_and_plans_no_changes(moto_server, terraform, tmp_path):
    """The README's deploy flow in the stack folder, against moto: init -> apply -> re-synth -> empty plan."""
    project = tmp_path / "project"
    config = validate(MINIMAL)
    [stack] = synthesize([config], project / "cdktf.out")
    # The user's own file pointing the provider at the emulator; a re-synth must keep it like any other.
    (stack / "emulator_override.tf.json").write_text(
        json.dumps({"provider": {"aws": harness.provider_block(moto_server.endpoint, region="us-east-2")}})
    )
    tf = terraform(stack)
    tf.init()
    tf.apply()
    state = project / f"terraform.{STACK}.tfstate"  # resolved from the stack folder: beside cdktf.out
    assert state.is_file() and not (stack / "terraform.tfstate").exists()
    state_bytes = state.read_bytes()
    kept = {name: (stack / name).read_bytes() for name in (".terraform.lock.hcl", "emulator_override.tf.json")}

    notes: list[str] = []
    synthesize([config], project / "cdktf.out", notes)

    assert notes == []
    assert (stack / ".terraform").is_dir()
    assert {name: (stack / name).read_bytes() for name in kept} == kept
    result = tf.run("plan", "-detailed-exitcode")
    assert result.retcode == 0, result.out  # 0: no changes (2 would mean changes)
    assert {
        "aws_iam_role.monitoring_role",
        "aws_sagemaker_data_quality_job_definition.data_quality_job_definition",
        "aws_sagemaker_monitoring_schedule.data_quality_schedule",
    } <= set(tf.state_list())
    assert state.read_bytes() == state_bytes
