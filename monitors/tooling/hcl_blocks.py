"""Nested blocks of every block type the stacks write, for the HCL writer (monitors/tooling/hcl.py): in Terraform JSON a
nested block and an object-valued attribute look alike. Keys are block names, values their own nested blocks.

The aws entries are the hashicorp/aws 5.100.0 schema's (`terraform providers schema -json`);
tests/test_hcl_output.py checks them against that schema. awscc resources have no blocks (the awscc provider is
built on the plugin framework with nested attributes only: every payload key is an attribute); the docker
entries are kreuzwerker/docker 3.x's (internal/provider/resource_docker_image.go, resource_docker_registry_image.go,
provider.go: `build`, `auth_config` and the provider's `registry_auth` are SDKv2 nested blocks).
"""

from typing import TypeAlias

Blocks: TypeAlias = dict[str, "Blocks"]  # block name -> its own nested blocks

AWS_PROVIDER: Blocks = {
    "assume_role": {},
    "assume_role_with_web_identity": {},
    "default_tags": {},
    "endpoints": {},
    "ignore_tags": {},
}

AWS_RESOURCES: Blocks = {
    "aws_cloudwatch_dashboard": {},
    "aws_cloudwatch_event_rule": {},
    "aws_cloudwatch_event_target": {
        "appsync_target": {},
        "batch_target": {},
        "dead_letter_config": {},
        "ecs_target": {
            "capacity_provider_strategy": {},
            "network_configuration": {},
            "ordered_placement_strategy": {},
            "placement_constraint": {},
        },
        "http_target": {},
        "input_transformer": {},
        "kinesis_target": {},
        "redshift_target": {},
        "retry_policy": {},
        "run_command_targets": {},
        "sagemaker_pipeline_target": {"pipeline_parameter_list": {}},
        "sqs_target": {},
    },
    "aws_cloudwatch_log_group": {},
    "aws_cloudwatch_metric_alarm": {"metric_query": {"metric": {}}},
    "aws_ecr_lifecycle_policy": {},
    "aws_ecr_repository": {"encryption_configuration": {}, "image_scanning_configuration": {}, "timeouts": {}},
    "aws_iam_role": {"inline_policy": {}},
    "aws_iam_role_policy": {},
    "aws_lambda_function": {
        "dead_letter_config": {},
        "environment": {},
        "ephemeral_storage": {},
        "file_system_config": {},
        "image_config": {},
        "logging_config": {},
        "snap_start": {},
        "timeouts": {},
        "tracing_config": {},
        "vpc_config": {},
    },
    "aws_lambda_invocation": {},
    "aws_lambda_permission": {},
    "aws_s3_object": {"override_provider": {"default_tags": {}}},
    "aws_sagemaker_data_quality_job_definition": {
        "data_quality_app_specification": {},
        "data_quality_baseline_config": {"constraints_resource": {}, "statistics_resource": {}},
        "data_quality_job_input": {
            "batch_transform_input": {"dataset_format": {"csv": {}, "json": {}}},
            "endpoint_input": {},
        },
        "data_quality_job_output_config": {"monitoring_outputs": {"s3_output": {}}},
        "job_resources": {"cluster_config": {}},
        "network_config": {"vpc_config": {}},
        "stopping_condition": {},
    },
    "aws_sagemaker_monitoring_schedule": {"monitoring_schedule_config": {"schedule_config": {}}},
    "aws_sfn_state_machine": {
        "encryption_configuration": {},
        "logging_configuration": {},
        "timeouts": {},
        "tracing_configuration": {},
    },
    "aws_sns_topic": {},
    "aws_sns_topic_policy": {},
    "aws_sns_topic_subscription": {},
}

AWS_DATA_SOURCES: Blocks = {
    "aws_caller_identity": {},
    "aws_ecr_authorization_token": {},
    "aws_iam_policy_document": {"statement": {"condition": {}, "not_principals": {}, "principals": {}}},
    "aws_kms_key": {},
    "aws_region": {},
    "aws_sagemaker_prebuilt_ecr_image": {},
}

AWSCC_RESOURCES: Blocks = {
    "awscc_sagemaker_data_quality_job_definition": {},
    "awscc_sagemaker_model_bias_job_definition": {},
    "awscc_sagemaker_model_explainability_job_definition": {},
    "awscc_sagemaker_model_quality_job_definition": {},
}

DOCKER_RESOURCES: Blocks = {
    "docker_image": {"build": {"auth_config": {}, "secrets": {}, "ulimit": {}}, "timeouts": {}},
    "docker_registry_image": {"auth_config": {}, "timeouts": {}},
}

BLOCKS: dict[str, Blocks] = {
    "provider": {"aws": AWS_PROVIDER, "awscc": {}, "docker": {"registry_auth": {}}},
    "resource": {**AWS_RESOURCES, **AWSCC_RESOURCES, **DOCKER_RESOURCES},
    "data": AWS_DATA_SOURCES,
}
