"""Test harness for the baseline Lambda (lambda_image/): an in-process moto server.

Import the fixtures explicitly from a test module::

    from lambda_fixtures import aws, fresh_aws  # noqa: F401

``aws`` (module scope) takes the session's moto server (tests/conftest.py), points boto3 at it with
``AWS_ENDPOINT_URL`` and fake credentials, and puts
lambda_image/ on ``sys.path`` so ``import app`` works. ``fresh_aws`` (function scope)
resets moto and creates the bucket/model/endpoint fixtures every test starts from.

moto 5.2.5 gaps this harness closes (test side only, nothing in the handler):

* CreateProcessingJob drops ``Environment`` and ``ProcessingResources`` and
  DescribeProcessingJob therefore never returns them. The patched handler keeps both
  on moto's job object, so DescribeProcessingJob returns them like SageMaker does.
* moto silently replaces a processing job whose name is already taken; SageMaker
  refuses the second CreateProcessingJob. The patch refuses it too (ResourceInUse),
  so a duplicate-start bug cannot hide behind moto's overwrite.
* moto marks a new processing job "Completed" at once; SageMaker starts it
  "InProgress". The patch does too, so a start that waited for its job would show.
* Every CreateProcessingJob request body that reached the server is recorded in
  ``AwsHarness.create_processing_job_requests`` (to count starts exactly).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LAMBDA_DIR = REPO_ROOT / "lambda_image"

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/baseline-processing-role"
BUCKET = "my-bucket"
ENDPOINT_NAME = "my-endpoint"
ENDPOINT_CONFIG_NAME = "my-endpoint-config-v3"
#: deliberately different from the endpoint name and from the seed's "my-model"
ENDPOINT_MODEL_NAME = "churn-model-v3"

#: environment variables the harness owns while the module runs
_AWS_ENV_KEYS = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "SAGEMAKER_ROLE_ARN",
    "BASELINE_KMS_KEY_ID",
    "BASELINE_SUBNET_IDS",
    "BASELINE_SECURITY_GROUP_IDS",
    "SAGEMAKER_SUPPRESS_V2_WARNING",
)


@dataclass
class AwsHarness:
    moto: Any  # the session's moto server (tests/conftest.py)
    endpoint_url: str
    create_processing_job_requests: list[dict[str, Any]] = field(default_factory=list)
    _clients: dict[tuple, Any] = field(default_factory=dict)

    # boto3 clients for assertions, one per service and region (making one takes ~50 ms: ~300 were made per module)
    def client(self, service: str, region: str = REGION):
        import boto3

        if (service, region) not in self._clients:
            self._clients[service, region] = boto3.client(service, region_name=region, endpoint_url=self.endpoint_url)
        return self._clients[service, region]

    def sagemaker_backend(self, region: str = REGION):
        from moto.sagemaker.models import sagemaker_backends

        return sagemaker_backends[ACCOUNT_ID][region]

    def set_processing_job_status(
        self, name: str, status: str, failure_reason: str = None, region: str = REGION
    ) -> None:
        job = self.sagemaker_backend(region).processing_jobs[name]
        job.processing_job_status = status
        if failure_reason is not None:
            job.failure_reason = failure_reason  # DescribeProcessingJob -> "FailureReason"

    def processing_job_names(self, region: str = REGION) -> list[str]:
        summaries = self.client("sagemaker", region).list_processing_jobs()["ProcessingJobSummaries"]
        return sorted(s["ProcessingJobName"] for s in summaries)

    def read_s3_json(self, s3_uri: str, region: str = REGION) -> Any:
        bucket, key = s3_uri[len("s3://") :].split("/", 1)
        body = self.client("s3", region).get_object(Bucket=bucket, Key=key)["Body"].read()
        return json.loads(body)

    def reset(self) -> None:
        self.moto.reset(managed_policies=False)  # the handler never reads them; loading them costs seconds per test
        self.create_processing_job_requests.clear()


def patch_moto_processing_jobs(mp: pytest.MonkeyPatch, create_requests: list[dict]) -> None:
    """Make moto's CreateProcessingJob behave like SageMaker's for these tests (used by the Lambda and
    the Step Functions tests alike).

    * every request body is recorded in ``create_requests`` (to see what reached SageMaker);
    * a name already taken is rejected with ResourceInUse (moto silently overwrites, which
      would hide a non-idempotent start);
    * Environment and ProcessingResources are kept, so DescribeProcessingJob returns them (moto drops them);
    * the new job starts ``InProgress`` (moto marks it Completed at once).
    """
    from moto.sagemaker.exceptions import ResourceInUseException
    from moto.sagemaker.responses import SageMakerResponse

    original = SageMakerResponse.create_processing_job

    def create_processing_job(self):  # runs in moto's server thread, in this process
        create_requests.append(json.loads(self.body))
        name = self._get_param("ProcessingJobName")
        if name in self.sagemaker_backend.processing_jobs:
            raise ResourceInUseException(
                f"Processing job names must be unique within an AWS account and region, "
                f"and a processing job with this name already exists ({name})"
            )
        result = original(self)
        job = self.sagemaker_backend.processing_jobs[name]
        job.environment = self._get_param("Environment")
        job.processing_resources = self._get_param("ProcessingResources")
        job.processing_job_status = "InProgress"
        job.processing_end_time = None
        return result

    mp.setattr(SageMakerResponse, "create_processing_job", create_processing_job)


@pytest.fixture(scope="module")
def aws(moto_server):
    """The session's moto server + environment for the handler, for one module; yields an AwsHarness."""
    harness = AwsHarness(moto=moto_server, endpoint_url=moto_server.endpoint)

    with pytest.MonkeyPatch.context() as mp:
        for key in _AWS_ENV_KEYS:
            mp.delenv(key, raising=False)
        mp.setenv("AWS_ENDPOINT_URL", harness.endpoint_url)
        mp.setenv("AWS_ACCESS_KEY_ID", "testing")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mp.setenv("AWS_REGION", REGION)
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.setenv("SAGEMAKER_ROLE_ARN", ROLE_ARN)
        mp.setenv("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
        mp.syspath_prepend(str(LAMBDA_DIR))
        patch_moto_processing_jobs(mp, harness.create_processing_job_requests)
        yield harness
    moto_server.reset()  # leave the session's server as other modules expect it (managed policies loaded)
    # drop the handler modules so another test module gets a fresh import
    for name in (HANDLER_MODULE_NAME, "event_validation", "sagemaker_baseline"):
        sys.modules.pop(name, None)


#: lambda_image/app.py is loaded under this name: a bare "app" could collide with
#: another module of the project that a test imported earlier.
HANDLER_MODULE_NAME = "baseline_lambda_app"


def load_handler_module():
    """Import lambda_image/app.py (needs lambda_image/ on sys.path, as `aws` sets)."""
    import importlib.util

    if HANDLER_MODULE_NAME in sys.modules:
        return sys.modules[HANDLER_MODULE_NAME]
    spec = importlib.util.spec_from_file_location(HANDLER_MODULE_NAME, LAMBDA_DIR / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[HANDLER_MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module


def create_model_endpoint(
    sm, *, model_name: str, endpoint_config_name: str, endpoint_name: str, bucket: str, role_arn: str, region: str
) -> None:
    """model <- endpoint config (data capture on) <- endpoint, in moto (shared by Lambda and SFN tests)."""
    sm.create_model(
        ModelName=model_name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={
            "Image": f"683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1",
            "ModelDataUrl": f"s3://{bucket}/model/model.tar.gz",
        },
    )
    sm.create_endpoint_config(
        EndpointConfigName=endpoint_config_name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0,
            }
        ],
        DataCaptureConfig={
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": f"s3://{bucket}/data-capture/",
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        },
    )
    sm.create_endpoint(EndpointName=endpoint_name, EndpointConfigName=endpoint_config_name)


def create_endpoint(harness: AwsHarness, region: str = REGION) -> None:
    """model ENDPOINT_MODEL_NAME <- endpoint config <- endpoint ENDPOINT_NAME."""
    create_model_endpoint(
        harness.client("sagemaker", region),
        model_name=ENDPOINT_MODEL_NAME,
        endpoint_config_name=ENDPOINT_CONFIG_NAME,
        endpoint_name=ENDPOINT_NAME,
        bucket=BUCKET,
        role_arn=ROLE_ARN,
        region=region,
    )


@pytest.fixture
def fresh_aws(aws: AwsHarness) -> AwsHarness:
    """Empty moto + the bucket and the endpoint (backed by ENDPOINT_MODEL_NAME)."""
    aws.reset()
    aws.client("s3").create_bucket(Bucket=BUCKET)
    create_endpoint(aws)
    return aws
