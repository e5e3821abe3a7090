"""Terraform Cloud (issue 21 item 4): one workspace per stack by a documented rule. tfc_workspace_name may hold
{stack_name} and {endpoint_name}, replaced per stack; unset (and no tags), the workspace is the stack's name. The
messages say what is accepted."""

from __future__ import annotations

import pytest
from conftest import MINIMAL
from test_fleet import SHARED, endpoint, plan, synth_plans

from monitors.settings.config import ConfigError, validate

CLOUD = {"backend": "cloud", "tfc_organization": "acme"}


def _cloud_blocks(tmp_path, config: dict) -> dict[str, dict]:
    plans, _ = plan(tmp_path, config)
    return {name: tf["terraform"]["cloud"] for name, tf in synth_plans(plans, tmp_path / "out").items()}


def _workspace(name: str) -> dict:
    return {"hostname": "app.terraform.io", "organization": "acme", "workspaces": {"name": name}}


def test_a_fleet_gets_one_workspace_per_stack_from_the_pattern(tmp_path):
    blocks = _cloud_blocks(
        tmp_path,
        {
            **SHARED,
            **CLOUD,
            "tfc_workspace_name": "mm-{stack_name}",
            "endpoints": [endpoint("churn"), endpoint("fraud")],
        },
    )
    assert blocks == {
        "smm-churn-us-east-2": _workspace("mm-smm-churn-us-east-2"),
        "smm-fraud-us-east-2": _workspace("mm-smm-fraud-us-east-2"),
    }


def test_endpoint_name_placeholder_and_a_per_endpoint_override(tmp_path):
    blocks = _cloud_blocks(
        tmp_path,
        {
            **SHARED,
            **CLOUD,
            "tfc_workspace_name": "monitoring-{endpoint_name}-prod",
            "endpoints": [endpoint("churn"), endpoint("fraud", tfc_workspace_name="fraud_legacy")],
        },
    )
    assert blocks == {
        "smm-churn-us-east-2": _workspace("monitoring-churn-prod"),
        "smm-fraud-us-east-2": _workspace("fraud_legacy"),
    }


def test_unset_the_workspace_is_the_stack_name(tmp_path, synth):
    blocks = _cloud_blocks(tmp_path, {**SHARED, **CLOUD, "endpoints": [endpoint("churn"), endpoint("fraud")]})
    assert blocks == {name: _workspace(name) for name in ("smm-churn-us-east-2", "smm-fraud-us-east-2")}
    # a flat configuration: its one stack's name; an explicit stack_name is used as given
    assert synth({**MINIMAL, **CLOUD})["terraform"]["cloud"] == _workspace("smm-my-endpoint-us-east-2")
    assert synth({**MINIMAL, **CLOUD, "stack_name": "team-mm"})["terraform"]["cloud"] == _workspace("team-mm")


def test_a_literal_name_is_unchanged(synth):
    tf = synth({**MINIMAL, **CLOUD, "tfc_workspace_name": "monitoring-prod"})
    assert tf["terraform"]["cloud"] == _workspace("monitoring-prod")


def test_a_shared_stack_uses_the_shared_stack_name(tmp_path):
    blocks = _cloud_blocks(
        tmp_path,
        {
            **SHARED,
            **CLOUD,
            "tfc_workspace_name": "mm-{stack_name}",
            "stack_per_endpoint": False,
            "endpoints": [endpoint("churn"), endpoint("fraud")],
        },
    )
    assert blocks == {"smm-us-east-2": _workspace("mm-smm-us-east-2")}


def test_tags_give_every_stack_the_same_block_and_a_warning(tmp_path):
    config = {**SHARED, **CLOUD, "tfc_workspace_tags": ["monitoring"], "endpoints": [endpoint("a"), endpoint("b")]}
    plans, warnings = plan(tmp_path, config)
    assert [w for w in warnings if "tfc_workspace_tags" in w] == [
        "warning: tfc_workspace_tags: every stack of the fleet gets the same tags, so you select each stack's own "
        "workspace (terraform workspace select, or TF_WORKSPACE) before its first init; tfc_workspace_name with "
        "{stack_name} (or unset) names one workspace per stack instead"
    ]
    blocks = {name: tf["terraform"]["cloud"] for name, tf in synth_plans(plans, tmp_path / "out").items()}
    tagged = {"hostname": "app.terraform.io", "organization": "acme", "workspaces": {"tags": ["monitoring"]}}
    assert blocks == {"smm-a-us-east-2": tagged, "smm-b-us-east-2": tagged}
    # one stack: no warning
    _, warnings = plan(tmp_path, {**MINIMAL, **CLOUD, "tfc_workspace_tags": ["monitoring"]})
    assert not [w for w in warnings if "tfc_workspace_tags" in w]


