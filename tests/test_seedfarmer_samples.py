"""The SeedFarmer module with the seed module's own samples (issue 21 item 2).

* modulestack.yaml allows every resource the module's samples synthesize: the seed's two sample manifests, a
  two-endpoint fleet, a fleet at the longest StackName with long endpoint names (names shortened with a hash) and
  the full example with a dashboard. The actions the aws provider calls per resource type are a table kept here;
  the ARNs are built from the names the synth wrote; both policies are parsed and the statements evaluated
  (Resource patterns with IAM's `*`/`?`, iam:PassedToService for PassRole).
* The deployspec's image step: with a `docker` on PATH that records its arguments (no Docker daemon here), the
  build pushes lambda_image/ under the synth's content tag to <stack_name>-baseline and synthesizes with that
  image; the rest runs for real against the emulator.
* Deploy and destroy, command for command, of the seed's automated-baseline sample and a two-endpoint fleet.
* The `valueFrom` warning only when no value arrives.
"""

from __future__ import annotations

import fnmatch
import json
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ACCOUNT, REPO, seed_manifest
from emulator import harness
from test_seedfarmer import (
    DEPLOYSPEC,
    MODULESTACK,
    SEEDFARMER_VIEW,
    _bundle,
    _environment,
    _project,
    _run_phases,
    _seedfarmer_bin,
)

from monitors.constructs.baseline_generation import lambda_image_hash
from monitors.constructs.iam import LOG_DELIVERY_ACTIONS
from monitors.settings.config import load_plan, load_settings

REGION = harness.REGION
STATE_BUCKET = "mlops-terraform-state"
MODEL_BUCKET = f"sagemaker-us-east-2-{ACCOUNT}"
STACK = "mlops-dev-monitoring"
# What a SeedFarmer user adds to the seed's sample manifests (README "SeedFarmer"): remote state and the name that
# scopes the deploy role; region because the seed took it from CDK_DEFAULT_REGION.
REQUIRED = [
    {"name": "stack_name", "value": STACK},
    {"name": "backend", "value": "s3"},
    {"name": "backend_s3_bucket", "value": STATE_BUCKET},
    {"name": "region", "value": REGION},
]
SEEDFARMER_CONTEXT = {
    "SEEDFARMER_PROJECT_NAME": "mlops",
    "SEEDFARMER_DEPLOYMENT_NAME": "dev",
    "SEEDFARMER_MODULE_NAME": "monitoring-dq",
}


def seed_sample(name: str, extra: list[dict] | None = None) -> dict:
    manifest = yaml.safe_load(seed_manifest(name))
    manifest["parameters"] += [*REQUIRED, *(extra or [])]
    return manifest


def fleet_manifest(stack_name: str = STACK, endpoints: tuple[str, ...] = ("churn", "fraud")) -> dict:
    """Two endpoints, data quality with generated baselines each."""
    bucket = f"s3://{MODEL_BUCKET}"
    return {
        "name": "monitoring",
        "path": "modules/sagemaker/sagemaker-model-monitoring",
        "parameters": [
            {"name": "model_bucket_arn", "value": f"arn:aws:s3:::{MODEL_BUCKET}"},
            {"name": "enable_data_quality_monitor", "value": True},
            {
                "name": "endpoints",
                "value": [
                    {
                        "endpoint_name": name,
                        "data_quality_output_s3_uri": f"{bucket}/{name}/output/",
                        "baseline_training_data_s3_uri": f"{bucket}/{name}/train.csv",
                        "baseline_output_data_s3_uri": f"{bucket}/{name}/baselines/",
                    }
                    for name in endpoints
                ],
            },
            *[p if p["name"] != "stack_name" else {"name": "stack_name", "value": stack_name} for p in REQUIRED],
        ],
    }


# ---------------------------------------------------------------------------------------------------------------------
# What SeedFarmer makes of a manifest (its own models) and the synth of that
# ---------------------------------------------------------------------------------------------------------------------


