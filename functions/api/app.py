"""Storefront API (/v1): the product module's routes. Thin: routing and rules live in the core layer."""

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from cnova_connector.api.app import app
from cnova_connector.config import get_settings
from cnova_connector.observability import logger, metrics, tracer
from cnova_connector.storage import bind_tables

bind_tables(get_settings())


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
