"""The full example against a local AWS emulator: plan -> apply -> empty re-plan -> change -> destroy.

No awscc provider binary exists here: the three awscc job definitions are created through boto3 against
the same moto server and the schedules reference those real objects.
"""

from __future__ import annotations

import json
import time

import pytest
import yaml
from conftest import REPO
from emulator import harness
from tftest import TerraformTestError

from monitors.payloads.awscc_shapes import to_terraform  # noqa: F401

pytestmark = pytest.mark.slow  # Terraform against the emulator

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/baseline-lambda:v1"
# The baseline handler's answers to {"action": "start_executions"} (lambda_image/app.py).
STARTED = {"status": "STARTED", "execution_arns": ["arn:aws:states:us-east-1:123456789012:execution:sm:deploy-dq"]}


def _config(**overrides) -> dict:
    config = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
    config.update(region="us-east-1", baseline_lambda_image_uri=IMAGE, **overrides)
    return config


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
            text = text.replace(
                "${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}",
                "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest",
            )
            text = text.replace(
                "${data.aws_sagemaker_prebuilt_ecr_image.clarify_image.registry_path}",
                "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0",
            )
            payload = json.loads(text)
            try:
                harness.create_job_definition(sagemaker, rtype, payload)
            except Exception as exc:  # already there (the same definition in an earlier synthesis of this test)
                if "already exists" not in str(exc) and "ResourceInUse" not in str(exc):
                    raise
            name = payload["job_definition_name"]
            subs[f"{rtype}.{logical}.job_definition_name"] = name
            subs[f"{rtype}.{logical}.job_definition_arn"] = (
                f"arn:aws:sagemaker:us-east-1:123456789012:{monitor.replace('_', '-')}-job-definition/{name}"
            )
    return subs


def emulator_stack(synth, config: dict, moto_server, workdir, role_arn: str | None = None, outdir=None) -> dict:
    """Synthesize ``config`` (afresh into ``outdir`` if given) and write its emulator copy into ``workdir`` (the awscc
    job definitions created through boto3 when ``role_arn`` is given); returns the synthesized JSON."""
    tf = synth(config, outdir)
    subs = _awscc_substitutes(tf, moto_server.client("sagemaker"), role_arn) if role_arn else None
    stack = next(outdir.glob("stacks/*")) if outdir else synth.folder(config)
    harness.emulator_copy(stack, workdir, moto_server.endpoint, substitutions=subs)
    return tf


def test_a_hung_terraform_command_is_killed_after_its_timeout(terraform_bin, tmp_path):
    """tftest waits without limit; harness.Terraform stops a command after its timeout, so a hung Terraform fails
    its test instead of hanging CI."""
    tf = harness.Terraform(tmp_path, timeout=1)
    tf.binary = "/bin/sleep"  # `sleep 60` stands in for a Terraform command that never returns
    start = time.monotonic()
    with pytest.raises(TerraformTestError) as hung:
        tf.execute_command("60")
    assert hung.value.args[0].startswith("terraform 60: no result after 1 s, killed"), hung.value.args
    assert time.monotonic() - start < 30


def test_aws_managed_policies_exist_unless_a_reset_leaves_them_out(moto_server):
    """As in AWS, arn:aws:iam::aws:policy/... exist (Terraform tests); the Lambda handler tests reset without them
    (moto builds ~1,500 on every reset: seconds per test), and the next plain reset brings them back."""
    iam = moto_server.client("iam")
    arn = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"
    moto_server.reset(managed_policies=False)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_policy(PolicyArn=arn)
    moto_server.reset()
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Arn"] == arn


# The role ARN is deterministic (name from the stack name), so the boto3-created definitions can use it.
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-model-monitoring-monitoring"


def test_full_example_apply_replan_change_destroy(emulated_account, synth, terraform, tmp_path):
    moto_server = emulated_account
    workdir = tmp_path / "tf"
    first = emulator_stack(synth, _config(), moto_server, workdir, ROLE_ARN)
    tf = terraform(workdir)
    tf.init()
    assert tf.run("plan", "-detailed-exitcode", "-out=plan.tfplan").retcode == 2
    # The run-on-deploy invocation's postcondition requires the handler's answer to say STARTED.
    moto_server.answer_lambda_invocations(STARTED)
    tf.run("apply", "plan.tfplan")
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
    result = tf.run("plan", "-detailed-exitcode")
    summary = [line for line in result.out.splitlines() if line.strip().startswith(("#", "~", "+", "-"))]
    assert result.retcode == 0, "second plan after apply must be empty:\n" + "\n".join(summary)

    # Change one monitor parameter: the data quality definition is replaced, its schedule updated in place.
    emulator_stack(synth, _config(data_quality_instance_type="ml.m5.xlarge"), moto_server, workdir, ROLE_ARN)
    tf.run("plan", "-out=change.tfplan")
    changes = {
        c["address"]: c["change"]["actions"]
        for c in tf.show("change.tfplan")["resource_changes"]
        if c["change"]["actions"] != ["no-op"]
    }
    dq = [a for a in changes if a.startswith("aws_sagemaker_data_quality_job_definition.")]
    schedule = [a for a in changes if a.startswith("aws_sagemaker_monitoring_schedule.data_quality")]
    assert [changes[a] for a in dq] == [["create", "delete"]], changes
    assert [changes[a] for a in schedule] == [["update"]], changes
    assert not [a for a in changes if a.startswith("aws_lambda_invocation.")], (
        "the baseline configuration did not change"
    )
    tf.run("apply", "change.tfplan")
    assert tf.plan_exit_code() == 0
    tf.destroy()
    assert tf.state_list() == []


