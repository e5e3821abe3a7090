"""Several endpoints in one configuration: per-endpoint stacks by default, or one shared stack."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import BUCKET, MINIMAL

from monitors.settings.config import ConfigError, load_plan

S = f"s3://{BUCKET}"
SHARED = {
    k: v
    for k, v in MINIMAL.items()
    if k not in ("endpoint_name", "data_quality_baseline_s3_uri", "data_quality_output_s3_uri")
}


def endpoint(name: str, **extra) -> dict:
    return {
        "endpoint_name": name,
        "data_quality_baseline_s3_uri": f"{S}/{name}/baseline/",
        "data_quality_output_s3_uri": f"{S}/{name}/output/",
        **extra,
    }


def plan(tmp_path, config: dict):
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(config))
    return load_plan(path, environ={})


def synth_plans(plans, outdir):
    from monitors.constructs.app import synthesize

    return {
        p.name: json.loads((p_dir / "cdk.tf.json").read_text())
        for p, p_dir in zip(plans, synthesize(plans, outdir), strict=True)
    }


def test_flat_configuration_is_one_stack(tmp_path):
    plans, _ = plan(tmp_path, MINIMAL)
    assert [(p.name, p.grouped, [s.endpoint_name for s in p.endpoints]) for p in plans] == [
        ("smm-my-endpoint-us-east-2", False, ["my-endpoint"])
    ]


def test_one_stack_per_endpoint_with_overrides(tmp_path):
    config = {
        **SHARED,
        "data_quality_instance_type": "ml.m5.xlarge",
        "endpoints": [endpoint("churn"), endpoint("fraud", data_quality_instance_type="ml.c5.2xlarge")],
    }
    plans, _ = plan(tmp_path, config)
    assert [p.name for p in plans] == ["smm-churn-us-east-2", "smm-fraud-us-east-2"]
    stacks = synth_plans(plans, tmp_path / "out")
    types = {
        name: next(iter(tf["resource"]["aws_sagemaker_data_quality_job_definition"].values()))["job_resources"][
            "cluster_config"
        ]["instance_type"]
        for name, tf in stacks.items()
    }
    assert types == {"smm-churn-us-east-2": "ml.m5.xlarge", "smm-fraud-us-east-2": "ml.c5.2xlarge"}
    assert (tmp_path / "out" / "stacks" / "smm-fraud-us-east-2" / "cdk.tf.json").exists()


def test_adding_an_endpoint_changes_nothing_for_the_others(tmp_path):
    two = {**SHARED, "endpoints": [endpoint("a"), endpoint("b")]}
    three = {**SHARED, "endpoints": [endpoint("a"), endpoint("c"), endpoint("b")]}
    before = synth_plans(plan(tmp_path, two)[0], tmp_path / "before")
    after = synth_plans(plan(tmp_path, three)[0], tmp_path / "after")
    for name in before:
        assert json.dumps(before[name], sort_keys=True) == json.dumps(after[name], sort_keys=True)
    assert set(after) - set(before) == {"smm-c-us-east-2"}


def test_one_shared_stack_keeps_addresses_stable(tmp_path):
    two = {**SHARED, "stack_per_endpoint": False, "endpoints": [endpoint("a"), endpoint("b")]}
    three = {**two, "endpoints": [endpoint("c"), *two["endpoints"]]}
    [before] = synth_plans(plan(tmp_path, two)[0], tmp_path / "before").values()
    [after] = synth_plans(plan(tmp_path, three)[0], tmp_path / "after").values()
    for rtype, resources in before["resource"].items():
        for address, body in resources.items():
            assert after["resource"][rtype][address] == body, f"{rtype}.{address} changed"
    roles = sorted(r["name"] for r in after["resource"]["aws_iam_role"].values())
    assert roles == ["smm-us-east-2-a-monitoring", "smm-us-east-2-b-monitoring", "smm-us-east-2-c-monitoring"]
    assert {"a_monitoring_role_arn", "c_data_quality_schedule_arn"} <= set(after["output"])


def test_fleet_errors_name_the_entry(tmp_path):
    config = {
        **SHARED,
        "stack_per_endpoint": False,
        "endpoints": [
            endpoint("a", data_quality_instance_type="big"),
            endpoint("a"),
            endpoint("b", region="eu-west-1"),
            {"enable_model_bias_monitor": True},
        ],
    }
    with pytest.raises(ConfigError) as exc:
        plan(tmp_path, config)
    problems = exc.value.problems
    assert any(
        p.startswith("endpoints[0].data_quality_instance_type: must be a SageMaker ML instance type") for p in problems
    )
    assert "endpoints[1].endpoint_name: 'a' is listed twice (also endpoints[0])" in problems
    assert any(
        p.startswith("endpoints[2].region: cannot differ per endpoint when stack_per_endpoint is false")
        for p in problems
    )
    assert "endpoints[3].endpoint_name: is required for every entry of endpoints" in problems


def test_endpoints_from_seedfarmer_environment(tmp_path):
    env = {
        "SEEDFARMER_PARAMETER_ENDPOINTS": json.dumps([endpoint("x")]),
        **{
            f"SEEDFARMER_PARAMETER_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in SHARED.items()
        },
    }
    plans, _ = load_plan(None, environ=env)
    assert [p.name for p in plans] == ["smm-x-us-east-2"]


def test_per_endpoint_stacks_never_share_state(tmp_path):
    for extra, field in (
        ({"backend": "s3", "backend_s3_bucket": "state", "backend_s3_key": "one.tfstate"}, "backend_s3_key"),
        ({"backend": "cloud", "tfc_organization": "acme", "tfc_workspace_name": "monitoring"}, "tfc_workspace_name"),
    ):
        with pytest.raises(ConfigError) as exc:
            plan(tmp_path, {**SHARED, **extra, "endpoints": [endpoint("a"), endpoint("b")]})
        assert any(p.startswith(f"{field}: the per-endpoint stacks would share it") for p in exc.value.problems)
    plans, _ = plan(
        tmp_path, {**SHARED, "backend": "s3", "backend_s3_bucket": "state", "endpoints": [endpoint("a"), endpoint("b")]}
    )
    assert len(plans) == 2  # default keys are <stack name>/terraform.tfstate: distinct


def test_a_fleet_synthesized_in_several_jsii_kernels_is_byte_identical(tmp_path):
    """Past STACKS_PER_KERNEL stacks, synthesize() starts a fresh jsii kernel per batch (memory that does not grow
    with the fleet) and merges the batches' manifest.json: the files are the same as from one kernel."""
    import subprocess
    import sys

    from conftest import REPO, node_env

    config = tmp_path / "fleet.yaml"
    config.write_text(yaml.safe_dump({**SHARED, "endpoints": [endpoint(f"e{i}") for i in range(5)]}))

    def synth(name: str, per_kernel: str) -> dict:
        outdir = tmp_path / name
        result = subprocess.run(
            [sys.executable, str(REPO / "main.py"), "--config", str(config), "--outdir", str(outdir)],
            cwd=tmp_path,
            env={**node_env(), "MONITORS_STACKS_PER_KERNEL": per_kernel},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        return {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*")) if p.is_file()}

    one, batched = synth("one", "250"), synth("batched", "2")
    assert len([f for f in one if f.endswith("cdk.tf.json")]) == 5
    assert one == batched