def seedfarmer_view(manifest: dict, root: Path) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    result = subprocess.run(
        [_seedfarmer_bin("python"), "-c", SEEDFARMER_VIEW, "manifest.yaml", str(REPO / "modulestack.yaml")],
        cwd=_project(root),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def synthesize_env(env: dict[str, str], outdir: Path) -> tuple[list[dict], list[str]]:
    """The stacks main.py writes from this SeedFarmer environment (in-process), and its warnings."""
    from monitors.constructs.app import synthesize

    plans, warnings = load_plan(None, environ={**SEEDFARMER_CONTEXT, **env})
    folders = synthesize(plans, outdir, notes=[])
    return [json.loads((f / "cdk.tf.json").read_text()) for f in folders], warnings


# ---------------------------------------------------------------------------------------------------------------------
# The deploy role's policy, evaluated
# ---------------------------------------------------------------------------------------------------------------------


def _sub(value, params: dict[str, str]):
    if isinstance(value, dict) and "Fn::Sub" in value:
        return re.sub(r"\$\{([\w:]+)\}", lambda m: params[m.group(1)], value["Fn::Sub"])
    if isinstance(value, list):
        return [_sub(v, params) for v in value]
    if isinstance(value, dict):
        return {k: _sub(v, params) for k, v in value.items()}
    return value


def deploy_policy(stack_parameters: dict[str, str]) -> list[dict]:
    params = {
        **stack_parameters,
        "AWS::Partition": "aws",
        "AWS::Region": REGION,
        "AWS::AccountId": ACCOUNT,
    }
    as_list = lambda v: v if isinstance(v, list) else [v]  # noqa: E731
    [policy] = [r for r in MODULESTACK["Resources"].values() if r["Type"] == "AWS::IAM::Policy"]
    return [
        {**st, "Action": as_list(st["Action"]), "Resource": as_list(_sub(st["Resource"], params))}
        for st in _sub(policy["Properties"]["PolicyDocument"]["Statement"], params)
    ]


def allowed(policy: list[dict], action: str, arn: str, passed_to: str | None = None) -> bool:
    for st in policy:
        if action not in st["Action"] or not any(fnmatch.fnmatchcase(arn, pattern) for pattern in st["Resource"]):
            continue
        service = st.get("Condition", {}).get("StringEquals", {}).get("iam:PassedToService")
        if service is not None and passed_to not in (service if isinstance(service, list) else [service]):
            continue
        return True
    return False


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


# What `terraform apply` and `destroy` call per resource type (the aws provider's create, read and delete, with
# tags), and the ARN the calls name, built from the resource's attributes. The job definitions' and schedules'
# tags go through sagemaker:AddTags/ListTags; awscc resources through Cloud Control, which calls SageMaker with the
# caller's credentials.
SAGEMAKER_TAGS = ("sagemaker:AddTags", "sagemaker:ListTags")
TABLE: dict[str, tuple] = {
    "aws_iam_role": (
        lambda a: f"arn:aws:iam::{ACCOUNT}:role/{a['name']}",
        (
            "iam:CreateRole",
            "iam:GetRole",
            "iam:TagRole",
            "iam:ListRolePolicies",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:DeleteRole",
        ),
    ),
    "aws_iam_role_policy": (
        lambda a: f"arn:aws:iam::{ACCOUNT}:role/{a['role']}",
        ("iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"),
    ),
    "aws_lambda_function": (
        lambda a: _arn("lambda", f"function:{a['function_name']}"),
        (
            "lambda:CreateFunction",
            "lambda:GetFunction",
            "lambda:GetFunctionCodeSigningConfig",
            "lambda:ListVersionsByFunction",
            "lambda:ListTags",
            "lambda:TagResource",
            "lambda:DeleteFunction",
        ),
    ),
    "aws_lambda_invocation": (
        lambda a: _arn("lambda", f"function:{a['function_name']}"),
        ("lambda:InvokeFunction",),
    ),
    "aws_lambda_permission": (
        lambda a: _arn("lambda", f"function:{a['function_name']}"),
        ("lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"),
    ),
    "aws_cloudwatch_log_group": (
        lambda a: _arn("logs", f"log-group:{a['name']}"),
        (
            "logs:CreateLogGroup",
            "logs:PutRetentionPolicy",
            "logs:ListTagsForResource",
            "logs:TagResource",
            "logs:DeleteLogGroup",
        ),
    ),
    "aws_sfn_state_machine": (
        lambda a: _arn("states", f"stateMachine:{a['name']}"),
        (
            "states:CreateStateMachine",
            "states:DescribeStateMachine",
            "states:ListTagsForResource",
            "states:TagResource",
            "states:DeleteStateMachine",
        ),
    ),
    "aws_cloudwatch_event_rule": (
        lambda a: _arn("events", f"rule/{a['name']}"),
        (
            "events:PutRule",
            "events:DescribeRule",
            "events:ListTagsForResource",
            "events:TagResource",
            "events:DeleteRule",
        ),
    ),
    "aws_cloudwatch_event_target": (
        lambda a: _arn("events", f"rule/{a['rule']}"),
        ("events:PutTargets", "events:ListTargetsByRule", "events:RemoveTargets"),
    ),
    "aws_sns_topic": (
        lambda a: _arn("sns", a["name"]),
        (
            "sns:CreateTopic",
            "sns:GetTopicAttributes",
            "sns:SetTopicAttributes",
            "sns:ListTagsForResource",
            "sns:TagResource",
            "sns:DeleteTopic",
        ),
    ),
    "aws_sns_topic_policy": (lambda a: a["arn"], ("sns:SetTopicAttributes", "sns:GetTopicAttributes")),
    "aws_sns_topic_subscription": (lambda a: a["topic_arn"], ("sns:Subscribe",)),
    "aws_cloudwatch_metric_alarm": (
        lambda a: _arn("cloudwatch", f"alarm:{a['alarm_name']}"),
        (
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:TagResource",
            "cloudwatch:DeleteAlarms",
        ),
    ),
    "aws_cloudwatch_dashboard": (
        lambda a: f"arn:aws:cloudwatch::{ACCOUNT}:dashboard/{a['dashboard_name']}",
        ("cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"),
    ),
    "aws_sagemaker_data_quality_job_definition": (
        lambda a: _arn("sagemaker", f"data-quality-job-definition/{a['name']}"),
        (
            "sagemaker:CreateDataQualityJobDefinition",
            "sagemaker:DescribeDataQualityJobDefinition",
            "sagemaker:DeleteDataQualityJobDefinition",
            *SAGEMAKER_TAGS,
        ),
    ),
    "aws_sagemaker_monitoring_schedule": (
        lambda a: _arn("sagemaker", f"monitoring-schedule/{a['name']}"),
        (
            "sagemaker:CreateMonitoringSchedule",
            "sagemaker:DescribeMonitoringSchedule",
            "sagemaker:UpdateMonitoringSchedule",
            "sagemaker:DeleteMonitoringSchedule",
            *SAGEMAKER_TAGS,
        ),
    ),
    "aws_s3_object": (
        lambda a: f"arn:aws:s3:::{a['bucket']}/{a['key']}",
        ("s3:PutObject", "s3:GetObject", "s3:GetObjectTagging", "s3:DeleteObject"),
    ),
    **{
        f"awscc_sagemaker_{kind}_job_definition": (
            lambda a, kind=kind: _arn(
                "sagemaker", f"{kind.replace('_', '-')}-job-definition/{a['job_definition_name']}"
            ),
            (
                *(
                    f"sagemaker:{verb}{kind.title().replace('_', '')}JobDefinition"
                    for verb in ("Create", "Describe", "Delete")
                ),
                *SAGEMAKER_TAGS,
                "cloudformation:CreateResource",
                "cloudformation:GetResource",
                "cloudformation:DeleteResource",
                "cloudformation:GetResourceRequestStatus",
            ),
        )
        for kind in ("model_quality", "model_bias", "model_explainability")
    },
}
# Actions with no resource-level permissions, called for a type (on "*").
UNSCOPED = {
    "aws_cloudwatch_log_group": ("logs:DescribeLogGroups",),
    "aws_sfn_state_machine": LOG_DELIVERY_ACTIONS,  # logging_configuration
}
# The roles each type passes, and to which service (iam:PassedToService).
PASSES = {
    "aws_lambda_function": ("role", "lambda.amazonaws.com"),
    "aws_sfn_state_machine": ("role_arn", "states.amazonaws.com"),
    "aws_cloudwatch_event_target": ("role_arn", "events.amazonaws.com"),
    "aws_sagemaker_data_quality_job_definition": ("role_arn", "sagemaker.amazonaws.com"),
    **{
        f"awscc_sagemaker_{k}_job_definition": ("role_arn", "sagemaker.amazonaws.com")
        for k in ("model_quality", "model_bias", "model_explainability")
    },
}
DATA = {"aws_kms_key": ("kms:DescribeKey",)}
NO_CALLS = {"aws_iam_policy_document", "aws_sagemaker_prebuilt_ecr_image", "aws_caller_identity"}
REFERENCE = re.compile(r"^\$\{(\w+)\.(\w+)\.(\w+)\}$")


def _resolver(tf: dict):
    """Resolve `${type.name.attribute}` to the name or ARN the synth gave that resource."""

    def resolve(value):
        if isinstance(value, str) and (m := REFERENCE.match(value)):
            rtype, name, attribute = m.groups()
            if rtype == "data":  # ${data.aws_kms_key.x.arn}
                return _arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")
            attrs = {k: resolve(v) for k, v in tf["resource"][rtype][name].items()}
            if attribute == "arn":
                return TABLE[rtype][0](attrs)
            return attrs.get(attribute) or attrs.get("name") or attrs.get("function_name")
        return value

    return resolve


def denied_calls(tf: dict, policy: list[dict]) -> list[str]:
    """Every call a plan/apply/destroy of this stack makes that the policy does not allow."""
    resolve = _resolver(tf)
    denied = []
    backend = tf["terraform"]["backend"]["s3"]
    state = f"arn:aws:s3:::{backend['bucket']}/{backend['key']}"
    for action, arn in (
        ("s3:ListBucket", f"arn:aws:s3:::{backend['bucket']}"),
        ("s3:GetObject", state),
        ("s3:PutObject", state),
        ("s3:PutObject", f"{state}.tflock"),
        ("s3:DeleteObject", f"{state}.tflock"),
    ):
        if not allowed(policy, action, arn):
            denied.append(f"state: {action} {arn}")
    for rtype, resources in tf.get("resource", {}).items():
        if rtype not in TABLE:
            denied.append(f"{rtype}: not in the test's table")
            continue
        arn_of, actions = TABLE[rtype]
        for logical, raw in resources.items():
            attrs = {k: resolve(v) for k, v in raw.items()}
            arn = arn_of(attrs)
            denied += [f"{rtype}.{logical}: {a} {arn}" for a in actions if not allowed(policy, a, arn)]
            denied += [f"{rtype}.{logical}: {a} *" for a in UNSCOPED.get(rtype, ()) if not allowed(policy, a, "*")]
            if rtype in PASSES:
                field, service = PASSES[rtype]
                if attrs.get(field) and not allowed(policy, "iam:PassRole", attrs[field], service):
                    denied.append(f"{rtype}.{logical}: iam:PassRole {attrs[field]} to {service}")
            if rtype == "aws_lambda_function" and attrs.get("image_uri"):
                registry, _, repository = attrs["image_uri"].partition("/")
                repo_arn = _arn("ecr", f"repository/{re.split('[:@]', repository)[0]}")
                for action in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"):
                    if not allowed(policy, action, repo_arn):
                        denied.append(f"{rtype}.{logical}: {action} {repo_arn}")
    for dtype in tf.get("data", {}):
        if dtype in NO_CALLS:
            continue
        for action in DATA.get(dtype, (f"{dtype}: not in the test's table",)):
            if not allowed(policy, action, _arn("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab")):
                denied.append(f"data {dtype}: {action}")
    return denied


# Types whose names the stack derives from its name (inline policies, job definitions, schedules and the monitors'
# alarms are named otherwise).
NAMED_BY_STACK = {
    "aws_iam_role",
    "aws_lambda_function",
    "aws_cloudwatch_log_group",
    "aws_sfn_state_machine",
    "aws_cloudwatch_event_rule",
    "aws_sns_topic",
    "aws_cloudwatch_dashboard",
}


def image_uri(stack_name: str, tag: str) -> str:
    """What the deployspec gives the synth: <repository URI>:<tag>, the repository <stack_name>-baseline."""
    return f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{stack_name}-baseline:{tag}"


def _manifests() -> dict[str, dict]:
    longest = "m" + "-x" * 23  # 47 characters, StackName's limit
    full = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
    full.update(region=REGION, backend="s3", backend_s3_bucket=STATE_BUCKET, dashboard_enabled=True)
    return {
        "seed basic sample": seed_sample("basic"),
        "seed baseline sample": seed_sample("baseline"),
        "two-endpoint fleet": fleet_manifest(),
        "fleet at the longest stack name": fleet_manifest(longest, ("churn-prediction-" + "e" * 40, "fraud")),
        "full example with a dashboard": {
            "name": "monitoring",
            "path": "x",
            "parameters": [{"name": k, "value": v} for k, v in full.items()],
        },
    }


@pytest.mark.parametrize("sample", list(_manifests()))
def test_modulestack_allows_every_resource_the_samples_synthesize(sample, tmp_path):
    manifest = _manifests()[sample]
    view = seedfarmer_view(manifest, tmp_path / "view")
    stack_name = view["stack_parameters"]["StackName"]
    policy = deploy_policy(view["stack_parameters"])
    # First the synth as the deployspec's first pass sees it: the repository it would create is the one the
    # deployspec pushes to, and the tag is lambda_image/'s content hash.
    first, _ = synthesize_env(view["env"], tmp_path / "first")
    images = [r for tf in first for r in tf.get("resource", {}).get("docker_image", {}).values()]
    env = dict(view["env"])
    if images:
        assert {r["triggers"]["source_hash"] for r in images} == {lambda_image_hash()}
        repositories = [r["name"] for tf in first for r in tf["resource"]["aws_ecr_repository"].values()]
        if len(first) == 1:
            assert repositories == [f"{stack_name}-baseline"]  # exact: StackName <= 47 characters
        env["SEEDFARMER_PARAMETER_BASELINE_LAMBDA_IMAGE_URI"] = image_uri(stack_name, lambda_image_hash())
    stacks, _ = synthesize_env(env, tmp_path / "out")
    assert stacks
    granted = MODULESTACK["Metadata"]["TerraformTypes"]
    for tf in stacks:
        assert set(tf["resource"]) <= set(granted["resource"]), set(tf["resource"]) - set(granted["resource"])
        assert set(tf.get("data", {})) <= set(granted["data"])
        assert denied_calls(tf, policy) == []
        # Names the stack derives start with <stack_name>- (the policy's scope); only job definitions, schedules
        # and the monitors' alarms are named after the endpoint.
        for rtype, resources in tf["resource"].items():
            for attrs in resources.values():
                name = attrs.get("name") or attrs.get("function_name") or attrs.get("dashboard_name")
                if rtype in NAMED_BY_STACK:
                    assert (
                        name.removeprefix("/aws/lambda/")
                        .removeprefix("/aws/vendedlogs/states/")
                        .startswith(f"{stack_name}-")
                    ), (rtype, name)


def test_the_policy_check_can_fail(tmp_path):
    """The evaluation above denies what the policy does not name: another stack's role, a role passed to a service
    it is not for, a log group of another prefix."""
    policy = deploy_policy({"StackName": STACK, "BackendS3Bucket": STATE_BUCKET, "ModelBucketArn": "arn:aws:s3:::b"})
    assert allowed(policy, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/{STACK}-monitoring")
    assert not allowed(policy, "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/other-monitoring")
    role = f"arn:aws:iam::{ACCOUNT}:role/{STACK}-baseline-lambda"
    assert allowed(policy, "iam:PassRole", role, "lambda.amazonaws.com")
    assert not allowed(policy, "iam:PassRole", role, "ec2.amazonaws.com")
    assert not allowed(policy, "logs:CreateLogGroup", _arn("logs", "log-group:/aws/lambda/other-baseline"))
    assert not allowed(policy, "ecr:PutImage", _arn("ecr", f"repository/{STACK}-other"))


def test_deployspec_aws_calls_are_granted():
    """The AWS CLI calls the deployspec makes itself (the image repository, docker push, the key lookup)."""
    policy = deploy_policy({"StackName": STACK, "BackendS3Bucket": STATE_BUCKET, "ModelBucketArn": "arn:aws:s3:::b"})
    commands = [c for e in ("deploy", "destroy") for p in DEPLOYSPEC[e]["phases"].values() for c in p["commands"]]
    calls = set(re.findall(r"\baws (\w+) ([a-z-]+)", "\n".join(commands)))
    assert calls >= {("ecr", "create-repository"), ("ecr", "describe-images"), ("ecr", "delete-repository")}
    repository = _arn("ecr", f"repository/{STACK}-baseline")
    for service, command in sorted(calls):
        if (service, command) == ("sts", "get-caller-identity"):
            continue  # needs no permission
        action = {("ecr", "get-login-password"): "ecr:GetAuthorizationToken"}.get(
            (service, command), f"{service}:{command.title().replace('-', '')}"
        )
        arn = {"ecr": repository, "kms": _arn("kms", "key/1234")}[service]
        assert allowed(policy, action, "*" if action == "ecr:GetAuthorizationToken" else arn), (service, command)
    # docker push (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html)
    for action in (
        "ecr:BatchCheckLayerAvailability",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:PutImage",
    ):
        assert allowed(policy, action, repository), action


# ---------------------------------------------------------------------------------------------------------------------
# The deployspec's commands against the emulator, docker stubbed
# ---------------------------------------------------------------------------------------------------------------------

DOCKER_STUB = """#!/bin/sh
# docker as the tests see it: records its arguments (one JSON list a line); `login --password-stdin` reads stdin.
"{python}" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@" >> "{log}"
case "$1" in
  login) cat > /dev/null ;;
  build) for last in "$@"; do :; done; cp -R "$last" "{context}" ;;  # the build context, as docker read it
esac
exit 0
"""


def _tools(tmp_path: Path) -> Path:
    """docker (recording) and terraform (the awscc stand-in, tests/seedfarmer_terraform.py) for the phases' PATH."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    docker = tools / "docker"
    docker.write_text(
        DOCKER_STUB.format(python=sys.executable, log=tmp_path / "docker.log", context=tmp_path / "docker-context")
    )
    terraform = tools / "terraform"
    terraform.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{REPO / "tests" / "seedfarmer_terraform.py"}" "$@"\n')
    for tool in (docker, terraform):
        tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tools


def _docker_calls(tmp_path: Path) -> list[list[str]]:
    log = tmp_path / "docker.log"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def _phase_environment(tmp_path: Path, moto_server, env: dict[str, str]) -> dict[str, str]:
    environment = _environment(tmp_path, moto_server.endpoint, env)
    environment["PATH"] = f"{_tools(tmp_path)}:{environment['PATH']}"
    return environment


def _buckets(moto_server) -> None:
    s3 = moto_server.client("s3")
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in {STATE_BUCKET, MODEL_BUCKET} - existing:
        s3.create_bucket(Bucket=bucket)


@pytest.mark.slow  # the emulator
def test_deploy_builds_and_pushes_the_baseline_image_under_the_synths_tag(moto_server, tmp_path):
    """The deploy's synth step with the seed's baseline sample: the repository <stack_name>-baseline is created
    as the synth would create it, docker builds the synth's copy of lambda_image/ and pushes it under the content
    tag, and the stacks are synthesized with that image (no docker provider left)."""
    stack = "sf-image-step"
    manifest = seed_sample("baseline")
    manifest["parameters"] = [
        p if p["name"] != "stack_name" else {"name": "stack_name", "value": stack} for p in manifest["parameters"]
    ]
    view = seedfarmer_view(manifest, tmp_path / "view")
    module = _bundle(tmp_path)
    env = _phase_environment(tmp_path, moto_server, view["env"])
    first_two = {"deploy": {"phases": {"build": {"commands": DEPLOYSPEC["deploy"]["phases"]["build"]["commands"][:2]}}}}
    rc, out, err = _run_phases(first_two, "deploy", module, env)
    assert rc == 0, f"{out[-3000:]}\n{err[-3000:]}"

    tag = lambda_image_hash()
    ecr = moto_server.client("ecr")
    [repository] = ecr.describe_repositories(repositoryNames=[f"{stack}-baseline"])["repositories"]
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"
    uri = f"{repository['repositoryUri']}:{tag}"
    calls = _docker_calls(tmp_path)
    assert [c[0] for c in calls] == ["login", "build", "push"]
    assert calls[0] == ["login", "--username", "AWS", "--password-stdin", repository["repositoryUri"].split("/")[0]]
    assert calls[1][:4] == ["build", "--platform", "linux/amd64", "--tag"] and calls[1][4] == uri
    assert calls[2] == ["push", uri]
    # The build context is the synth's copy of lambda_image/, whose content hash is the tag.
    assert calls[1][5].startswith(f"cdktf.out/stacks/{stack}/assets/")
    context = tmp_path / "docker-context"
    assert (context / "Dockerfile").is_file() and lambda_image_hash(context) == tag
    assert f"baseline_lambda_image_uri: {uri}" in out
    [folder] = list((module / "cdktf.out" / "stacks").iterdir())
    tf = json.loads((folder / "cdk.tf.json").read_text())
    assert [
        f["image_uri"] for f in tf["resource"]["aws_lambda_function"].values() if f.get("package_type") == "Image"
    ] == [uri]
    assert "docker_image" not in tf["resource"] and "aws_ecr_repository" not in tf["resource"]
    assert "docker" not in tf["terraform"]["required_providers"]


@pytest.mark.slow  # the emulator
def test_a_given_baseline_lambda_image_uri_builds_nothing(moto_server, tmp_path):
    stack = "sf-given-image"
    given = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-own:v1"
    manifest = seed_sample("baseline", [{"name": "baseline_lambda_image_uri", "value": given}])
    manifest["parameters"] = [
        p if p["name"] != "stack_name" else {"name": "stack_name", "value": stack} for p in manifest["parameters"]
    ]
    view = seedfarmer_view(manifest, tmp_path / "view")
    module = _bundle(tmp_path)
    env = _phase_environment(tmp_path, moto_server, view["env"])
    first_two = {"deploy": {"phases": {"build": {"commands": DEPLOYSPEC["deploy"]["phases"]["build"]["commands"][:2]}}}}
    rc, out, err = _run_phases(first_two, "deploy", module, env)
    assert rc == 0, err[-3000:]
    assert _docker_calls(tmp_path) == []
    with pytest.raises(moto_server.client("ecr").exceptions.RepositoryNotFoundException):
        moto_server.client("ecr").describe_repositories(repositoryNames=[f"{stack}-baseline"])


@pytest.mark.slow  # the emulator
def test_deploy_phase_stops_on_types_the_deploy_role_does_not_cover(moto_server, tmp_path):
    """The coverage check still stops a type modulestack.yaml does not list (here the state machine, taken out of
    a copy), naming it, before terraform init."""
    view = seedfarmer_view(fleet_manifest("sf-coverage"), tmp_path / "view")
    module = _bundle(tmp_path)
    stack = yaml.safe_load((module / "modulestack.yaml").read_text())
    stack["Metadata"]["TerraformTypes"]["resource"].remove("aws_sfn_state_machine")
    (module / "modulestack.yaml").write_text(yaml.safe_dump(stack))
    env = _phase_environment(tmp_path, moto_server, view["env"])
    rc, _, err = _run_phases(
        {"deploy": {"phases": {"build": DEPLOYSPEC["deploy"]["phases"]["build"]}}}, "deploy", module, env
    )
    assert rc == 1
    [line] = [line for line in err.splitlines() if line.startswith("error: modulestack.yaml")]
    assert line == (
        "error: modulestack.yaml grants the deploy role nothing for: resource aws_sfn_state_machine "
        "(see README 'SeedFarmer')"
    )
    assert not list((module / "cdktf.out" / "stacks").glob("*/.terraform"))


STARTED = {"status": "STARTED", "execution_arns": [f"arn:aws:states:{REGION}:{ACCOUNT}:execution:sm:deploy"]}


def _deploy_and_destroy(moto_server, manifest: dict, tmp_path: Path) -> tuple[Path, list[dict], str]:
    """Both executions of the deployspec, every phase, as written; returns the module folder, the state of each
    stack after the deploy, and the deploy's stderr."""
    _buckets(moto_server)
    moto_server.answer_lambda_invocations(STARTED)  # the run-on-deploy invocation's answer
    view = seedfarmer_view(manifest, tmp_path / "view")
    module = _bundle(tmp_path)
    env = _phase_environment(tmp_path, moto_server, view["env"])
    rc, out, err = _run_phases(DEPLOYSPEC, "deploy", module, env)
    assert rc == 0, f"{out[-4000:]}\n{err[-4000:]}"
    s3 = moto_server.client("s3")
    folders = sorted((module / "cdktf.out" / "stacks").iterdir())
    states = [
        json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=f"{f.name}/terraform.tfstate")["Body"].read())
        for f in folders
    ]
    deploy_err = err
    rc, out, err = _run_phases(DEPLOYSPEC, "destroy", module, env)
    assert rc == 0, f"{out[-4000:]}\n{err[-4000:]}"
    for folder in folders:
        state = json.loads(s3.get_object(Bucket=STATE_BUCKET, Key=f"{folder.name}/terraform.tfstate")["Body"].read())
        assert [r for r in state["resources"] if r["mode"] == "managed"] == [], folder.name
    return module, states, deploy_err


