"""Starting baseline processing jobs with the SageMaker Python SDK (v2).

Imported lazily by ``app`` on the ``start`` path only: importing ``sagemaker`` takes
seconds, and ``check`` / ``start_executions`` need nothing but boto3.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from datetime import datetime, timezone
from typing import Any, Dict, Optional

# The v2 -> v3 deprecation nudge would otherwise be printed on every cold start.
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
import sagemaker  # noqa: E402
from sagemaker.clarify import (  # noqa: E402
    BiasConfig,
    DataConfig,
    ModelConfig,
    ModelPredictedLabelConfig,
    SHAPConfig,
)
from sagemaker.model_monitor import (  # noqa: E402
    DefaultModelMonitor,
    ModelBiasMonitor,
    ModelExplainabilityMonitor,
    ModelQualityMonitor,
)
from sagemaker.model_monitor.dataset_format import DatasetFormat  # noqa: E402
from sagemaker.network import NetworkConfig  # noqa: E402

from event_validation import (  # noqa: E402
    MONITOR_TYPE_SHORT,
    DataQualityParams,
    ModelBiasParams,
    ModelExplainabilityParams,
    ModelQualityParams,
    NetworkSettings,
    RuntimeSettings,
    StartRequest,
)

logger = logging.getLogger("baseline_lambda.sagemaker")

# The shadow endpoint that Clarify deploys for bias/explainability runs on one instance.
SHADOW_ENDPOINT_INSTANCE_COUNT = 1


def network_config(network: Optional[NetworkSettings]) -> Optional[NetworkConfig]:
    """The monitors' network settings for the baseline job (the SDK takes one NetworkConfig for both)."""
    if network is None:
        return None
    return NetworkConfig(
        enable_network_isolation=network.enable_network_isolation,
        encrypt_inter_container_traffic=network.enable_inter_container_traffic_encryption,
        subnets=list(network.subnet_ids) if network.subnet_ids else None,
        security_group_ids=list(network.security_group_ids) if network.security_group_ids else None,
    )


def dataset_format(name: str) -> Dict[str, Any]:
    """The analyzer's dataset format for a baseline dataset (csv has a header row)."""
    if name == "csv":
        return DatasetFormat.csv(header=True)
    return DatasetFormat.json(lines=name == "json_lines")


def model_output_location(attribute: Optional[str], accept_type: str = "text/csv") -> Any:
    """Where Clarify finds the prediction in the model's text/csv output (the ModelConfig's accept_type): a column
    index, an int, for a digit string such as the monitors' inference_attribute "0" ("If the response payload is in
    CSV format ..., the SageMaker Clarify processing job ... extracts the predictions from the deserialized data
    using the column indexes provided in the analysis configuration",
    https://docs.aws.amazon.com/sagemaker/latest/dg/clarify-processing-job-data-format-tabular-response.html);
    anything else (a JMESPath, and everything for a JSON or JSON Lines output) as given."""
    if accept_type == "text/csv" and isinstance(attribute, str) and attribute.isdigit():
        return int(attribute)
    return attribute


def bias_config(params: ModelBiasParams) -> BiasConfig:
    """The SDK's BiasConfig: one facet as a name (the seed's facet_name/facet_values), several as a list of names with
    their values or thresholds (None for a facet measured for each of its values); group_name for CDDL/CDDPL."""
    facets = params.facet_list
    values = [None if facet.values is None else list(facet.values) for facet in facets]
    if params.facets is None:
        name: Any = facets[0].name
        facet_values: Any = values[0]
    else:
        name = [facet.name for facet in facets]
        facet_values = None if all(v is None for v in values) else values
    return BiasConfig(
        label_values_or_threshold=list(params.label_values),
        facet_name=name,
        facet_values_or_threshold=facet_values,
        group_name=params.group_name,
    )


