"""A CDKTF app of your own with SageMaker Model Monitor dropped in (README "Embedding in your own CDKTF app").

Its stack has its own aws provider and S3 backend, the model bucket, a KMS key and the endpoint (model,
endpoint configuration with data capture into the bucket). The monitoring construct is wired to them by
reference: endpoint.name, bucket.arn, the bucket in the S3 URIs, key.arn. Run it with the library installed
(`pip install .` in the repository):

    python examples/embedded_app/main.py --outdir cdktf.out
    cd cdktf.out/stacks/churn-app && terraform init && terraform plan
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cdktf import App, S3Backend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.sagemaker_endpoint import SagemakerEndpoint
from cdktf_cdktf_provider_aws.sagemaker_endpoint_configuration import (
    SagemakerEndpointConfiguration,
    SagemakerEndpointConfigurationDataCaptureConfig,
    SagemakerEndpointConfigurationProductionVariants,
)
from cdktf_cdktf_provider_aws.sagemaker_endpoint_configuration import (
    SagemakerEndpointConfigurationDataCaptureConfigCaptureOptions as CaptureOptions,
)
from cdktf_cdktf_provider_aws.sagemaker_model import SagemakerModel, SagemakerModelPrimaryContainer
from constructs import Construct

from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring, monitoring_settings

REGION = "us-east-2"
MODEL_IMAGE = "257758044811.dkr.ecr.us-east-2.amazonaws.com/sagemaker-xgboost:1.7-1"  # SageMaker's XGBoost image


class ChurnApp(TerraformStack):
    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        AwsProvider(self, "aws", region=REGION, default_tags=[{"tags": {"team": "churn"}}])
        S3Backend(self, bucket="acme-terraform-state", key="churn-app/terraform.tfstate", region=REGION, encrypt=True)

        key = KmsKey(self, "key", description="churn model data", enable_key_rotation=True)
        bucket = S3Bucket(self, "models", bucket="acme-churn-models-us-east-2")
        model_role = IamRole(
            self,
            "model_role",
            name="churn-model",
            assume_role_policy=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole",'
                '"Principal":{"Service":"sagemaker.amazonaws.com"}}]}'
            ),
        )
        IamRolePolicyAttachment(
            self,
            "model_role_ecr",
            role=model_role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        )
        model = SagemakerModel(
            self,
            "model",
            name="churn-xgboost",
            execution_role_arn=model_role.arn,
            primary_container=SagemakerModelPrimaryContainer(
                image=MODEL_IMAGE, model_data_url=f"s3://{bucket.bucket}/model/model.tar.gz"
            ),
        )
        endpoint_config = SagemakerEndpointConfiguration(
            self,
            "endpoint_config",
            name="churn-xgboost",
            kms_key_arn=key.arn,
            production_variants=[
                SagemakerEndpointConfigurationProductionVariants(
                    variant_name="AllTraffic",
                    model_name=model.name,
                    instance_type="ml.m5.large",
                    initial_instance_count=1,
                )
            ],
            # Model Monitor reads what the endpoint captures.
            data_capture_config=SagemakerEndpointConfigurationDataCaptureConfig(
                enable_capture=True,
                initial_sampling_percentage=100,
                destination_s3_uri=f"s3://{bucket.bucket}/capture",
                kms_key_id=key.arn,
                capture_options=[CaptureOptions(capture_mode="Input"), CaptureOptions(capture_mode="Output")],
            ),
        )
        endpoint = SagemakerEndpoint(self, "endpoint", name="churn", endpoint_config_name=endpoint_config.name)

        # The monitoring, wired to the endpoint, bucket and key above by reference.
        self.monitoring = SageMakerModelMonitoring(
            self,
            "monitoring",
            settings=monitoring_settings(
                stack_name="churn-monitoring",  # prefixes the role name; a literal (names are cut to length at synth)
                endpoint_name=endpoint.name,
                model_bucket_arn=bucket.arn,
                kms_key_id=key.arn,
                region=REGION,
                enable_data_quality_monitor=True,
                data_quality_baseline_s3_uri=f"s3://{bucket.bucket}/monitoring/baseline/",
                data_quality_output_s3_uri=f"s3://{bucket.bucket}/monitoring/output/",
                data_quality_schedule_expression="cron(0 * ? * * *)",
            ),
        )
        TerraformOutput(self, "data_quality_schedule_arn", value=self.monitoring.schedules["data_quality"].arn)
        TerraformOutput(self, "monitoring_role_arn", value=self.monitoring.monitoring_role.arn)


def build(outdir: Path) -> Path:
    """Synthesize the app into outdir; returns the stack folder."""
    app = App(outdir=str(outdir))
    ChurnApp(app, "churn-app")
    app.synth()
    return outdir / "stacks" / "churn-app"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--outdir", type=Path, default=Path("cdktf.out"))
    print(f"wrote {build(parser.parse_args().outdir) / 'cdk.tf.json'}")
