"""Differential test against the SageMaker Python SDK (see README, "How the monitors match SageMaker's own")."""
