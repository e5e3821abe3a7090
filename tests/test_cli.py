"""`python main.py` as users run it: messages, exit codes, nothing half-written, byte-identical output.

The contract end to end, in real processes (``run_main``): no configuration and a bad one exit 2 with only our
lines on stderr (no traceback) and write nothing; the bundled example synthesizes with only our lines; two
checkouts write the same bytes. The other cases call main.main() in this process (``cli``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL, REPO, node_env, seed_manifest

EXPECTED = (
    "expected --config FILE, --example (the bundled examples/full.yaml), or SEEDFARMER_PARAMETER_<NAME> "
    "environment variables"
)


def test_no_configuration_exits_2_and_says_what_was_expected(run_main, tmp_path):
    result = run_main()
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"error: no configuration: {EXPECTED}",
        "1 configuration problem(s); nothing was written.",
    ]
    assert not (tmp_path / "cdktf.out").exists()


def test_seedfarmer_variables_of_another_prefix_are_named_not_ignored(cli, tmp_path):
    # SeedFarmer with publishGenericEnvVariables: false exports <PROJECT>_PARAMETER_<NAME>.
    result = cli(env={"MLOPS_PARAMETER_ENDPOINT_NAME": "churn", "MLOPS_PARAMETER_REGION": "us-east-2"})
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "error: no configuration: found MLOPS_PARAMETER_ENDPOINT_NAME, MLOPS_PARAMETER_REGION but no "
        "SEEDFARMER_PARAMETER_* "
        f"variables (SeedFarmer with publishGenericEnvVariables: false?); {EXPECTED}"
    )
    assert not (tmp_path / "cdktf.out").exists()


def test_example_takes_no_environment_parameters_and_no_config(cli, tmp_path):
    result = cli(["--example"], env={"SEEDFARMER_PARAMETER_ENDPOINT_NAME": "prod-endpoint"})
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "error: --example: the bundled example takes no SEEDFARMER_PARAMETER_* variables (found "
        "SEEDFARMER_PARAMETER_ENDPOINT_NAME); copy examples/full.yaml and give it with --config"
    )
    both = cli(["--example"], config=MINIMAL)
    assert both.returncode == 2 and "not allowed with argument --example" in both.stderr
    assert not (tmp_path / "cdktf.out").exists()


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`python main.py --example` of this checkout, run once in an empty folder: (the process, its cdktf.out)."""
    work = tmp_path_factory.mktemp("example")
    result = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "--example"],
        cwd=work,
        env=node_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result, work / "cdktf.out"


def test_example_synthesizes_the_bundled_example(example_run):
    result, outdir = example_run
    assert result.returncode == 0, result.stderr
    assert (outdir / "stacks" / "sagemaker-model-monitoring" / "cdk.tf.json").exists()
    # A clean synth prints no jsii/Node noise: only our own lines.
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        "wrote cdktf.out/stacks/sagemaker-model-monitoring/cdk.tf.json",
        "cost: churn-pred-endpoint data_quality: 24 run(s)/day x 1 ml.m5.large x at most 1 h = at most 24 "
        "instance-hours/day",
        "cost: churn-pred-endpoint model_quality: 12 run(s)/day x 1 ml.m5.large x at most 0.50 h = at most 6 "
        "instance-hours/day",
        "cost: churn-pred-endpoint model_bias: 1 run(s)/day x 1 ml.m5.large x at most 0.50 h = at most 0.50 "
        "instance-hours/day",
        "cost: churn-pred-endpoint model_explainability: 1 run(s)/day x 1 ml.m5.large x at most 0.50 h = at most "
        "0.50 instance-hours/day",
        "cost: churn-pred-endpoint baselines: 1 run(s)/day (cron(0 2 * * ? *)) x 4 monitor(s) x 1 ml.m5.xlarge x at "
        "most 1 h = "
        "at most 4 instance-hours/day (plus one run per monitor at apply time)",
    ]


def test_bad_configuration_exits_2_lists_all_problems_writes_nothing(run_main, tmp_path):
    bad = {**MINIMAL, "data_quality_instance_type": "big", "model_bucket_arn": "bucket", "enpoint_name": "x"}
    result = run_main(config=bad)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "error: enpoint_name: unknown parameter in config.yaml (did you mean 'endpoint_name'?)" in lines
    assert any(
        line.startswith("error: data_quality_instance_type: must be a SageMaker ML instance type") for line in lines
    )
    assert any(line.startswith("error: model_bucket_arn: must be an S3 bucket ARN") for line in lines)
    assert lines[-1] == "3 configuration problem(s); nothing was written."
    assert not (tmp_path / "cdktf.out").exists()


def test_unreadable_config_file_exits_2(cli, tmp_path):
    result = cli(["--config", str(tmp_path / "missing.yaml")])
    assert result.returncode == 2 and "error: --config: cannot read" in result.stderr
    assert not (tmp_path / "cdktf.out").exists()


def test_both_seed_manifests_synthesize_as_they_are(cli, tmp_path):
    for name in ("basic", "baseline"):
        (tmp_path / name).mkdir()
        result = cli(config=seed_manifest(name), cwd=tmp_path / name)
        assert result.returncode == 0, result.stderr
        [written] = [line.removeprefix("wrote ") for line in result.stderr.splitlines() if line.startswith("wrote ")]
        assert written.startswith("cdktf.out/stacks/") and (tmp_path / name / written).is_file(), written


def test_environment_wins_over_file(cli, tmp_path):
    import json

    result = cli(config=MINIMAL, env={"SEEDFARMER_PARAMETER_DATA_QUALITY_INSTANCE_TYPE": "ml.c5.2xlarge"})
    assert result.returncode == 0, result.stderr
    tf = json.loads((tmp_path / "cdktf.out/stacks/smm-my-endpoint-us-east-2/cdk.tf.json").read_text())
    [dq] = tf["resource"]["aws_sagemaker_data_quality_job_definition"].values()
    assert dq["job_resources"]["cluster_config"]["instance_type"] == "ml.c5.2xlarge"


def test_output_is_byte_identical_across_runs_and_checkouts(example_run, tmp_path):
    """This checkout's run (``example_run``) and a run in a copy of it at another depth, from its own folder."""
    first, a = example_run
    assert first.returncode == 0, first.stderr
    copy = tmp_path / "nested" / "checkout-b"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv*", ".tools", "node_modules", "cdktf.out", ".git", "__pycache__", ".pytest_cache"
        ),
    )
    result = subprocess.run(
        [sys.executable, "main.py", "--example"], cwd=copy, env=node_env(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    b = copy / "cdktf.out"

    def tree(root):
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    tree_a, tree_b = tree(a), tree(b)
    assert sorted(tree_a) == sorted(tree_b)
    assert [name for name in tree_a if tree_a[name] != tree_b[name]] == []
    assert any(
        name.startswith("stacks/sagemaker-model-monitoring/assets/") for name in tree_a
    )  # the Lambda image source
    text = (a / "stacks/sagemaker-model-monitoring/cdk.tf.json").read_text()  # the same bytes as b's
    assert [path for path in (str(REPO), str(a.parent), str(tmp_path), "/work/") if path in text] == []
