"""An existing state from the hashed addresses upgrades to the readable ones with nothing to do.

Against the local moto server: apply the full example as versions before readable addresses wrote it
(cdktf's hashed ids, no moved blocks), re-synthesize with readable addresses, plan on the same state:
every resource only moves (no create, update, replace or delete), the apply records the moves, and the
next plan is empty (`-detailed-exitcode` 0).
"""

from __future__ import annotations

import pytest
from conftest import address
from test_apply_cycle import STARTED, _config, emulator_stack

from monitors.tooling.addresses import ReadableAddressStack

pytestmark = pytest.mark.slow  # Terraform against the emulator


def test_hashed_addresses_state_upgrades_with_an_empty_plan(emulated_account, synth, terraform, tmp_path, monkeypatch):
    # Its own endpoint and stack name: a stack of its own in the emulator.
    config = _config(endpoint_name="upgrade-endpoint", stack_name="address-upgrade")
    role_arn = "arn:aws:iam::123456789012:role/address-upgrade-monitoring"
    workdir = tmp_path / "tf"

    with monkeypatch.context() as m:
        m.setattr(ReadableAddressStack, "readable_addresses", False)
        old = emulator_stack(synth, config, emulated_account, workdir, role_arn, outdir=tmp_path / "old")
    hashed_role = address(old, "aws_iam_role", "monitoring_role")
    assert "moved" not in old and hashed_role != "aws_iam_role.monitoring_role"
    tf = terraform(workdir)
    tf.init()
    emulated_account.answer_lambda_invocations(STARTED)
    # No destroy at the end: the next emulated_account empties the emulator.
    tf.apply()
    old_state = set(tf.state_list())

    new = emulator_stack(synth, config, emulated_account, workdir, role_arn)
    tf.run("plan", "-out=upgrade.tfplan")
    changes = tf.show("upgrade.tfplan")["resource_changes"]
    acting = {c["address"]: c["change"]["actions"] for c in changes if c["change"]["actions"] != ["no-op"]}
    assert acting == {}, f"the upgrade must only move resources: {acting}"
    moved = {c["previous_address"]: c["address"] for c in changes if c.get("previous_address")}
    expected = {
        m["from"]: m["to"] for m in new["moved"] if not m["from"].startswith("awscc_")
    }  # awscc: not applied here
    assert moved == expected
    assert len(moved) >= 40
    tf.run("apply", "upgrade.tfplan")
    new_state = set(tf.state_list())
    managed = lambda state: {a for a in state if not a.startswith("data.")}  # noqa: E731
    assert managed(new_state) == {expected.get(a, a) for a in managed(old_state)}
    assert "aws_iam_role.monitoring_role" in new_state and hashed_role not in new_state
    result = tf.run("plan", "-detailed-exitcode")
    assert result.retcode == 0, "plan after the upgrade must be empty:\n" + result.out