def test_apply_fails_when_baseline_generation_does_not_start(moto_server, synth, terraform, tmp_path):
    """Run on deploy must not pass silently when no baseline run starts. The handler raises
    (StartExecutionsFailed): the apply fails with its reason, nothing is kept in state, the next apply
    retries. An answer that is not STARTED (an older image answered {"status": "ERROR"}) fails the
    invocation's postcondition, whose message names the -replace that retries it."""
    config = {
        "endpoint_name": "postcondition-endpoint",
        "region": "us-east-1",
        "stack_name": "postcondition-check",
        "model_bucket_arn": "arn:aws:s3:::sagemaker-us-east-2-123456789012",
        "enable_data_quality_monitor": True,
        "data_quality_output_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/output/",
        "baseline_training_data_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/train.csv",
        "baseline_output_data_s3_uri": "s3://sagemaker-us-east-2-123456789012/postcondition/baselines/",
        "baseline_lambda_image_uri": IMAGE,
    }
    workdir = tmp_path / "tf"
    tf_json = emulator_stack(synth, config, moto_server, workdir)
    [logical] = tf_json["resource"]["aws_lambda_invocation"]
    address = f"aws_lambda_invocation.{logical}"
    tf = terraform(workdir)
    tf.init()
    reason = "StartExecution failed: AccessDeniedException: not authorized to perform states:StartExecution"

    def failed_apply() -> str:
        with pytest.raises(TerraformTestError) as failure:
            tf.apply()
        return " ".join(failure.value.args[0].split())  # Terraform's output, wrapped lines joined

    # No destroy at the end: the stack's names are its own in the session's emulator (see the moto_server fixture).
    # 1. The function raises: the apply fails with the reason; the invocation is not in state.
    moto_server.answer_lambda_invocations({"errorMessage": reason, "errorType": "StartExecutionsFailed"})
    assert reason in failed_apply()
    assert address not in tf.state_list()
    # 2. The next apply retries; this time the answer is an (old-style) ERROR: the postcondition fails.
    moto_server.answer_lambda_invocations({"status": "ERROR", "error": reason})
    err = failed_apply()
    assert "Resource postcondition failed" in err, err
    assert (
        f"Baseline generation did not start on deploy: {reason}. "
        f"Once the cause is fixed: terraform apply -replace={address}" in err
    ), err
    # 3. The -replace from the message retries it; STARTED passes and the next plan is empty.
    moto_server.answer_lambda_invocations(STARTED)
    tf.run("apply", "-auto-approve", f"-replace={address}")
    assert address in tf.state_list()
    assert tf.plan_exit_code() == 0


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


def test_first_plan_shows_every_policy_and_definition(emulated_account, synth, terraform, tmp_path):
    workdir = tmp_path / "tf"
    emulator_stack(synth, _config(), emulated_account, workdir, ROLE_ARN)
    tf = terraform(workdir)
    tf.init()
    assert tf.run("plan", "-detailed-exitcode", "-out=first.tfplan").retcode == 2
    plan = tf.show("first.tfplan")
    reviewed = [c for c in plan["resource_changes"] if c["type"] in REVIEWED_ATTRIBUTES]
    # It really looked at them: 5 roles with their policies (+ the start policy), the topic policy, the state machine,
    # 2 rules with patterns or schedules, 4+1 targets, the run-on-deploy invocation.
    assert sum(c["type"] == "aws_iam_role_policy" for c in reviewed) == 6, [c["address"] for c in reviewed]
    assert {c["type"] for c in reviewed} == set(REVIEWED_ATTRIBUTES)
    assert unknown_reviewed_attributes(plan) == []
    # And the values are the built ARNs, e.g. the baseline failure rule names the state machine.
    [pattern] = [c["change"]["after"]["event_pattern"] for c in reviewed if c["address"].endswith("baseline_failures")]
    assert json.loads(pattern)["detail"]["stateMachineArn"] == [
        "arn:aws:states:us-east-1:123456789012:stateMachine:sagemaker-model-monitoring-baseline"
    ]