def _managed(state: dict) -> set[str]:
    return {r["type"] for r in state["resources"] if r["mode"] == "managed"}


@pytest.mark.slow
def test_seed_baseline_sample_deploys_and_destroys(moto_server, terraform_bin, tmp_path):
    """The seed's "With Automated Baseline Generation" manifest plus the three lines SeedFarmer needs here (and
    region): image pushed, stack applied (the model quality definition through the awscc stand-in), outputs as
    metadata, then destroyed with the repository."""
    stack = "sf-seed-baseline"
    manifest = seed_sample("baseline")
    manifest["parameters"] = [
        p if p["name"] != "stack_name" else {"name": "stack_name", "value": stack} for p in manifest["parameters"]
    ]
    module, [state], err = _deploy_and_destroy(moto_server, manifest, tmp_path)
    assert _managed(state) >= {
        "aws_sagemaker_data_quality_job_definition",
        "aws_sagemaker_monitoring_schedule",
        "aws_lambda_function",
        "aws_sfn_state_machine",
        "aws_cloudwatch_event_rule",
        "aws_lambda_invocation",
    }
    # The sample's *_baseline_s3_uri lines point beside the generated baselines: the synth says so.
    assert "data_quality_baseline_s3_uri" in err and "baselines/data_quality/" in err
    functions = [r for r in state["resources"] if r["type"] == "aws_lambda_function"]
    assert functions[0]["instances"][0]["attributes"]["image_uri"].endswith(f"/{stack}-baseline:{lambda_image_hash()}")
    metadata = json.loads((module / "SEEDFARMER_MODULE_METADATA").read_text())
    assert metadata["monitoring_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/{stack}-monitoring"
    assert {"data_quality_schedule_name", "model_quality_schedule_name"} <= set(metadata)
    with pytest.raises(moto_server.client("ecr").exceptions.RepositoryNotFoundException):
        moto_server.client("ecr").describe_repositories(repositoryNames=[f"{stack}-baseline"])


@pytest.mark.slow
def test_two_endpoint_fleet_deploys_and_destroys(moto_server, terraform_bin, tmp_path):
    """SEEDFARMER_PARAMETER_ENDPOINTS with two endpoints: both stacks deployed (one image for both), their outputs
    as metadata by stack name, both destroyed."""
    stack = "sf-fleet"
    module, states, _ = _deploy_and_destroy(moto_server, fleet_manifest(stack), tmp_path)
    assert len(states) == 2 and all("aws_sagemaker_monitoring_schedule" in _managed(s) for s in states)
    metadata = json.loads((module / "SEEDFARMER_MODULE_METADATA").read_text())
    assert set(metadata) == {f"{stack}-churn", f"{stack}-fraud"}
    assert metadata[f"{stack}-fraud"]["monitoring_role_arn"] == f"arn:aws:iam::{ACCOUNT}:role/{stack}-fraud-monitoring"
    builds = [c for c in _docker_calls(tmp_path) if c[0] == "build"]
    assert len(builds) == 1  # one image, one repository for the fleet
    sagemaker = moto_server.client("sagemaker")
    for name in ("churn", "fraud"):
        with pytest.raises(sagemaker.exceptions.ClientError):
            sagemaker.describe_monitoring_schedule(MonitoringScheduleName=f"{name}-dq-schedule")


# ---------------------------------------------------------------------------------------------------------------------
# valueFrom
# ---------------------------------------------------------------------------------------------------------------------


def _value_from_manifest(tmp_path: Path) -> Path:
    manifest = seed_sample("basic")
    manifest["parameters"].append(
        {"name": "kms_key_id", "valueFrom": {"moduleMetadata": {"group": "base", "name": "kms", "key": "KeyId"}}}
    )
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest))
    return path


