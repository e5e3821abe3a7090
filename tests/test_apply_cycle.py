"""The full example against a local AWS emulator: plan -> apply -> empty re-plan -> change -> destroy.

No awscc provider binary exists here: the three awscc job definitions are created through boto3 against
the same moto server and the schedules reference those real objects.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import REPO
from emulator import harness
from emulator_fixtures import moto_server, terraform_bin  # noqa: F401

from monitors.awscc import to_terraform  # noqa: F401

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/baseline-lambda:v1"
# The baseline handler's answers to {"action": "start_executions"} (lambda_image/app.py).
STARTED = {"status": "STARTED", "execution_arns": ["arn:aws:states:us-east-1:123456789012:execution:sm:deploy-dq"]}
AWSCC_TYPES = {
    "model_quality": "ModelQuality",
    "model_bias": "ModelBias",
    "model_explainability": "ModelExplainability",
}


def _config(**overrides) -> dict:
    config = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
    config.update(region="us-east-1", baseline_lambda_image_uri=IMAGE, **overrides)
    return config


def _synth(config: dict, outdir: Path) -> tuple[dict, Path]:
    """The synthesized JSON and its file (the working copy needs the stack's assets beside it)."""
    from monitors.app import synthesize
    from monitors.config import validate

    [stack] = synthesize([validate(config)], outdir)
    return json.loads((stack / "cdk.tf.json").read_text()), stack / "cdk.tf.json"


def _awscc_substitutes(tf: dict, sagemaker, role_arn: str) -> dict:
    """Create the awscc job definitions via boto3; return {reference: literal} for the schedules."""
    subs = {}
    for rtype, resources in tf["resource"].items():
        if not rtype.startswith("awscc_"):
            continue
        monitor = rtype.removeprefix("awscc_sagemaker_").removesuffix("_job_definition")
        for logical, attrs in resources.items():
            payload = {k: v for k, v in attrs.items() if k not in ("//", "lifecycle", "provider", "tags", "depends_on")}
            text = json.dumps(payload)
            text = text.replace("${aws_iam_role.monitoring_role.arn}", role_arn)
            text = text.replace("${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}", "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest")
            text = text.replace("${data.aws_sagemaker_prebuilt_ecr_image.clarify_image.registry_path}", "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0")
            payload = json.loads(text)
            try:
                harness.create_job_definition(sagemaker, AWSCC_TYPES[monitor], payload)
            except Exception as exc:  # already there from an earlier apply in this session
                if "already exists" not in str(exc) and "ResourceInUse" not in str(exc):
                    raise
            name = payload["job_definition_name"]
            subs[f"{rtype}.{logical}.job_definition_name"] = name
            subs[f"{rtype}.{logical}.job_definition_arn"] = f"arn:aws:sagemaker:us-east-1:123456789012:{monitor.replace('_', '-')}-job-definition/{name}"
    return subs


def test_full_example_apply_replan_change_destroy(moto_server, terraform_bin, tmp_path):  # noqa: F811
    moto_server.client("s3").create_bucket(Bucket="sagemaker-us-east-2-123456789012")
    kms = moto_server.client("kms")
    if "alias/model-monitoring" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}:
        key_id = kms.create_key(Description="model monitoring")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/model-monitoring", TargetKeyId=key_id)
    first, first_path = _synth(_config(), tmp_path / "out1")
    workdir = tmp_path / "tf"
    # The role ARN is deterministic (name from the stack name), so the boto3-created definitions can use it.
    role_arn = "arn:aws:iam::123456789012:role/sagemaker-model-monitoring-monitoring"
    subs = _awscc_substitutes(first, moto_server.client("sagemaker"), role_arn)
    harness.prepare_workdir(first_path, workdir, moto_server.endpoint, substitutions=subs, region="us-east-1")
    tf = harness.TerraformWorkdir(workdir)
    tf.init()
    assert tf.plan("-out=plan.tfplan")[0] == 2
    # The run-on-deploy invocation's postcondition requires the handler's answer to say STARTED.
    moto_server.queue_lambda_results([STARTED])
    tf.run("apply", "-input=false", "-no-color", "plan.tfplan")
    applied = tf.state_list()
    managed = [a for a in applied if not a.startswith("data.")]
    print(f"\napply cycle: {len(managed)} resources applied ({len(applied) - len(managed)} data sources read)")
    assert any(a.startswith("aws_sagemaker_monitoring_schedule.") for a in applied)
    assert any(a.startswith("aws_sfn_state_machine.") for a in applied)
    assert any(a.startswith("aws_lambda_invocation.") for a in applied)
    # The Clarify monitors' own analysis configurations were written where their config_uri points.
    configs = first["resource"]["aws_s3_object"]
    assert {name.split("_analysis_config")[0] for name in configs} == {"model_bias", "model_explainability"}
    for obj in configs.values():
        stored = moto_server.client("s3").get_object(Bucket=obj["bucket"], Key=obj["key"])
        assert stored["Body"].read().decode() == obj["content"]
        assert stored["ServerSideEncryption"] == "aws:kms"
    rc, out, _ = tf.plan()
    summary = [line for line in out.splitlines() if line.strip().startswith(("#", "~", "+", "-"))]
    assert rc == 0, "second plan after apply must be empty:\n" + "\n".join(summary)

    # Change one monitor parameter: the data quality definition is replaced, its schedule updated in place.
    _, changed_path = _synth(_config(data_quality_instance_type="ml.m5.xlarge"), tmp_path / "out2")
    harness.prepare_workdir(changed_path, workdir, moto_server.endpoint, substitutions=subs, region="us-east-1")
    rc, out, err = harness.run_terraform(["plan", "-no-color", "-input=false", "-out=change.tfplan"], workdir)
    assert rc == 0, err
    rc, shown, err = harness.run_terraform(["show", "-json", "change.tfplan"], workdir)
    changes = {c["address"]: c["change"]["actions"] for c in json.loads(shown)["resource_changes"] if c["change"]["actions"] != ["no-op"]}
    dq = [a for a in changes if a.startswith("aws_sagemaker_data_quality_job_definition.")]
    schedule = [a for a in changes if a.startswith("aws_sagemaker_monitoring_schedule.data_quality")]
    assert [changes[a] for a in dq] == [["create", "delete"]], changes
    assert [changes[a] for a in schedule] == [["update"]], changes
    assert not [a for a in changes if a.startswith("aws_lambda_invocation.")], "the baseline configuration did not change"
    tf.run("apply", "-input=false", "-no-color", "change.tfplan")
    assert tf.plan()[0] == 0
    tf.destroy()
    assert tf.state_list() == []
    print(f"apply cycle timings: {tf.timing_report()}")


