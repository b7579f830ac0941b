"""The route table, read by the stack: one route per entry, one function per route and background
job, all on the shared layer, python3.12 on arm64."""

from __future__ import annotations

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Throttle
from tests.infra.helpers import app_functions, invoked_function, refs

ROUTE_KEYS = {f"{r.method} {r.path}" for r in ROUTES}


def test_api_routes_equal_the_route_table(dev):
    route_keys = [r["Properties"]["RouteKey"] for r in dev.of_type("AWS::ApiGatewayV2::Route").values()]
    assert sorted(route_keys) == sorted(ROUTE_KEYS)  # same set, and no route twice


def test_every_route_invokes_its_own_function(dev):
    functions = app_functions(dev)
    integrations = dev.of_type("AWS::ApiGatewayV2::Integration")
    targets = {}
    for route in dev.of_type("AWS::ApiGatewayV2::Route").values():
        integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
        integration = integrations[integration_id]["Properties"]
        assert integration["IntegrationType"] == "AWS_PROXY"
        assert integration["PayloadFormatVersion"] == "2.0"  # what handlers and the local runner expect
        targets[route["Properties"]["RouteKey"]] = {
            invoked_function(dev, t) for t in refs(integration["IntegrationUri"])
        }
    for route in ROUTES:
        logical_id, _ = functions[route.name]
        assert targets[f"{route.method} {route.path}"] == {logical_id}, route.name
    assert len({frozenset(t) for t in targets.values()}) == len(ROUTES)


def test_one_function_per_table_entry_and_no_more(dev):
    expected = {r.name for r in ROUTES} | {b.name for b in BACKGROUND_FUNCTIONS}
    assert set(app_functions(dev)) == expected


def test_every_function_is_python312_arm64_on_the_shared_layer(dev):
    layers = dev.of_type("AWS::Lambda::LayerVersion")
    assert len(layers) == 1
    ((layer_id, layer),) = layers.items()
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    for name, (_, fn) in app_functions(dev).items():
        props = fn["Properties"]
        assert props["Runtime"] == "python3.12", name
        assert props["Architectures"] == ["arm64"], name
        assert props["Handler"] == "handler.lambda_handler", name
        assert props["Layers"] == [{"Ref": layer_id}], name
        assert props["TracingConfig"] == {"Mode": "Active"}, name


def test_function_code_is_its_own_folder(dev):
    """Each function ships only functions/<name> (distinct assets), the layer carries the rest."""
    assets = {fn["Properties"]["Code"]["S3Key"] for _, fn in app_functions(dev).values()}
    assert len(assets) == len(app_functions(dev))


def test_common_environment(dev):
    for name, (_, fn) in app_functions(dev).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == "smartgrocer", name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "SmartGrocer", name
        assert env["LOG_LEVEL"] == "INFO", name
        assert env["MONGODB_DB"] == "smartgrocer", name


def test_api_timeouts_stay_under_api_gateway_limit(dev):
    functions = app_functions(dev)
    for route in ROUTES:
        assert functions[route.name][1]["Properties"]["Timeout"] < 29, route.name


def test_http_api_default_stage_with_per_route_throttling(dev):
    stages = list(dev.of_type("AWS::ApiGatewayV2::Stage").values())
    assert len(stages) == 1
    stage = stages[0]["Properties"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    default = stage["DefaultRouteSettings"]
    strict_keys = {f"{r.method} {r.path}" for r in ROUTES if r.throttle is Throttle.STRICT}
    assert strict_keys, "the route table marks abuse-prone routes STRICT"
    assert set(stage["RouteSettings"]) == strict_keys
    for settings in stage["RouteSettings"].values():
        assert settings["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
        assert settings["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"]
    # RouteSettings may only name routes that exist when the stage is created or updated: the stage waits
    # for the nested stack that holds every route.
    routes_stack = dev.stack.get_logical_id(dev.stack.api.routes_stack.nested_stack_resource)
    routes = dev.of_type("AWS::ApiGatewayV2::Route").values()
    strict_routes = [r for r in routes if r["Properties"]["RouteKey"] in strict_keys]
    assert len(strict_routes) == len(strict_keys)
    assert routes_stack in set(stages[0]["DependsOn"])
    assert "DestinationArn" in stage["AccessLogSettings"]


def test_cors_allows_local_spa_dev_servers_in_dev_only(dev, prod):
    (dev_api,) = dev.of_type("AWS::ApiGatewayV2::Api").values()
    cors = dev_api["Properties"]["CorsConfiguration"]
    assert set(cors["AllowOrigins"]) == {"http://localhost:5173", "http://127.0.0.1:5173"}
    assert "authorization" in cors["AllowHeaders"] and "idempotency-key" in cors["AllowHeaders"]
    (prod_api,) = prod.of_type("AWS::ApiGatewayV2::Api").values()
    assert prod_api["Properties"]["CorsConfiguration"]["AllowOrigins"] == ["https://shop.example.com"]


def test_each_template_stays_within_cloudformations_500_resources(dev):
    """One Lambda per endpoint costs about ten resources each; the routes' three per function live in a
    nested stack so the main template keeps room for more endpoints."""
    from aws_cdk.assertions import Template

    main = len(dev.template.to_json()["Resources"])
    routes = len(Template.from_stack(dev.stack.api.routes_stack).to_json()["Resources"])
    assert main < 500 and routes < 500, (main, routes)
    assert routes >= 3 * len(ROUTES)  # route, integration, invoke permission for every endpoint
