"""Capturing what a boto3 session would send, with botocore event hooks.

* ``before-parameter-build.sagemaker`` records every SageMaker call's parameters exactly as the caller (the
  SDK, or the project's baseline Lambda) passed them, before serialization.
* ``before-call.sagemaker`` then answers the call itself with a canned response, so the call never leaves
  the process. That is the simplest robust short cut: moto 5.2.5 lacks several of these operations
  (CreateModelBiasJobDefinition, CreateModelExplainabilityJobDefinition, CreateMonitoringSchedule with job
  definitions, ...), and the answers the callers read are a name or an ARN.
* S3 goes to the local moto server (``AWS_ENDPOINT_URL``): the SDK reads baseline files there and uploads
  analysis configs there; ``before-parameter-build.s3.PutObject`` records each upload's bucket, key and
  encryption arguments, and the bodies are read back from moto afterwards.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from sdk_parity.matrix import ACCOUNT, MODEL_NAME, REGION


@dataclass
class Call:
    operation: str
    params: dict


@dataclass
class Recorder:
    """A boto3 session whose SageMaker calls are recorded and answered locally."""

    endpoint_url: str
    calls: list[Call] = field(default_factory=list)
    uploads: list[dict] = field(default_factory=list)

    def session(self) -> boto3.Session:
        session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION)
        session.events.register("before-parameter-build.sagemaker", self._record_sagemaker)
        session.events.register("before-call.sagemaker", self._answer_sagemaker)
        session.events.register("before-parameter-build.s3.PutObject", self._record_upload)
        return session

    def _record_sagemaker(self, params: dict, model: Any, **_: Any) -> None:
        self.calls.append(Call(model.name, copy.deepcopy(params)))

    def _record_upload(self, params: dict, **_: Any) -> None:
        self.uploads.append({k: v for k, v in params.items() if k != "Body"})

    def _answer_sagemaker(self, model: Any, **_: Any) -> tuple[AWSResponse, dict]:
        name = model.name
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"
        if name == "CreateProcessingJob":
            body = {"ProcessingJobArn": f"{arn}:processing-job/captured"}
        elif name.endswith("JobDefinition") and name.startswith("Create"):
            body = {"JobDefinitionArn": f"{arn}:job-definition/captured"}
        elif name == "CreateMonitoringSchedule":
            body = {"MonitoringScheduleArn": f"{arn}:monitoring-schedule/captured"}
        elif name == "DescribeEndpoint":
            body = {"EndpointName": "captured", "EndpointConfigName": "captured-config"}
        elif name == "DescribeEndpointConfig":
            body = {
                "EndpointConfigName": "captured-config",
                "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": MODEL_NAME}],
            }
        else:
            raise AssertionError(
                f"unexpected SageMaker call {name}: the parity capture answers only the calls it knows"
            )
        return AWSResponse(f"https://sagemaker.{REGION}.amazonaws.com/", 200, {}, None), body

    def operations(self, name: str) -> list[dict]:
        return [c.params for c in self.calls if c.operation == name]

    def uploaded_json(self, s3_client, key_suffix: str) -> list[tuple[dict, Any]]:
        """[(PutObject params without the body, parsed body read back from moto)] of uploads whose key ends so."""
        found = []
        for upload in self.uploads:
            if upload["Key"].endswith(key_suffix):
                body = s3_client.get_object(Bucket=upload["Bucket"], Key=upload["Key"])["Body"].read()
                found.append((upload, json.loads(body)))
        return found
