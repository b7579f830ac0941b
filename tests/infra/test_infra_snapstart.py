"""Lambda SnapStart as deployed (docs/deploy.md, Cold start): every HTTP function runs from a snapshot of its
published version behind the `live` alias, which is what API Gateway invokes; the background functions stay
plain. Snapshots are billed while their version exists, so a replaced version is deleted."""

from __future__ import annotations

from cdk.constructs.functions import LIVE_ALIAS
from cdk.runtime_env import snapstart_functions
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES
from tests.infra.helpers import app_functions, refs

SNAPSTART = snapstart_functions()


def _aliases(synth) -> dict[str, dict]:
    """Function logical id -> its alias resource."""
    found: dict[str, dict] = {}
    for alias in synth.of_type("AWS::Lambda::Alias").values():
        (function_id,) = refs(alias["Properties"]["FunctionName"])
        assert function_id not in found, f"{function_id} has two aliases"
        found[function_id] = alias
    return found


def test_every_http_function_and_only_those_run_with_snapstart(dev):
    assert {r.name for r in ROUTES} == SNAPSTART
    for name, (_, fn) in app_functions(dev).items():
        expected = {"ApplyOn": "PublishedVersions"} if name in SNAPSTART else None
        assert fn["Properties"].get("SnapStart") == expected, name
    assert not {b.name for b in BACKGROUND_FUNCTIONS} & SNAPSTART


def test_each_snapstart_function_has_a_live_alias_on_a_version_deleted_when_replaced(dev, prod):
    for synth in (dev, prod):
        functions, aliases = app_functions(synth), _aliases(synth)
        for name in SNAPSTART:
            function_id, _ = functions[name]
            alias = aliases[function_id]["Properties"]
            assert alias["Name"] == LIVE_ALIAS, name
            (version_id,) = refs(alias["FunctionVersion"])
            version = synth.resources[version_id]
            assert version["Type"] == "AWS::Lambda::Version", name
            assert refs(version["Properties"]["FunctionName"]) == {function_id}, name
            # even in prod: an old version keeps its snapshot cached (and billed) until it is deleted
            assert version["DeletionPolicy"] == "Delete" and version["UpdateReplacePolicy"] == "Delete", name
            assert "ProvisionedConcurrencyConfig" not in alias, name  # SnapStart cannot be combined with it
        background_ids = {functions[b.name][0] for b in BACKGROUND_FUNCTIONS}
        assert not background_ids & set(aliases)


def test_api_gateway_invokes_each_route_through_its_functions_alias(dev):
    functions, aliases = app_functions(dev), _aliases(dev)
    alias_of = {name: dev.logical_id(aliases_construct) for name, aliases_construct in _alias_constructs(dev).items()}
    integrations = dev.of_type("AWS::ApiGatewayV2::Integration")
    by_route = {}
    for route in dev.of_type("AWS::ApiGatewayV2::Route").values():
        integration_id = route["Properties"]["Target"]["Fn::Join"][1][1]["Ref"]
        by_route[route["Properties"]["RouteKey"]] = refs(integrations[integration_id]["Properties"]["IntegrationUri"])
    for route in ROUTES:
        function_id, _ = functions[route.name]
        assert by_route[f"{route.method} {route.path}"] == {alias_of[route.name]}, route.name  # never $LATEST
        assert refs(aliases[function_id]["Properties"]["FunctionName"]) == {function_id}
    # API Gateway may invoke the aliases, nothing else
    api_permissions = [
        p["Properties"]
        for p in dev.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    assert {frozenset(refs(p["FunctionName"])) for p in api_permissions} == {
        frozenset({alias_id}) for alias_id in alias_of.values()
    }


def _alias_constructs(synth) -> dict:
    return {app_fn.name: app_fn.alias for app_fn in synth.stack.functions if app_fn.alias is not None}


def test_reserved_concurrency_stays_on_the_function(dev):
    """Reserved concurrency is the function's, shared by all its versions: the connection budget still holds."""
    budget = dev.stack.config.connection_budget.reserved_concurrency
    for name, (_, fn) in app_functions(dev).items():
        assert fn["Properties"]["ReservedConcurrentExecutions"] == budget[name], name
    for alias in dev.of_type("AWS::Lambda::Alias").values():
        assert "ProvisionedConcurrencyConfig" not in alias["Properties"]
