"""Deployments side by side: names and state per deployment, readable addresses with moved blocks,
required_version from the features the output uses."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import BUCKET, MINIMAL, REPO, address

from monitors.naming import DEFAULT_STACK_NAME_MAX
from monitors.settings.config import load_plan
from monitors.tooling.terraform_version import feature_versions, required_terraform_version

S = f"s3://{BUCKET}"
# Everything that creates named resources: the monitoring role, baseline generation (Lambda, ECR repository,
# state machine, log groups, EventBridge rule, three more roles) and alerts (topic, checker Lambda, rules).
FULL = {
    **MINIMAL,
    "enable_model_quality_monitor": True,
    "model_quality_output_s3_uri": f"{S}/output/mq/",
    "model_quality_ground_truth_s3_uri": f"{S}/ground-truth/",
    "model_quality_inference_attribute": "0",
    "baseline_training_data_s3_uri": f"{S}/train.csv",
    "baseline_output_data_s3_uri": f"{S}/baselines/",
    "kms_key_id": "alias/model-monitoring",
    "alert_create_topic": True,
    "data_quality_drift_alarms": [{"feature": "tenure", "threshold": 0.2}],
    "backend": "s3",
    "backend_s3_bucket": "tf-state",
}
# Names that live inside a parent, not in the account or region: an inline policy is named within its role.
SCOPED_NAMES = {("aws_iam_role_policy", "name")}
ACCOUNT_WIDE = {"aws_iam_role"}  # IAM names are global to the account, not per region
# AWS name length limits (IAM role 64, Lambda function 64, EventBridge rule 64, Step Functions 80,
# SageMaker 63, ECR 256, SNS topic 256, CloudWatch alarm 255, log group 512).
MAX_LENGTH = {
    "aws_iam_role": 64,
    "aws_lambda_function": 64,
    "aws_cloudwatch_event_rule": 64,
    "aws_sfn_state_machine": 80,
    "aws_sagemaker_data_quality_job_definition": 63,
    "aws_sagemaker_monitoring_schedule": 63,
    "awscc_sagemaker_model_quality_job_definition": 63,
    "aws_ecr_repository": 256,
    "aws_sns_topic": 256,
    "aws_cloudwatch_metric_alarm": 255,
    "aws_cloudwatch_log_group": 512,
}
HASHED = re.compile(r"_[0-9A-F]{8}$")


def names(tf: dict) -> dict[tuple[str, str], str]:
    """{(resource type, attribute): value} for every literal name-like attribute (name, *_name) of every resource."""
    found = {}
    for rtype, bodies in tf["resource"].items():
        for resource_address, body in bodies.items():
            for key, value in body.items():
                if (
                    (key == "name" or key.endswith("_name"))
                    and key != "metric_name"
                    and isinstance(value, str)
                    and "${" not in value
                    and (rtype, key) not in SCOPED_NAMES
                ):
                    found[(rtype, f"{resource_address}.{key}")] = value
    return found


def shared(a: dict, b: dict) -> dict[str, list[str]]:
    """Name values the two outputs have in common -> the resource types carrying them."""
    by_value_a, by_value_b = {}, {}
    for (rtype, _), value in names(a).items():
        by_value_a.setdefault(value, set()).add(rtype)
    for (rtype, _), value in names(b).items():
        by_value_b.setdefault(value, set()).add(rtype)
    return {v: sorted(by_value_a[v] | by_value_b[v]) for v in set(by_value_a) & set(by_value_b)}


def state_key(tf: dict) -> str:
    return tf["terraform"]["backend"]["s3"]["key"]


def test_two_endpoints_share_no_name_and_no_state_key(synth, tmp_path):
    churn = synth({**FULL, "endpoint_name": "my-endpoint"}, tmp_path / "a")
    fraud = synth({**FULL, "endpoint_name": "fraud-endpoint"}, tmp_path / "b")
    assert len(names(churn)) >= 20  # roles, functions, repository, log groups, state machine, rules, topic, alarms
    assert shared(churn, fraud) == {}
    assert (state_key(churn), state_key(fraud)) == (
        "smm-my-endpoint-us-east-2/terraform.tfstate",
        "smm-fraud-endpoint-us-east-2/terraform.tfstate",
    )
    roles = sorted(r["name"] for r in churn["resource"]["aws_iam_role"].values())
    assert roles == [
        "smm-my-endpoint-us-east-2-alerts-checker-role",
        "smm-my-endpoint-us-east-2-baseline-events",
        "smm-my-endpoint-us-east-2-baseline-lambda",
        "smm-my-endpoint-us-east-2-baseline-sfn",
        "smm-my-endpoint-us-east-2-monitoring",
    ]


def test_same_endpoint_in_two_regions_shares_no_account_wide_name_and_no_state_key(synth, tmp_path):
    east = synth({**FULL, "region": "us-east-2"}, tmp_path / "a")
    west = synth({**FULL, "region": "eu-west-1"}, tmp_path / "b")
    common = shared(east, west)
    # Only regional names repeat (the monitoring schedules are named after the endpoint): never an IAM name.
    assert common == {
        "my-endpoint-dq-schedule": ["aws_sagemaker_monitoring_schedule"],
        "my-endpoint-mq-schedule": ["aws_sagemaker_monitoring_schedule"],
        "my-endpoint-data-quality-drift-tenure": ["aws_cloudwatch_metric_alarm"],
    }
    assert not {t for types in common.values() for t in types} & ACCOUNT_WIDE
    assert state_key(east) != state_key(west)
    assert {r["name"] for r in west["resource"]["aws_iam_role"].values()} >= {"smm-my-endpoint-eu-west-1-monitoring"}


def test_seedfarmer_context_names_the_deployment(tmp_path):
    env = {
        "SEEDFARMER_PROJECT_NAME": "mlops",
        "SEEDFARMER_DEPLOYMENT_NAME": "prod",
        "SEEDFARMER_MODULE_NAME": "monitoring",
        **{
            f"SEEDFARMER_PARAMETER_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
            for k, v in MINIMAL.items()
        },
    }
    [plan], _ = load_plan(None, environ=env)
    assert plan.name == "mlops-prod-monitoring-my-endpoint-us-east-2"
    other, _ = load_plan(None, environ={**env, "SEEDFARMER_DEPLOYMENT_NAME": "staging"})
    assert other[0].name == "mlops-staging-monitoring-my-endpoint-us-east-2"


def test_long_identities_stay_within_aws_name_limits(synth, tmp_path, monkeypatch):
    endpoint = "e" * 63
    tf = synth(
        {
            **FULL,
            "endpoint_name": endpoint,
            "region": "ap-southeast-2",
            "seedfarmer_project_name": "p" * 30,
            "seedfarmer_deployment_name": "d" * 30,
            "seedfarmer_module_name": "m" * 30,
        }
    )
    stack = tf["//"]["metadata"]["stackName"]
    assert len(stack) == DEFAULT_STACK_NAME_MAX and stack.endswith("-ap-southeast-2") and stack == stack.lower()
    checked = 0
    for (rtype, where), value in names(tf).items():
        if rtype in MAX_LENGTH:
            assert len(value) <= MAX_LENGTH[rtype], f"{where}: {value!r} is longer than {MAX_LENGTH[rtype]}"
            checked += 1
    assert checked >= 15


def test_explicit_stack_name_is_used_as_given(synth, tmp_path):
    explicit = synth({**FULL, "stack_name": "sagemaker-model-monitoring"}, tmp_path / "a")
    assert state_key(explicit) == "sagemaker-model-monitoring/terraform.tfstate"
    assert explicit["resource"]["aws_iam_role"]["monitoring_role"]["name"] == "sagemaker-model-monitoring-monitoring"
    # The same explicit name in another region and with SeedFarmer context: every name stays as given.
    elsewhere = synth(
        {**FULL, "stack_name": "sagemaker-model-monitoring", "region": "eu-west-1", "seedfarmer_project_name": "mlops"},
        tmp_path / "b",
    )
    assert {k: v for k, v in names(elsewhere).items() if "schedule" not in k[0] and "job_definition" not in k[0]} == {
        k: v for k, v in names(explicit).items() if "schedule" not in k[0] and "job_definition" not in k[0]
    }
    # Giving the derived name explicitly writes the same bytes as leaving it unset: the default only
    # chooses the name, and an explicit name goes through unchanged.
    derived = tmp_path / "derived"
    given = tmp_path / "given"
    synth(FULL, derived)
    synth({**FULL, "stack_name": "smm-my-endpoint-us-east-2"}, given)
    stack = "stacks/smm-my-endpoint-us-east-2/cdk.tf.json"
    assert (derived / stack).read_bytes() == (given / stack).read_bytes()


def test_fleet_per_endpoint_and_shared_stacks(tmp_path):
    shared_params = {
        k: v
        for k, v in MINIMAL.items()
        if k not in ("endpoint_name", "data_quality_baseline_s3_uri", "data_quality_output_s3_uri")
    }
    entry = [
        {"endpoint_name": n, "data_quality_baseline_s3_uri": f"{S}/{n}/b/", "data_quality_output_s3_uri": f"{S}/{n}/o/"}
        for n in ("a", "b")
    ]
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({**shared_params, "endpoints": entry}))
    assert [p.name for p in load_plan(path, environ={})[0]] == ["smm-a-us-east-2", "smm-b-us-east-2"]
    path.write_text(json.dumps({**shared_params, "stack_name": "team", "endpoints": entry}))
    assert [p.name for p in load_plan(path, environ={})[0]] == ["team-a", "team-b"]  # as before
    path.write_text(json.dumps({**shared_params, "stack_per_endpoint": False, "endpoints": entry}))
    [plan], _ = load_plan(path, environ={})
    assert (plan.name, [s.stack_name for s in plan.endpoints]) == (
        "smm-us-east-2",
        ["smm-us-east-2-a", "smm-us-east-2-b"],
    )


# --- readable addresses -------------------------------------------------------------------------


def _hashed_synth(synth, config, outdir, monkeypatch):
    from monitors.tooling.addresses import ReadableAddressStack

    with monkeypatch.context() as m:
        m.setattr(ReadableAddressStack, "readable_addresses", False)
        return synth(config, outdir)


def test_addresses_are_readable_with_moved_blocks_from_the_hashed_ones(synth, tmp_path, monkeypatch):
    config = {**FULL, "stack_name": "sagemaker-model-monitoring"}
    old = _hashed_synth(synth, config, tmp_path / "old", monkeypatch)
    new = synth(config, tmp_path / "new")
    old_addresses = {f"{t}.{n}" for t, bodies in old["resource"].items() for n in bodies}
    new_addresses = {f"{t}.{n}" for t, bodies in new["resource"].items() for n in bodies}
    assert all(HASHED.search(a) for a in old_addresses)  # every resource is nested in a construct
    assert [a for a in new_addresses if HASHED.search(a)] == []
    assert [n for bodies in new["data"].values() for n in bodies if HASHED.search(n)] == []
    assert "aws_iam_role.monitoring_role" in new_addresses
    assert "aws_sagemaker_monitoring_schedule.data_quality_schedule" in new_addresses
    moves = {m["from"]: m["to"] for m in new["moved"]}
    # Every hashed address moves to the readable address of the same resource (same body), nothing else.
    assert set(moves) == old_addresses - new_addresses and set(moves.values()) == new_addresses - old_addresses
    assert moves[address(old, "aws_iam_role", "monitoring_role")] == "aws_iam_role.monitoring_role"
    # Nothing else differs: the old document with the hash suffixes dropped is the new one without its moves.
    unhashed = json.loads(re.sub(r"_[0-9A-F]{8}(?=[.\")}])", "", json.dumps(old)))  # ) ends jsonencode(local.x)
    new_without_moves = {k: v for k, v in new.items() if k != "moved"}
    new_without_moves["//"]["metadata"]["overrides"]["stack"].remove("moved")
    for section in set(unhashed) | set(new_without_moves):
        for rtype in set(unhashed.get(section) or {}) | set(new_without_moves.get(section) or {}):
            if isinstance(unhashed.get(section), dict) and isinstance(new_without_moves.get(section), dict):
                assert unhashed[section].get(rtype) == new_without_moves[section].get(rtype), f"{section}.{rtype}"
    assert unhashed == new_without_moves
    # References follow: the schedule names its definition by the readable address.
    [schedule] = [
        b for n, b in new["resource"]["aws_sagemaker_monitoring_schedule"].items() if n == "data_quality_schedule"
    ]
    assert (
        schedule["monitoring_schedule_config"]["monitoring_job_definition_name"]
        == "${aws_sagemaker_data_quality_job_definition.data_quality_job_definition.name}"
    )


def test_fleet_shared_stack_addresses_carry_the_endpoint_scope(tmp_path):
    from monitors.constructs.app import synthesize

    shared_params = {
        k: v
        for k, v in MINIMAL.items()
        if k not in ("endpoint_name", "data_quality_baseline_s3_uri", "data_quality_output_s3_uri")
    }
    entry = [
        {"endpoint_name": n, "data_quality_baseline_s3_uri": f"{S}/{n}/b/", "data_quality_output_s3_uri": f"{S}/{n}/o/"}
        for n in ("a", "b")
    ]
    path = tmp_path / "fleet.json"
    path.write_text(json.dumps({**shared_params, "stack_per_endpoint": False, "endpoints": entry}))
    plans, _ = load_plan(path, environ={})
    [stack] = synthesize(plans, tmp_path / "out")
    tf = json.loads((stack / "cdk.tf.json").read_text())
    assert sorted(tf["resource"]["aws_iam_role"]) == ["a_monitoring_role", "b_monitoring_role"]
    moved_to = {m["to"] for m in tf["moved"]}
    assert {"aws_iam_role.a_monitoring_role", "aws_iam_role.b_monitoring_role"} <= moved_to


def test_two_constructs_reading_as_one_address_fail_the_synth(tmp_path):
    from cdktf import App
    from constructs import Construct

    from monitors.constructs.aws_bindings import aws
    from monitors.tooling.addresses import AddressCollision, ReadableAddressStack

    app = App(outdir=str(tmp_path))
    stack = ReadableAddressStack(app, "collide")
    aws("provider").AwsProvider(stack, "aws", region="us-east-1")
    aws("sns_topic").SnsTopic(Construct(stack, "a_b"), "c", name="one")
    aws("sns_topic").SnsTopic(Construct(stack, "a"), "b_c", name="two")
    # jsii carries the exception out of the synth as a RuntimeError with our message.
    with pytest.raises(RuntimeError) as exc:
        app.synth()
    assert str(exc.value) == "constructs collide/a_b/c and collide/a/b_c would both get the Terraform address a_b_c"
    assert issubclass(AddressCollision, Exception)


# --- required_version -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra, expected",
    [
        ({}, ">= 1.1"),  # moved blocks
        ({"backend": "s3", "backend_s3_bucket": "tf-state"}, ">= 1.10"),  # S3-native locking
        (
            {
                "backend": "s3",
                "backend_s3_bucket": "tf-state",
                "backend_s3_use_lockfile": False,
                "backend_s3_dynamodb_table": "locks",
            },
            ">= 1.1",
        ),
        (
            {"baseline_training_data_s3_uri": f"{S}/train.csv", "baseline_output_data_s3_uri": f"{S}/baselines/"},
            ">= 1.2",
        ),  # postcondition
    ],
)
def test_required_version_is_what_the_output_needs(synth, extra, expected):
    tf = synth({**MINIMAL, **extra})
    assert tf["terraform"]["required_version"] == expected


def test_required_version_features():
    assert required_terraform_version({"terraform": {}}) == ">= 1.0"
    assert feature_versions({"import": [{"to": "aws_sns_topic.t", "id": "arn"}], "moved": [{}]}) == {
        "import blocks": (1, 5),
        "moved blocks": (1, 1),
    }
    assert (
        required_terraform_version({"removed": [{}], "terraform": {"backend": {"s3": {"use_lockfile": True}}}})
        == ">= 1.10"
    )


def test_every_address_an_earlier_version_wrote_has_a_moved_block(synth):
    """States from before readable addresses hold exactly these addresses (the bundled example at 8d0fd0b):
    a construct path changed since then would give a different hashed id, and its resource would be
    replaced instead of moved. A resource removed on purpose: take it off the list."""
    frozen = [
        line
        for line in (REPO / "tests" / "addresses_8d0fd0b.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    tf = synth(yaml.safe_load((REPO / "examples" / "full.yaml").read_text()))
    moves = {m["from"]: m["to"] for m in tf["moved"]}
    assert [address for address in frozen if address not in moves] == []
    assert len(frozen) == 50
