"""The seed-shaped baseline events (state machine input) built from settings.

In the seed the state machine rebuilt the payload from static values, so `*_params` and every
`baseline_instance_*` setting were silently dropped; here the configured values travel in the event.
"""

from __future__ import annotations

from monitors.settings import Settings


def baseline_params(settings: Settings, monitor: str) -> dict:
    params: dict = {
        "instance_count": settings.baseline_instance_count,
        "instance_type": settings.baseline_instance_type,
        "volume_size_gb": settings.baseline_volume_size_gb,
        "max_runtime_seconds": settings.baseline_max_runtime_seconds,
    }
    if monitor == "model_quality":
        params["problem_type"] = settings.model_quality_problem_type
        for name in ("inference_attribute", "probability_attribute", "probability_threshold_attribute"):
            value = getattr(settings, f"model_quality_{name}")
            if value is not None:
                params[name] = value
    params.update(getattr(settings, f"baseline_{monitor}_params") or {})
    return params


def baseline_event(settings: Settings, monitor: str) -> dict:
    return {
        "monitor_type": monitor,
        "endpoint_name": settings.endpoint_name,
        "training_data_uri": settings.baseline_training_data_s3_uri,
        "baseline_output_uri": settings.baseline_output_data_s3_uri,
        f"{monitor}_params": baseline_params(settings, monitor),
    }
