"""Issue 20 item 7: the monitoring images in every region SageMaker serves. The table generated from the pinned
SageMaker Python SDK (monitors/image_registries.py) is checked region by region against the SDK's own
``image_uris.retrieve``; where the aws provider's data source lacks the region or its domain, the stacks name the
SDK's image, and elsewhere keep the data source (byte-identical output)."""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import MINIMAL
from tftest import TerraformTestError

from monitors import images
from monitors.image_registries import REGISTRIES, REPOSITORIES, SDK_VERSION
from monitors.settings.config import ConfigError, validate
from monitors.settings.fields import region_names
from monitors.tooling import images as generator

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
SDK_FRAMEWORKS = {"analyzer": ("model-monitor", None), "clarify": ("clarify", "1.0")}


def sdk_uri(kind: str, region: str) -> str:
    from sagemaker import image_uris

    framework, version = SDK_FRAMEWORKS[kind]
    return image_uris.retrieve(framework, region, version=version)


def config(region: str, partition: str = "aws", **extra) -> dict:
    """Data quality (aws resource) and explainability (awscc, Clarify) with given baselines in ``region``."""
    bucket = f"models-{region}-123456789012"
    return {
        "endpoint_name": "churn",
        "model_bucket_arn": f"arn:{partition}:s3:::{bucket}",
        "region": region,
        "enable_data_quality_monitor": True,
        "data_quality_baseline_s3_uri": f"s3://{bucket}/baseline/dq/",
        "data_quality_output_s3_uri": f"s3://{bucket}/output/dq/",
        "enable_model_explainability_monitor": True,
        "model_explainability_baseline_s3_uri": f"s3://{bucket}/baseline/expl/",
        "model_explainability_output_s3_uri": f"s3://{bucket}/output/expl/",
        # A given Clarify baseline's monitor configuration is written from these (issue 20 item 3).
        "baseline_model_explainability_params": {"label_header": "y", "headers": ["y", "x"], "model_name": "churn-m"},
        **extra,
    }


def image_uris_of(tf: dict) -> dict[str, str]:
    dq = tf["resource"]["aws_sagemaker_data_quality_job_definition"]["data_quality_job_definition"]
    expl = tf["resource"]["awscc_sagemaker_model_explainability_job_definition"]["model_explainability_job_definition"]
    return {
        "analyzer": dq["data_quality_app_specification"]["image_uri"],
        "clarify": expl["model_explainability_app_specification"]["image_uri"],
    }


def pulled_repositories(tf: dict) -> list[str]:
    statements = tf["data"]["aws_iam_policy_document"]["monitoring_role_permissions"]["statement"]
    [pull] = [s for s in statements if s.get("sid") == "PullAnalyzerImages"]
    return pull["resources"]


# --- the table against the SDK ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "region"), [(kind, region) for kind, table in REGISTRIES.items() for region in sorted(table)]
)
def test_every_region_of_the_table_is_the_sdks_image(kind, region):
    """The analyzer is named with its `latest` tag (the SDK leaves it implicit: the same image), Clarify with 1.0,
    as the SDK does."""
    image = images.table_image(kind, region)
    account, domain = REGISTRIES[kind][region]
    uri = f"{account}.dkr.ecr.{region}.{domain}/{REPOSITORIES[kind]}:{images.TAGS[kind]}"
    expected = sdk_uri(kind, region) + (":latest" if kind == "analyzer" else "")
    assert uri == expected
    if image is not None:
        assert image.uri == expected


def test_the_table_has_every_region_of_the_sdks_configuration_and_is_current():
    import sagemaker
    from sagemaker import image_uris

    assert sagemaker.__version__ == SDK_VERSION
    assert sorted(REGISTRIES["analyzer"]) == sorted(
        image_uris.config_for_framework("model-monitor")["versions"][""]["registries"]
    )
    clarify = image_uris.config_for_framework("clarify")["processing"]["versions"]["1.0"]["registries"]
    assert sorted(REGISTRIES["clarify"]) == sorted(clarify)
    assert generator.main(["--check"]) == 0