def processing_job_name(monitor_type: str, execution_id: Optional[str] = None,
                        now: Optional[datetime] = None) -> str:
    """Deterministic for an execution id (a retried state doesn't start a second job),
    otherwise unique: UTC timestamp plus a random suffix. Always <= 63 characters and
    matching SageMaker's ``^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}``."""
    short = MONITOR_TYPE_SHORT[monitor_type]
    if execution_id:
        digest = hashlib.sha256((execution_id + monitor_type).encode("utf-8")).hexdigest()[:16]
        return f"baseline-{short}-{digest}"
    now = now or datetime.now(timezone.utc)
    return f"baseline-{short}-{now.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"


def describe_job_or_none(sagemaker_client, name: str) -> Optional[Dict[str, Any]]:
    """DescribeProcessingJob, or None when the job does not exist."""
    try:
        return sagemaker_client.describe_processing_job(ProcessingJobName=name)
    except ClientError as exc:
        # A well-formed name that is rejected can only be an unknown job.
        if exc.response.get("Error", {}).get("Code") in ("ValidationException", "ResourceNotFound"):
            return None
        raise


def resolve_model_name(sagemaker_client, endpoint_name: str) -> str:
    """DescribeEndpoint -> EndpointConfigName -> DescribeEndpointConfig ->
    ProductionVariants[0].ModelName: the model behind the monitored endpoint, which
    Clarify deploys to its shadow endpoint."""
    endpoint = sagemaker_client.describe_endpoint(EndpointName=endpoint_name)
    config = sagemaker_client.describe_endpoint_config(
        EndpointConfigName=endpoint["EndpointConfigName"]
    )
    variants = config.get("ProductionVariants") or []
    if not variants or not variants[0].get("ModelName"):
        raise ValueError(
            f"endpoint {endpoint_name!r} (config {endpoint['EndpointConfigName']!r}) has no "
            "production variant with a ModelName; set model_name explicitly"
        )
    return variants[0]["ModelName"]


def start_baseline_job(request: StartRequest, settings: RuntimeSettings,
                       boto_session: boto3.Session) -> Dict[str, Any]:
    """Start the baseline job for ``request`` (never waits for it) and return the
    ``IN_PROGRESS`` result. Re-uses the job of an earlier attempt of the same execution."""
    sm_client = boto_session.client("sagemaker")
    name = processing_job_name(request.monitor_type, request.execution_id)
    result = {
        "status": "IN_PROGRESS",
        "processing_job_name": name,
        "monitor_type": request.monitor_type,
        "baseline_output_uri": request.output_prefix + "/",
        # The job writes here; the state machine promotes it to baseline_output_uri only when the job succeeds.
        "staging_output_uri": request.staging_prefix(name) + "/",
    }

    if request.execution_id and describe_job_or_none(sm_client, name) is not None:
        logger.info("processing job %s already exists for execution %s; not starting another",
                    name, request.execution_id)
        return result

    session = sagemaker.Session(boto_session=boto_session, sagemaker_client=sm_client)
    try:
        _run_suggest_baseline(request, settings, session, sm_client, name)
    except ClientError:
        # Two attempts of the same execution racing: the other one created the job.
        if request.execution_id and describe_job_or_none(sm_client, name) is not None:
            logger.info("processing job %s was created concurrently; re-using it", name)
            return result
        raise
    logger.info("started processing job %s (%s) writing to %s", name, request.monitor_type,
                result["staging_output_uri"])
    return result


def _monitor_kwargs(request: StartRequest, settings: RuntimeSettings, session) -> Dict[str, Any]:
    params = request.params
    return dict(
        role=settings.role_arn,
        instance_count=params.instance_count,
        instance_type=params.instance_type,
        volume_size_in_gb=params.volume_size_gb,
        max_runtime_in_seconds=params.max_runtime_seconds,
        volume_kms_key=settings.kms_key_id,
        output_kms_key=settings.kms_key_id,
        network_config=network_config(request.network_config),
        # The monitors' tags on the job too, as the SDK tags a monitor's baselining job (cost allocation).
        tags=dict(request.tags) if request.tags else None,
        sagemaker_session=session,
    )


