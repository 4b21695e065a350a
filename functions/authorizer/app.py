"""Lambda TOKEN authorizer: ``Authorization: Bearer <token>`` → the store id, passed to every route."""

from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponse,
    APIGatewayAuthorizerTokenEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from cnova_connector.auth.authorizer import store_for_authorization
from cnova_connector.config import get_settings
from cnova_connector.observability import logger, metrics, tracer
from cnova_connector.storage import bind_tables

bind_tables(get_settings())


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    request = APIGatewayAuthorizerTokenEvent(event)
    store_id = store_for_authorization(request.authorization_token)
    if store_id is None:
        logger.info("token refused")
        metrics.add_metric(name="TokensRefused", unit="Count", value=1)
        # API Gateway answers 401 (the UNAUTHORIZED gateway response) only for this exact message.
        raise Exception("Unauthorized")
    arn = request.parsed_arn
    policy = APIGatewayAuthorizerResponse(
        principal_id=store_id,
        context={"storeId": store_id},
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
    )
    # The result is cached per token for every route, so allow all of this API's routes.
    policy.allow_all_routes()
    metrics.add_metric(name="TokensAccepted", unit="Count", value=1)
    logger.info("token accepted", extra={"store_id": store_id})
    return policy.asdict()
