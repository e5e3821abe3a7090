"""An existing state from the hashed addresses upgrades to the readable ones with nothing to do.

Against the local moto server: apply the full example as versions before readable addresses wrote it
(cdktf's hashed ids, no moved blocks), re-synthesize with readable addresses, plan on the same state:
every resource only moves (no create, update, replace or delete), the apply records the moves, and the
next plan is empty (`-detailed-exitcode` 0).
"""

from __future__ import annotations

import json

from emulator import harness
from emulator_fixtures import moto_server, terraform_bin  # noqa: F401
from test_apply_cycle import STARTED, _awscc_substitutes, _config, _synth

from monitors.addresses import ReadableAddressStack


def test_hashed_addresses_state_upgrades_with_an_empty_plan(moto_server, terraform_bin, tmp_path, monkeypatch):  # noqa: F811
    moto_server.client("s3").create_bucket(Bucket="sagemaker-us-east-2-123456789012")
    kms = moto_server.client("kms")
    if "alias/model-monitoring" not in {a["AliasName"] for a in kms.list_aliases()["Aliases"]}:
        key_id = kms.create_key(Description="model monitoring")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName="alias/model-monitoring", TargetKeyId=key_id)
    # Its own endpoint and stack name: the moto server is shared with the other apply tests.
    config = _config(endpoint_name="upgrade-endpoint", stack_name="address-upgrade")
    role_arn = "arn:aws:iam::123456789012:role/address-upgrade-monitoring"
    sagemaker = moto_server.client("sagemaker")

    with monkeypatch.context() as m:
        m.setattr(ReadableAddressStack, "readable_addresses", False)
        old, old_path = _synth(config, tmp_path / "old")
    assert "moved" not in old and "aws_iam_role.monitoring_role_3C7E8759" in {f"{t}.{n}" for t, b in old["resource"].items() for n in b}
    workdir = tmp_path / "tf"
    harness.prepare_workdir(old_path, workdir, moto_server.endpoint, substitutions=_awscc_substitutes(old, sagemaker, role_arn), region="us-east-1")
    tf = harness.TerraformWorkdir(workdir)
    tf.init()
    moto_server.queue_lambda_results([STARTED])
    try:
        tf.apply()
        old_state = set(tf.state_list())

        new, new_path = _synth(config, tmp_path / "new")
        harness.prepare_workdir(new_path, workdir, moto_server.endpoint, substitutions=_awscc_substitutes(new, sagemaker, role_arn), region="us-east-1")
        tf.run("plan", "-input=false", "-no-color", "-out=upgrade.tfplan")
        _, shown, _ = tf.run("show", "-json", "upgrade.tfplan")
        changes = json.loads(shown)["resource_changes"]
        acting = {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["no-op"]}
        assert acting == {}, f"the upgrade must only move resources: {acting}"
        moved = {c["previous_address"]: c["address"] for c in changes if c.get("previous_address")}
        expected = {m["from"]: m["to"] for m in new["moved"] if not m["from"].startswith("awscc_")}  # awscc: not applied here
        assert moved == expected
        assert len(moved) >= 40
        tf.run("apply", "-input=false", "-no-color", "upgrade.tfplan")
        new_state = set(tf.state_list())
        managed = lambda state: {a for a in state if not a.startswith("data.")}  # noqa: E731
        assert managed(new_state) == {expected.get(a, a) for a in managed(old_state)}
        assert "aws_iam_role.monitoring_role" in new_state and "aws_iam_role.monitoring_role_3C7E8759" not in new_state
        rc, out, _ = tf.plan()
        assert rc == 0, "plan after the upgrade must be empty:\n" + out
    finally:
        tf.destroy()