def test_apply_fails_when_baseline_generation_does_not_start(moto_server, terraform_bin, tmp_path):  # noqa: F811
    """Run on deploy must not pass silently when no baseline run starts. The handler raises
    (StartExecutionsFailed): the apply fails with its reason, nothing is kept in state, the next apply
    retries. An answer that is not STARTED (an older image answered {"status": "ERROR"}) fails the
    invocation's postcondition, whose message names the -replace that retries it."""
    config = {
        "endpoint_name": "postcondition-endpoint", "region": "us-east-1", "stack_name": "postcondition-check",
        "model_bucket_arn": "arn:aws:s3:::sagemaker-us-east-2-123456789012",
        "enable_data_quality_monitor": True,
        "data_quality_output_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/output/",
        "baseline_training_data_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/train.csv",
        "baseline_output_data_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/baselines/",
        "baseline_lambda_image_uri": IMAGE,
    }
    tf_json, path = _synth(config, tmp_path / "out")
    [logical] = tf_json["resource"]["aws_lambda_invocation"]
    address = f"aws_lambda_invocation.{logical}"
    workdir = tmp_path / "tf"
    harness.prepare_workdir(path, workdir, moto_server.endpoint, region="us-east-1")
    tf = harness.TerraformWorkdir(workdir)
    tf.init()
    reason = "StartExecution failed: AccessDeniedException: not authorized to perform states:StartExecution"

    def apply(*args: str) -> tuple[int, str]:
        rc, _, err = harness.run_terraform(["apply", "-auto-approve", "-input=false", "-no-color", *args], workdir)
        return rc, " ".join(err.split())

    try:
        # 1. The function raises: the apply fails with the reason; the invocation is not in state.
        moto_server.queue_lambda_results([{"errorMessage": reason, "errorType": "StartExecutionsFailed"}])
        rc, err = apply()
        assert rc != 0 and reason in err, err
        assert address not in tf.state_list()
        # 2. The next apply retries; this time the answer is an (old-style) ERROR: the postcondition fails.
        moto_server.queue_lambda_results([{"status": "ERROR", "error": reason}])
        rc, err = apply()
        assert rc != 0 and "Resource postcondition failed" in err, err
        assert f"Baseline generation did not start on deploy: {reason}. Once the cause is fixed: terraform apply -replace={address}" in err, err
        # 3. The -replace from the message retries it; STARTED passes and the next plan is empty.
        moto_server.queue_lambda_results([STARTED])
        rc, err = apply(f"-replace={address}")
        assert rc == 0, err
        assert address in tf.state_list()
        assert tf.plan()[0] == 0
    finally:
        tf.destroy()


