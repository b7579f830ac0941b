"""How many Lambda containers may hold MongoDB connections at once, and how they are shared out.

Plain arithmetic over the route table (no aws_cdk import), used by the stack to set every function's reserved
concurrency and by `python -m cdk.connection_budget` to print the plan (docs/deploy.md shows it):

    connections per container = maxPoolSize + monitoring sockets (2 per cluster member)
    containers               = floor(limit x (1 - reserve) / connections per container)
    sum over functions of reserved concurrency x connections per container <= limit x (1 - reserve)

A Lambda container runs one invocation at a time, so a function's reserved concurrency bounds how many of its
containers exist at once, and each holds at most one MongoClient (created once per container). pymongo opens
up to maxPoolSize application connections to the primary, plus, per member of the replica set, one monitoring
connection and, with the streaming protocol, one more for round-trip times. In Lambda pymongo polls instead of
streaming (one socket per member), but the budget counts two, so a driver default cannot break it.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access

RESERVE = 0.10  # of the cluster's limit, for people and tools: mongosh, Atlas UI, monitoring, a deploy's overlap
MONITORING_SOCKETS_PER_MEMBER = 2  # pymongo's streaming monitor + its RTT connection
CATALOG_READ_WEIGHT = 4  # catalog reads are most of the traffic (browse/search/detail: 90 % of the load mix)
SINGLETON_TRIGGERS = ("schedule", "deploy")  # one at a time by design: sweeps must not overlap


@dataclass(frozen=True)
class ConnectionBudget:
    limit: int  # the cluster's connection limit (Atlas: per cluster tier, e.g. 500 for M0/Flex, 1500 for M10)
    max_pool_size: int  # MONGODB_MAX_POOL_SIZE of every function
    members: int  # replica set members every client monitors (Atlas: 3)
    reserved_concurrency: dict[str, int]  # per function holding a MongoClient

    @property
    def per_container(self) -> int:
        return self.max_pool_size + MONITORING_SOCKETS_PER_MEMBER * self.members

    @property
    def usable(self) -> int:
        return math.floor(self.limit * (1 - RESERVE))

    @property
    def containers(self) -> int:
        return sum(self.reserved_concurrency.values())

    @property
    def connections(self) -> int:
        return self.containers * self.per_container

    def summary(self) -> str:
        return (
            f"{len(self.reserved_concurrency)} functions, {self.containers} containers x "
            f"({self.max_pool_size} pool + {MONITORING_SOCKETS_PER_MEMBER} x {self.members} monitoring) = "
            f"{self.connections} connections <= {self.usable} "
            f"({self.limit} limit - {RESERVE:.0%} reserve)"
        )


def _weight(name: str) -> int:
    route = next((r for r in ROUTES if r.name == name), None)
    return CATALOG_READ_WEIGHT if route is not None and route.cache_seconds > 0 else 1


def plan(limit: int, max_pool_size: int, members: int) -> ConnectionBudget:
    """Reserved concurrency for every function with MongoDB access, within the cluster's limit.

    Scheduled and deploy-time functions get exactly one container (they must not overlap). The rest of the
    containers are shared by weight (catalog reads 4, every other function 1) with the largest-remainder
    method, ties in route table order, every function getting at least one."""
    if limit <= 0 or max_pool_size <= 0 or members <= 0:
        raise ValueError("atlas_connection_limit, mongo_max_pool_size and atlas_members must be positive")
    entries = [
        (e.name, getattr(e, "trigger", "route")) for e in (*ROUTES, *BACKGROUND_FUNCTIONS) if Access.MONGO in e.access
    ]
    budget = ConnectionBudget(limit, max_pool_size, members, {})
    available = budget.usable // budget.per_container
    if available < len(entries):
        raise ValueError(
            f"MongoDB connection budget too small: {budget.usable} usable connections ({limit} limit - "
            f"{RESERVE:.0%} reserve) / {budget.per_container} per container ({max_pool_size} pool + "
            f"{MONITORING_SOCKETS_PER_MEMBER} x {members} monitoring) = {available} containers, but "
            f"{len(entries)} functions need one each. Raise atlas_connection_limit (a bigger cluster tier) or "
            f"lower mongo_max_pool_size."
        )
    shares = {name: 1 for name, trigger in entries if trigger in SINGLETON_TRIGGERS}
    shared = [name for name, trigger in entries if trigger not in SINGLETON_TRIGGERS]
    pool = available - len(shares)
    total_weight = sum(_weight(n) for n in shared)
    exact = {n: pool * _weight(n) / total_weight for n in shared}
    for name in shared:
        shares[name] = max(1, math.floor(exact[name]))
    left = available - sum(shares.values())
    order = sorted(shared, key=lambda n: (-(exact[n] - math.floor(exact[n])), shared.index(n)))
    for name in order[: max(0, left)]:
        shares[name] += 1
    while sum(shares.values()) > available:  # the minimum of one pushed us over: take from the largest
        largest = max(shared, key=lambda n: (shares[n], -shared.index(n)))
        shares[largest] -= 1
    ordered = {name: shares[name] for name, _ in entries}
    result = ConnectionBudget(limit, max_pool_size, members, ordered)
    assert result.connections <= result.usable, result.summary()
    return result


def main(argv: list[str] | None = None) -> None:
    from cdk.config import StageConfig  # the defaults live there

    parser = argparse.ArgumentParser(description="Print the MongoDB connection budget and reserved concurrency.")
    parser.add_argument("--limit", type=int, default=StageConfig.atlas_connection_limit)
    parser.add_argument("--pool", type=int, default=StageConfig.mongo_max_pool_size)
    parser.add_argument("--members", type=int, default=StageConfig.atlas_members)
    args = parser.parse_args(argv)
    budget = plan(args.limit, args.pool, args.members)
    print(budget.summary())
    print("\n| function | reserved concurrency | connections |\n|---|---|---|")
    for name, count in budget.reserved_concurrency.items():
        print(f"| {name} | {count} | {count * budget.per_container} |")


if __name__ == "__main__":
    main()