def test_value_from_warning_only_when_no_value_arrives(tmp_path):
    path = _value_from_manifest(tmp_path)
    _, warnings = load_settings(path, environ={})
    assert [w for w in warnings if "valueFrom" in w] == [
        "warning: kms_key_id: 'valueFrom' is resolved by SeedFarmer at deploy time and is ignored here; pass the "
        "value with SEEDFARMER_PARAMETER_KMS_KEY_ID or as 'value'"
    ]
    # Under SeedFarmer the resolved value arrives as the environment variable: no warning, the value is used.
    settings, warnings = load_settings(path, environ={"SEEDFARMER_PARAMETER_KMS_KEY_ID": "alias/monitoring"})
    assert settings.kms_key_id == "alias/monitoring"
    assert [w for w in warnings if "valueFrom" in w] == []
    plans, warnings = load_plan(path, environ={"SEEDFARMER_PARAMETER_KMS_KEY_ID": "alias/monitoring"})
    assert [w for w in warnings if "valueFrom" in w] == []


def test_readme_seedfarmer_claims():
    """The README says what a seed sample needs under SeedFarmer and who creates the state bucket."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("### SeedFarmer", 1)[1].split("\n### ", 1)[0]
    assert "work as they are" not in readme
    assert "stack_name" in section and "backend_s3_bucket" in section
    assert "state bucket" in section and "must exist" in section
