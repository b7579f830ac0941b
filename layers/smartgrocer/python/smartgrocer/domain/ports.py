"""Where the domain meets the outside world.

Domain modules declare the small interfaces they need (repositories, the payment gateway, ...)
as `typing.Protocol`s next to the logic that uses them, and ask for an implementation with
`resolve(Port)`. The imperative shell (`smartgrocer.wiring`, imported by the function wrapper and
the background functions) registers a factory per port; unit tests register in-memory fakes. The
domain therefore never imports pymongo, boto3, stripe or an adapter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

_factories: dict[type, Callable[[], object]] = {}
_instances: dict[type, object] = {}
_lock = threading.Lock()


def register(port: type[T], factory: Callable[[], T]) -> None:
    """Plug in how to build `port`; the instance is built on first use (cold starts stay cheap)."""
    with _lock:
        _factories[port] = factory
        _instances.pop(port, None)


def use(port: type[T], instance: T) -> None:
    """Plug in a ready instance (tests, fakes)."""
    with _lock:
        _factories[port] = lambda: instance
        _instances[port] = instance


def resolve(port: type[T]) -> T:
    instance = _instances.get(port)
    if instance is None:
        with _lock:
            instance = _instances.get(port)
            if instance is None:
                factory = _factories.get(port)
                if factory is None:
                    raise RuntimeError(
                        f"no implementation registered for {port.__name__}: "
                        "import smartgrocer.wiring (or register a fake) first"
                    )
                instance = _instances[port] = factory()
    return instance  # type: ignore[return-value]


def reset() -> None:
    """Forget built instances (tests that point the process at another database)."""
    with _lock:
        _instances.clear()
