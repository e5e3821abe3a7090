"""JSON documents written as structures (issue 14): `"${jsonencode(local.x)}"` with the document in `locals`.

What Terraform makes of them is checked against the local moto server: the definition, event inputs and event
pattern Terraform renders equal the documents the tests read with `document_value` (references evaluated), and a
state applied from the earlier output (the same documents as escaped JSON strings) upgrades with exactly the
expected in-place updates plus one run-on-deploy invocation, then plans empty.
"""

from __future__ import annotations

import json

import pytest
from emulator import harness
from test_apply_cycle import STARTED, _awscc_substitutes, _config

from monitors.constructs.json_documents import _REFERENCE, document_value

ACCOUNT_REFERENCE = "${data.aws_caller_identity.caller.account_id}"


def _as_strings(tf: dict) -> dict:
    """The output as versions before this change wrote it: each document an escaped JSON string in its attribute."""

    def walk(value):
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and _REFERENCE.match(value):
            document = document_value(tf, value)
            # The state machine definition was indented; the others compact with sorted keys (json.dumps defaults).
            return json.dumps(document, sort_keys=True, indent=2 if "StartAt" in document else None)
        return value

    old = walk(tf)
    old.pop("locals")
    return old


def test_documents_need_no_null_and_fail_loudly_on_one(tmp_path):
    from cdktf import App, TerraformStack

    from monitors.constructs.json_documents import json_document

    stack = TerraformStack(App(outdir=str(tmp_path)), "s")
    with pytest.raises(ValueError, match=r"JSON document doc\.a\[1\]: null values are not supported"):
        json_document(stack, "doc", {"a": [1, None]})


@pytest.mark.slow
def test_old_string_state_upgrades_and_terraform_renders_the_documents(emulated_account, synth, terraform, tmp_path):
    config = _config(endpoint_name="documents-endpoint", stack_name="json-documents")
    new, stack = synth(config), synth.folder(config)
    subs = _awscc_substitutes(
        new, emulated_account.client("sagemaker"), "arn:aws:iam::123456789012:role/json-documents-monitoring"
    )
    workdir = tmp_path / "tf"
    harness.emulator_copy(stack, workdir, emulated_account.endpoint, substitutions=subs, tf=_as_strings(new))
    tf = terraform(workdir)
    tf.init()
    emulated_account.answer_lambda_invocations(STARTED)
    # No destroy at the end: the next emulated_account empties the emulator.
    tf.apply()
    harness.emulator_copy(stack, workdir, emulated_account.endpoint, substitutions=subs)
    assert tf.run("plan", "-detailed-exitcode", "-out=upgrade.tfplan").retcode == 2
    changes = tf.show("upgrade.tfplan")["resource_changes"]
    acting = {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["no-op"]}
    # Text-only changes: Step Functions and EventBridge keep the string they are given (updated in place, no
    # effect); aws_lambda_invocation replaces on any change of `input`, so the baselines run once more.
    # The event pattern and the ECR lifecycle policy are compared as JSON by the provider: no change.
    assert acting == {
        "aws_sfn_state_machine.baseline_state_machine": ["update"],
        **{
            f"aws_cloudwatch_event_target.baseline_target_{m}": ["update"]
            for m in ("data_quality", "model_quality", "model_bias", "model_explainability")
        },
        "aws_lambda_invocation.baseline_run_on_deploy": ["delete", "create"],
    }, acting
    # What Terraform renders is the document the tests read, with the account filled in.
    after = {c["address"]: c["change"]["after"] for c in changes}

    def rendered(value):
        return json.loads(json.dumps(value).replace(ACCOUNT_REFERENCE, "123456789012"))

    definition = after["aws_sfn_state_machine.baseline_state_machine"]["definition"]
    sm = next(iter(new["resource"]["aws_sfn_state_machine"].values()))
    assert json.loads(definition) == rendered(document_value(new, sm["definition"]))
    assert "\n" not in definition  # jsonencode: compact
    for name, target in new["resource"]["aws_cloudwatch_event_target"].items():
        if name.startswith("baseline_target_"):
            assert json.loads(after[f"aws_cloudwatch_event_target.{name}"]["input"]) == rendered(
                document_value(new, target["input"])
            )
    invocation = new["resource"]["aws_lambda_invocation"]["baseline_run_on_deploy"]
    assert json.loads(after["aws_lambda_invocation.baseline_run_on_deploy"]["input"]) == rendered(
        document_value(new, invocation["input"])
    )
    emulated_account.answer_lambda_invocations(STARTED)
    tf.run("apply", "upgrade.tfplan")
    rc, out, _ = tf.run("plan", "-detailed-exitcode")
    assert rc == 0, "plan after the upgrade must be empty:\n" + out