def test_a_literal_name_shared_by_per_endpoint_stacks_says_what_is_accepted(tmp_path):
    with pytest.raises(ConfigError) as exc:
        plan(
            tmp_path,
            {**SHARED, **CLOUD, "tfc_workspace_name": "monitoring", "endpoints": [endpoint("a"), endpoint("b")]},
        )
    assert exc.value.problems == [
        "tfc_workspace_name: the per-endpoint stacks would share it (and their state); put {stack_name} or "
        "{endpoint_name} in it (e.g. mm-{stack_name}), set it per endpoint, or leave it unset (default: each "
        "stack's name)"
    ]
    # the advice works: each of the three ways is accepted
    for fix in (
        {"tfc_workspace_name": "mm-{stack_name}"},
        {"tfc_workspace_name": "mm-{endpoint_name}"},
        {},
    ):
        plans, _ = plan(tmp_path, {**SHARED, **CLOUD, **fix, "endpoints": [endpoint("a"), endpoint("b")]})
        assert len(plans) == 2
    per_endpoint = [endpoint("a", tfc_workspace_name="wa"), endpoint("b", tfc_workspace_name="wb")]
    plans, _ = plan(tmp_path, {**SHARED, **CLOUD, "tfc_workspace_name": "monitoring", "endpoints": per_endpoint})
    assert len(plans) == 2


def test_s3_key_message_names_its_default(tmp_path):
    config = {**SHARED, "backend": "s3", "backend_s3_bucket": "state", "backend_s3_key": "one.tfstate"}
    with pytest.raises(ConfigError) as exc:
        plan(tmp_path, {**config, "endpoints": [endpoint("a"), endpoint("b")]})
    assert exc.value.problems == [
        "backend_s3_key: the per-endpoint stacks would share it (and their state); set it per endpoint or leave it "
        "unset (default: <stack_name>/terraform.tfstate)"
    ]


def test_endpoint_name_in_a_shared_stack_is_refused(tmp_path):
    with pytest.raises(ConfigError) as exc:
        plan(
            tmp_path,
            {
                **SHARED,
                **CLOUD,
                "tfc_workspace_name": "mm-{endpoint_name}",
                "stack_per_endpoint": False,
                "endpoints": [endpoint("a"), endpoint("b")],
            },
        )
    assert exc.value.problems == [
        "tfc_workspace_name: {endpoint_name} needs a stack per endpoint; with stack_per_endpoint false the endpoints "
        "share one stack and one workspace (use {stack_name})"
    ]


@pytest.mark.parametrize(
    ("workspace", "expected"),
    [
        (
            "mm/{stack_name}",
            "tfc_workspace_name: must be a Terraform Cloud name (besides {stack_name} and {endpoint_name}): letters, "
            "digits, '-' and '_', at most 90 characters (got 'mm/{stack_name}', 'mm/smm-my-endpoint-us-east-2' for "
            "this stack)",
        ),
        (
            "{stack}",
            "tfc_workspace_name: must be a Terraform Cloud name (besides {stack_name} and {endpoint_name}): letters, "
            "digits, '-' and '_', at most 90 characters (got '{stack}')",
        ),
        (
            "w" * 70 + "-{stack_name}",
            "tfc_workspace_name: must be a Terraform Cloud name (besides {stack_name} and {endpoint_name}): letters, "
            "digits, '-' and '_', at most 90 characters (got ",
        ),
        (
            "both",
            "tfc_workspace_name: give tfc_workspace_name or tfc_workspace_tags, not both (neither: the workspace is "
            "named after the stack)",
        ),
    ],
)
def test_bad_workspace_names(workspace, expected):
    extra = {"tfc_workspace_tags": ["t"], "tfc_workspace_name": "w"} if workspace == "both" else {}
    config = {**MINIMAL, **CLOUD, "tfc_workspace_name": workspace, **extra}
    with pytest.raises(ConfigError) as exc:
        validate(config)
    assert [p for p in exc.value.problems if p.startswith("tfc_")] == [p for p in exc.value.problems if expected in p]
    assert any(p.startswith(expected) for p in exc.value.problems), exc.value.problems


def test_organization_still_required():
    with pytest.raises(ConfigError) as exc:
        validate({**MINIMAL, "backend": "cloud"})
    assert exc.value.problems == ["tfc_organization: is required when backend is cloud"]
