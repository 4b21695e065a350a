"""The one Logger, Tracer and Metrics every module uses (house style §3).

Log lines are short lowercase phrases with structured keys (``store_id``, ``sku_id``, ``order_id``);
one PascalCase metric per meaningful event. Never log a secret or a customer document number.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "cnova-connector"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="CnovaConnector", service=SERVICE)

__all__ = ["SERVICE", "logger", "metrics", "tracer"]