# Attributes a reviewer reads in a plan: policies, the state machine definition, event patterns, the run-on-deploy
# input. None may be "(known after apply)" in the first plan (issue 14: ARNs built from names, account, region).
REVIEWED_ATTRIBUTES = {
    "aws_iam_role": ("assume_role_policy",),
    "aws_iam_role_policy": ("policy",),
    "aws_sns_topic_policy": ("policy",),
    "aws_sfn_state_machine": ("definition",),
    "aws_cloudwatch_event_rule": ("event_pattern",),
    "aws_cloudwatch_event_target": ("input",),
    "aws_lambda_invocation": ("input",),
}


def unknown_reviewed_attributes(plan: dict) -> list[str]:
    """`address.attribute` of every reviewed attribute whose value is known only after apply."""
    out = []
    for change in plan["resource_changes"]:
        for attribute in REVIEWED_ATTRIBUTES.get(change["type"], ()):
            if change["change"].get("after_unknown", {}).get(attribute):
                out.append(f"{change['address']}.{attribute}")
    return out


def test_first_plan_shows_every_policy_and_definition(moto_server, terraform_bin, tmp_path):  # noqa: F811
    moto_server.client("s3").create_bucket(Bucket="sagemaker-us-east-2-123456789012")
    kms = moto_server.client("kms")
    if "alias/model-monitoring" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}:
        key_id = kms.create_key(Description="model monitoring")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/model-monitoring", TargetKeyId=key_id)
    tf_json, path = _synth(_config(), tmp_path / "out")
    subs = _awscc_substitutes(tf_json, moto_server.client("sagemaker"), "arn:aws:iam::123456789012:role/sagemaker-model-monitoring-monitoring")
    workdir = tmp_path / "tf"
    harness.prepare_workdir(path, workdir, moto_server.endpoint, substitutions=subs, region="us-east-1")
    tf = harness.TerraformWorkdir(workdir)
    tf.init()
    assert tf.plan("-out=first.tfplan")[0] == 2
    rc, shown, err = harness.run_terraform(["show", "-json", "first.tfplan"], workdir)
    assert rc == 0, err
    plan = json.loads(shown)
    reviewed = [c for c in plan["resource_changes"] if c["type"] in REVIEWED_ATTRIBUTES]
    # It really looked at them: 5 roles with their policies (+ the start policy), the topic policy, the state machine,
    # 2 rules with patterns or schedules, 4+1 targets, the run-on-deploy invocation.
    assert sum(c["type"] == "aws_iam_role_policy" for c in reviewed) == 6, [c["address"] for c in reviewed]
    assert {c["type"] for c in reviewed} == set(REVIEWED_ATTRIBUTES)
    assert unknown_reviewed_attributes(plan) == []
    # And the values are the built ARNs, e.g. the baseline failure rule names the state machine.
    [pattern] = [c["change"]["after"]["event_pattern"] for c in reviewed if c["address"].endswith("baseline_failures")]
    assert json.loads(pattern)["detail"]["stateMachineArn"] == [
        "arn:aws:states:us-east-1:123456789012:stateMachine:sagemaker-model-monitoring-baseline"]