def _run_suggest_baseline(request: StartRequest, settings: RuntimeSettings, session,
                          sm_client, job_name: str) -> None:
    params = request.params
    monitor_kwargs = _monitor_kwargs(request, settings, session)
    # This run's staging folder, never the live baseline: a failed job must leave that as it was.
    output = request.staging_prefix(job_name)  # no trailing slash: the SDK joins file names onto it

    if request.monitor_type == "data_quality":
        assert isinstance(params, DataQualityParams)
        DefaultModelMonitor(**monitor_kwargs).suggest_baseline(
            baseline_dataset=request.training_data_uri,
            dataset_format=dataset_format(params.dataset_format),
            # The SDK mounts each script as a processing input and names it in the job's environment
            record_preprocessor_script=params.record_preprocessor_script,
            post_analytics_processor_script=params.post_analytics_processor_script,
            output_s3_uri=output,
            wait=False,
            logs=False,
            job_name=job_name,
        )
        return

    if request.monitor_type == "model_quality":
        assert isinstance(params, ModelQualityParams)
        threshold = params.probability_threshold_attribute
        ModelQualityMonitor(**monitor_kwargs).suggest_baseline(
            baseline_dataset=request.training_data_uri,
            dataset_format=dataset_format(params.dataset_format),
            problem_type=params.problem_type,
            inference_attribute=params.inference_attribute,
            probability_attribute=params.probability_attribute,
            ground_truth_attribute=params.ground_truth_attribute,
            # processing job environment values must be strings
            probability_threshold_attribute=None if threshold is None else str(threshold),
            post_analytics_processor_script=params.post_analytics_processor_script,
            output_s3_uri=output,
            wait=False,
            logs=False,
            job_name=job_name,
        )
        return

    # Clarify (bias / explainability): needs a SageMaker *model* for its shadow endpoint.
    assert isinstance(params, (ModelBiasParams, ModelExplainabilityParams))
    model_name = params.model_name or resolve_model_name(sm_client, request.endpoint_name)
    data_config = DataConfig(
        s3_data_input_path=request.training_data_uri,
        s3_output_path=output,
        label=params.label_header,
        headers=list(params.headers),
        features=params.features,
        dataset_type=params.dataset_type,
    )
    accept = params.model_accept_type
    model_config = ModelConfig(
        model_name=model_name,
        instance_count=SHADOW_ENDPOINT_INSTANCE_COUNT,
        instance_type=params.instance_type,
        content_type=params.model_content_type,
        accept_type=accept,
        content_template=params.content_template,
        record_template=params.record_template,
    )
    label_headers = None if params.label_headers is None else list(params.label_headers)
    if request.monitor_type == "model_bias":
        assert isinstance(params, ModelBiasParams)
        ModelBiasMonitor(**monitor_kwargs).suggest_baseline(
            data_config=data_config,
            bias_config=bias_config(params),
            model_config=model_config,
            # The monitor's attributes and threshold (the SDK hands these on to the monitor it schedules).
            model_predicted_label_config=ModelPredictedLabelConfig(
                label=model_output_location(params.inference_attribute, accept),
                probability=model_output_location(params.probability_attribute, accept),
                probability_threshold=params.probability_threshold,
                label_headers=label_headers,
            ),
            wait=False,
            logs=False,
            job_name=job_name,
            kms_key=settings.kms_key_id,
        )
        return

    assert isinstance(params, ModelExplainabilityParams)
    ModelExplainabilityMonitor(**monitor_kwargs).suggest_baseline(
        data_config=data_config,
        explainability_config=SHAPConfig(
            baseline=params.shap_baseline,
            num_samples=params.num_samples,
            agg_method=params.agg_method,
            use_logit=params.use_logit,
            save_local_shap_values=params.save_local_shap_values,
            seed=params.seed,
            num_clusters=params.num_clusters,
        ),
        model_config=model_config,
        model_scores=(
            ModelPredictedLabelConfig(label=model_output_location(params.inference_attribute, accept),
                                      probability=model_output_location(params.probability_attribute, accept),
                                      label_headers=label_headers)
            if params.inference_attribute is not None or params.probability_attribute is not None
            or label_headers is not None else None
        ),
        wait=False,  # the seed omitted this and blocked the Lambda until the job ended
        logs=False,
        job_name=job_name,
        kms_key=settings.kms_key_id,
    )
