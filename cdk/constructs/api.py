"""API Gateway HTTP API: one route per route table entry, `$default` stage, per-route throttling.

The routes (route, integration, invoke permission: three resources per function) live in a nested
stack, `Routes`: CloudFormation takes at most 500 resources per template, and one Lambda per endpoint
with its role, logs, SnapStart version and alias, alarms and route passes that in one template.

Paths already start with /api, so CloudFront forwards `/api/*` unchanged. Authentication is a JWT
check inside each Lambda (the route table's `roles`), not an API Gateway authorizer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import jsii
from aws_cdk import Duration, Fn, NestedStack
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_logs as logs
from aws_cdk.aws_apigatewayv2_integrations import HttpLambdaIntegration
from constructs import Construct

from cdk.config import StageConfig, Throttling
from cdk.constructs.functions import AppFunctions
from smartgrocer.routes import ROUTES, Route, Throttle

ALLOWED_HEADERS = ["authorization", "content-type", "idempotency-key"]
EXPOSED_HEADERS = ["retry-after"]

# Fields of one JSON access log line ($context variables of HTTP APIs).
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "integrationLatencyMs": "$context.integrationLatency",
        "integrationError": "$context.integrationErrorMessage",
        "userAgent": "$context.identity.userAgent",
    }
)


def route_key(route: Route) -> str:
    return f"{route.method} {route.path}"


class HttpApi(Construct):
    def __init__(
        self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str, cors_origins: Sequence[str]
    ) -> None:
        super().__init__(scope, id)
        self._config = config
        self.api = apigw.HttpApi(
            self,
            "Api",
            api_name=f"{name_prefix}-api",
            description="SmartGrocer Cloud API (one Lambda per route)",
            create_default_stage=False,
            # The SPA on the distribution calls /api on its own origin; CORS is for other origins.
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=list(cors_origins),
                allow_headers=ALLOWED_HEADERS,
                expose_headers=EXPOSED_HEADERS,
                allow_methods=[apigw.CorsHttpMethod.ANY],
                max_age=Duration.hours(1),
            )
            if cors_origins
            else None,
        )
        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=_throttle(config.default_throttle),
            access_log_settings=_AccessLogSettings(self.access_logs),
        )
        self.routes: dict[str, apigw.HttpRoute] = {}

    @property
    def endpoint_domain(self) -> str:
        """`<id>.execute-api.<region>.amazonaws.com`, the CloudFront origin."""
        return Fn.select(2, Fn.split("/", self.api.api_endpoint))

    def add_routes(self, functions: AppFunctions) -> None:
        strict_settings = {}
        self.routes_stack = NestedStack(self, "Routes")
        for route in ROUTES:
            app_fn = functions[route.name]
            self.routes[route.name] = apigw.HttpRoute(
                self.routes_stack,
                f"{app_fn.node.id}Route",
                http_api=self.api,
                route_key=apigw.HttpRouteKey.with_(route.path, apigw.HttpMethod(route.method)),
                # The `live` alias of a SnapStart function (its invoke permission is granted on the alias).
                integration=HttpLambdaIntegration(f"{route.name}Integration", app_fn.invoke_target),
            )
            if route.throttle is Throttle.STRICT:
                strict_settings[route_key(route)] = _route_settings(self._config.strict_throttle)
        if strict_settings:
            # RouteSettings may only name routes that already exist: the stage waits for the routes' stack.
            self.stage.node.add_dependency(self.routes_stack)
            self.stage.node.default_child.add_property_override("RouteSettings", strict_settings)


def _throttle(throttling: Throttling) -> apigw.ThrottleSettings:
    return apigw.ThrottleSettings(rate_limit=throttling.rate_limit, burst_limit=throttling.burst_limit)


def _route_settings(throttling: Throttling) -> dict:
    return {"ThrottlingRateLimit": throttling.rate_limit, "ThrottlingBurstLimit": throttling.burst_limit}


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogSettings:
    """JSON access logs to a log group we own (retention set), not the CDK default format."""

    def __init__(self, log_group: logs.ILogGroup) -> None:
        self._destination = apigw.LogGroupLogDestination(log_group)

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw_v1.AccessLogFormat:
        return apigw_v1.AccessLogFormat.custom(ACCESS_LOG_FORMAT)