def test_the_generator_check_fails_on_a_stale_table(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "image_registries.py"
    stale.write_text(generator.TARGET.read_text().replace('"eu-central-2": ("590183933784"', '"eu-central-2": ("1"'))
    monkeypatch.setattr(generator, "TARGET", stale)
    assert generator.main(["--check"]) == 1
    assert "image_registries.py differs from the installed SDK's image URI configuration: run --write" in (
        capsys.readouterr().err
    )
    assert generator.main([]) == 2


# --- which regions use it --------------------------------------------------------------------------------------------
def test_the_table_is_used_only_where_the_provider_fails_or_has_the_wrong_domain():
    used = {kind: sorted(r for r in REGISTRIES[kind] if images.table_image(kind, r)) for kind in REGISTRIES}
    assert used == {
        "analyzer": ["cn-north-1", "cn-northwest-1", "eu-central-2", "us-isof-east-1", "us-isof-south-1"],
        "clarify": ["cn-north-1", "cn-northwest-1", "eu-central-2", "us-isof-east-1", "us-isof-south-1"],
    }
    assert images.table_image("analyzer", None) is None  # region unknown at synth: the data source


@pytest.mark.parametrize(("region", "partition"), [("eu-central-2", "aws"), ("cn-north-1", "aws-cn")])
def test_regions_the_provider_cannot_name_get_the_sdks_images(synth, terraform_validate, region, partition):
    tf = synth(config(region, partition))
    assert image_uris_of(tf) == {
        "analyzer": sdk_uri("analyzer", region) + ":latest",
        "clarify": sdk_uri("clarify", region),
    }
    assert "aws_sagemaker_prebuilt_ecr_image" not in tf["data"]
    analyzer, clarify = (REGISTRIES[kind][region][0] for kind in ("analyzer", "clarify"))
    assert set(pulled_repositories(tf)) == {
        f"arn:{partition}:ecr:{region}:{clarify}:repository/sagemaker-clarify-processing",
        f"arn:{partition}:ecr:{region}:{analyzer}:repository/sagemaker-model-monitor-analyzer",
    }
    report = terraform_validate(tf)
    assert report["valid"] is True, report["diagnostics"]


def test_china_keeps_the_definition_names_the_data_source_gave(synth):
    """In a China region the aws provider 5.100.0 configured there answered with the same URI: the content-derived
    job definition names are the ones the data source gave (no replacement on upgrade); only the data source goes."""
    from monitors.payloads.job_definitions import job_definition_name, monitor_job

    settings = validate(config("cn-north-1", "aws-cn"))
    before = job_definition_name(  # the data source's naming key, as main named it
        monitor_job(settings, "data_quality"), "prebuilt:sagemaker-model-monitor-analyzer:latest:cn-north-1"
    )
    tf = synth(config("cn-north-1", "aws-cn"))
    assert tf["resource"]["aws_sagemaker_data_quality_job_definition"]["data_quality_job_definition"]["name"] == before


def test_regions_the_provider_names_keep_the_data_source(synth):
    for region in ("us-east-2", "eu-west-1", None):
        tf = synth({**config(region or "us-east-2"), "region": region})
        assert set(tf["data"]["aws_sagemaker_prebuilt_ecr_image"]) == {"analyzer_image", "clarify_image"}, region
        assert image_uris_of(tf) == {
            "analyzer": "${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}",
            "clarify": "${data.aws_sagemaker_prebuilt_ecr_image.clarify_image.registry_path}",
        }


def test_a_region_without_the_image_is_refused_at_synth():
    with pytest.raises(ConfigError) as error:
        validate(config("us-gov-west-1", "aws-us-gov"))
    assert error.value.problems == [
        "region: the model monitor analyzer image (sagemaker-model-monitor-analyzer) has no registry in "
        f"us-gov-west-1: neither the SageMaker Python SDK {SDK_VERSION}'s image URI configuration nor the aws "
        "provider's aws_sagemaker_prebuilt_ecr_image has one; set model_monitor_image_uri"
    ]
    own = "123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/analyzer:1"
    validate(config("us-gov-west-1", "aws-us-gov", model_monitor_image_uri=own))
    # Clarify alone is served there (the provider and the SDK have it); in me-central-1 only the analyzer is.
    validate({**MINIMAL, **config("us-gov-west-1", "aws-us-gov"), "enable_data_quality_monitor": False})
    with pytest.raises(ConfigError) as error:
        validate(config("me-central-1"))
    assert error.value.problems == [
        "region: the Clarify processing image (sagemaker-clarify-processing) has no registry in me-central-1: "
        f"neither the SageMaker Python SDK {SDK_VERSION}'s image URI configuration nor the aws provider's "
        "aws_sagemaker_prebuilt_ecr_image has one; set clarify_image_uri"
    ]


# --- the provider's regions, asked of the provider -------------------------------------------------------------------
@pytest.mark.slow
def test_provider_regions_are_where_the_aws_providers_data_source_answers(terraform, tmp_path):
    """Ask hashicorp/aws 5.100.0's aws_sagemaker_prebuilt_ecr_image for both images in every region of the table and
    of botocore's aws, aws-cn and aws-us-gov partitions: it answers exactly in PROVIDER_REGIONS, with the SDK's
    registry account there."""
    known = region_names()
    regions = sorted(
        {r for table in REGISTRIES.values() for r in table}
        | {r for p in ("aws", "aws-cn", "aws-us-gov") for r in known.get(p, [])}
    )
    wanted = {f"{kind}_{region.replace('-', '_')}": (kind, region) for kind in REGISTRIES for region in regions}

    def document(names) -> dict:
        return {
            "terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}},
            "provider": {
                "aws": {
                    "region": "us-east-1",
                    "skip_credentials_validation": True,
                    "skip_requesting_account_id": True,
                    "skip_metadata_api_check": True,
                    "skip_region_validation": True,
                }
            },
            "data": {
                "aws_sagemaker_prebuilt_ecr_image": {
                    name: {
                        "repository_name": REPOSITORIES[wanted[name][0]],
                        "image_tag": images.TAGS[wanted[name][0]],
                        "region": wanted[name][1],
                    }
                    for name in names
                }
            },
            "output": {
                "registries": {
                    "value": {n: f"${{data.aws_sagemaker_prebuilt_ecr_image.{n}.registry_id}}" for n in names}
                }
            },
        }

    (tmp_path / "main.tf.json").write_text(json.dumps(document(wanted)))
    tf = terraform(tmp_path)
    tf.init()
    with pytest.raises(TerraformTestError) as failed:
        tf.run("plan")
    missing = set(
        re.findall(
            r"no registry ID available for region \(([a-z0-9-]+)\) and repository \(([a-z-]+)\)", str(failed.value.args)
        )
    )
    answered = {name for name, (kind, region) in wanted.items() if (region, REPOSITORIES[kind]) not in missing}
    (tmp_path / "main.tf.json").write_text(json.dumps(document(sorted(answered))))
    tf.run("apply", "-auto-approve")
    registries = json.loads(tf.execute_command("output", "-json", "registries").out)
    by_kind = {
        kind: {wanted[n][1]: account for n, account in registries.items() if wanted[n][0] == kind}
        for kind in REGISTRIES
    }
    assert {kind: set(answers) for kind, answers in by_kind.items()} == images.PROVIDER_REGIONS
    for kind, answers in by_kind.items():
        assert {r: a for r, a in answers.items()} == {r: REGISTRIES[kind][r][0] for r in answers}
