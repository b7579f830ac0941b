"""MongoDB connection budget: reserved concurrency bounds how many containers can hold connections at once,
and functions x reserved concurrency x (maxPoolSize + monitoring sockets) stays within the cluster's limit."""

from __future__ import annotations

import math

import pytest
from aws_cdk import App

from cdk.config import StageConfig
from cdk.connection_budget import MONITORING_SOCKETS_PER_MEMBER, RESERVE, plan
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access
from tests.infra.conftest import ROOT
from tests.infra.helpers import app_functions

MONGO_FUNCTIONS = {e.name for e in (*ROUTES, *BACKGROUND_FUNCTIONS) if Access.MONGO in e.access}
CATALOG_READS = {r.name for r in ROUTES if r.cache_seconds > 0}


def _template_budget(synth) -> tuple[dict[str, int], int]:
    """(reserved concurrency per function, connections per container) read back from the template."""
    reserved, pools = {}, set()
    for name, (_, fn) in app_functions(synth).items():
        props = fn["Properties"]
        if name in MONGO_FUNCTIONS:
            reserved[name] = props["ReservedConcurrentExecutions"]
            pools.add(int(props["Environment"]["Variables"]["MONGODB_MAX_POOL_SIZE"]))
    (pool,) = pools
    return reserved, pool + MONITORING_SOCKETS_PER_MEMBER * synth.stack.config.atlas_members


@pytest.mark.parametrize("synth_name", ["dev", "prod"])
def test_every_mongo_function_has_reserved_concurrency_within_the_cluster_limit(request, synth_name):
    synth = request.getfixturevalue(synth_name)
    config = synth.stack.config
    reserved, per_container = _template_budget(synth)
    assert set(reserved) == MONGO_FUNCTIONS
    assert all(isinstance(n, int) and n >= 1 for n in reserved.values()), reserved
    connections = sum(n * per_container for n in reserved.values())
    assert connections <= math.floor(config.atlas_connection_limit * (1 - RESERVE))
    # and the budget is used, not left idle: one more container anywhere would not fit
    assert connections + per_container > math.floor(config.atlas_connection_limit * (1 - RESERVE))


def test_pool_size_in_every_function_is_the_one_budgeted(dev):
    for name, (_, fn) in app_functions(dev).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env["MONGODB_MAX_POOL_SIZE"] == str(dev.stack.config.mongo_max_pool_size), name


def test_catalog_reads_get_the_most_containers_and_sweeps_exactly_one(dev):
    reserved, _ = _template_budget(dev)
    others = [n for name, n in reserved.items() if name not in CATALOG_READS]
    assert CATALOG_READS and min(reserved[name] for name in CATALOG_READS) >= max(others)
    for entry in BACKGROUND_FUNCTIONS:
        if entry.trigger in ("schedule", "deploy"):
            assert reserved[entry.name] == 1, entry.name  # sweeps and the index job never overlap


def test_a_bigger_cluster_gets_more_containers():
    small = StageConfig.from_context(App(context={}).node).connection_budget
    large = StageConfig.from_context(App(context={"atlas_connection_limit": "1500"}).node).connection_budget
    assert large.containers > 2 * small.containers
    assert large.connections <= 1500 * (1 - RESERVE)


def test_context_values_set_the_budget():
    context = {"atlas_connection_limit": "3000", "atlas_members": "5", "mongo_max_pool_size": "3"}
    config = StageConfig.from_context(App(context=context).node)
    assert (config.atlas_connection_limit, config.atlas_members, config.mongo_max_pool_size) == (3000, 5, 3)
    budget = config.connection_budget
    assert budget.per_container == 3 + 2 * 5
    assert budget.connections <= 2700


@pytest.mark.parametrize(
    "context, message",
    [
        ({"atlas_connection_limit": "100"}, r"too small.*100 limit.*need one each"),
        ({"mongo_max_pool_size": "0"}, "positive"),
        ({"atlas_connection_limit": "many"}, "whole number"),
    ],
)
def test_a_budget_that_cannot_fit_fails_synthesis_with_the_arithmetic(context, message):
    with pytest.raises(ValueError, match=message):
        StageConfig.from_context(App(context=context).node)


def test_plan_is_deterministic_and_fills_the_budget():
    first, second = plan(500, 2, 3), plan(500, 2, 3)
    assert first.reserved_concurrency == second.reserved_concurrency
    assert first.connections <= first.usable < first.connections + first.per_container


def test_deploy_guide_shows_the_arithmetic_for_the_defaults():
    """docs/deploy.md states the default budget; it must be the one the stack enforces."""
    guide = (ROOT / "docs" / "deploy.md").read_text()
    budget = StageConfig().connection_budget
    assert budget.summary() in guide
    for name, count in budget.reserved_concurrency.items():
        assert f"| {name} | {count} | {count * budget.per_container} |" in guide, name
