"""The Lambda functions: one per route table entry, all on the one shared layer.

Each function gets its own role whose only built-in permission is writing to its own log group;
everything else comes from its `access` set through the grants registry that the stack declares.

The functions in `cdk.runtime_env.snapstart_functions()` (every HTTP route) run with Lambda SnapStart: each
deploy publishes a version (Lambda runs its init once and snapshots it) and moves the `live` alias to it;
callers invoke the alias (`AppFunction.invoke_target`), never $LATEST, which SnapStart does not apply to.
The version a deploy replaces is deleted with it, so snapshots do not pile up (docs/deploy.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.config import StageConfig
from cdk.runtime_env import FUNCTION_ENVIRONMENT, snapstart_functions
from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES, Access, BackgroundFunction, Route

RUNTIME = lambda_.Runtime.PYTHON_3_12  # = LAMBDA_PYTHON_VERSION in scripts/build_layer.py (cp312 wheels, bytecode)
ARCHITECTURE = lambda_.Architecture.ARM_64
HANDLER = "handler.lambda_handler"
# The bytecode the runtime loads: __pycache__/<module>.cpython-312.pyc, compiled by scripts/build_layer.py.
CACHE_TAG = "cpython-" + RUNTIME.name.removeprefix("python").replace(".", "")
# Ship our bytecode; never a cache some other interpreter wrote into the build folders.
BYTECODE_EXCLUDES = ["**/__pycache__/*.pyc", f"!**/__pycache__/*.{CACHE_TAG}.pyc"]
ASSET_EXCLUDES = ["tests", ".pytest_cache", *BYTECODE_EXCLUDES]
BUILD_HINT = "Run `python scripts/build_layer.py` (no Docker needed)."
LIVE_ALIAS = "live"  # what API Gateway invokes on a SnapStart function: the version the last deploy published

Grant = Callable[[lambda_.Function], None]


class SharedLayer(Construct):
    """The `smartgrocer` package and requirements.txt, prebuilt by scripts/build_layer.py."""

    def __init__(self, scope: Construct, id: str, *, build_dir: Path, package_source: Path) -> None:
        super().__init__(scope, id)
        built = build_dir / "python" / package_source.name
        if not built.is_dir():
            raise FileNotFoundError(f"Lambda layer not built: {built} is missing. {BUILD_HINT}")
        stale = _differing_files(package_source, built)
        if stale:  # never deploy yesterday's domain code under today's handlers
            raise RuntimeError(f"Lambda layer is stale ({', '.join(stale[:5])} changed since the build). {BUILD_HINT}")
        _require_bytecode(built)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=lambda_.Code.from_asset(str(build_dir), exclude=BYTECODE_EXCLUDES),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="smartgrocer package + runtime dependencies (requirements.txt)",
        )


class AppFunction(Construct):
    """One handler folder -> a Lambda with its own role and log group."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        description: str,
        code_dir: Path,
        layer: lambda_.ILayerVersion,
        config: StageConfig,
        timeout: Duration,
        function_prefix: str,
        environment: Mapping[str, str],
        reserved_concurrency: int | None = None,
        snap_start: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.name = name
        self.snap_start = snap_start
        self.log_group = logs.LogGroup(
            self, "Logs", retention=config.log_retention, removal_policy=config.removal_policy
        )
        # An explicit role instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{function_prefix}-{name}: least privilege from its route table access set",
            inline_policies={
                "WriteOwnLogs": iam.PolicyDocument(
                    statements=[
                        iam.PolicyStatement(
                            actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                            resources=[self.log_group.log_group_arn],
                        )
                    ]
                )
            },
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=f"{function_prefix}-{name}",
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(code_dir), exclude=ASSET_EXCLUDES),
            layers=[layer],
            role=self.role,
            log_group=self.log_group,
            memory_size=config.memory_mb,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            environment=dict(environment),
            # Bounds how many of its containers can hold MongoDB connections at once (cdk/connection_budget.py);
            # it is the function's, shared by all its versions, so SnapStart changes nothing in the budget.
            reserved_concurrent_executions=reserved_concurrency,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snap_start else None,
            # Every cached snapshot is billed while its version exists: delete the one a deploy replaces.
            current_version_options=lambda_.VersionOptions(removal_policy=RemovalPolicy.DESTROY)
            if snap_start
            else None,
        )
        self.alias: lambda_.Alias | None = None
        if snap_start:
            Annotations.of(self.function).acknowledge_warning(
                "@aws-cdk/aws-lambda:snapStartRequirePublish",
                "Every deploy publishes a version (current_version) and points the live alias at it.",
            )
            self.alias = lambda_.Alias(
                self,
                "Live",
                alias_name=LIVE_ALIAS,
                version=self.function.current_version,
                description="The version the last deploy published (SnapStart snapshot); what callers invoke",
            )

    @property
    def invoke_target(self) -> lambda_.IFunction:
        """What triggers invoke: the `live` alias with SnapStart, else the function ($LATEST)."""
        return self.alias or self.function


class AppFunctions(Construct):
    """Every route and background function from the route table, keyed by name, grants applied."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions_dir: Path,
        layer: lambda_.ILayerVersion,
        config: StageConfig,
        grants: Mapping[Access, Grant],
        function_prefix: str,
        shared_environment: Mapping[str, str] | None = None,
        functions_source: Path | None = None,
    ) -> None:
        """`functions_dir` is what ships (build/functions: handler.py + its bytecode); `functions_source`, when
        given, is the folder it was built from, and the build must match it."""
        super().__init__(scope, id)
        missing_grants = set(Access) - set(grants)
        if missing_grants:  # a new Access value must get a grant before anything can deploy
            raise ValueError(f"no grant declared for {sorted(a.value for a in missing_grants)}")
        entries: list[Route | BackgroundFunction] = [*ROUTES, *BACKGROUND_FUNCTIONS]
        origin = functions_source or functions_dir
        missing = [e.name for e in entries if not (origin / e.name / "handler.py").is_file()]
        if missing:
            raise FileNotFoundError(f"route table entries without functions/<name>/handler.py: {missing}")
        if functions_source is not None:
            unbuilt = [e.name for e in entries if not (functions_dir / e.name / "handler.py").is_file()]
            if unbuilt:
                raise FileNotFoundError(f"functions not built into {functions_dir}: {unbuilt[:5]}. {BUILD_HINT}")
            stale = [
                name for e in entries for name in _differing_files(functions_source / e.name, functions_dir / e.name)
            ]
            if stale:
                raise RuntimeError(f"function build is stale ({', '.join(stale[:5])} changed). {BUILD_HINT}")
            for entry in entries:
                _require_bytecode(functions_dir / entry.name)

        environment = {
            **FUNCTION_ENVIRONMENT,
            "LOG_LEVEL": config.log_level,
            "MONGODB_DB": config.mongodb_db,
            "MONGODB_MAX_POOL_SIZE": str(config.mongo_max_pool_size),
            **(shared_environment or {}),
        }
        budget = config.connection_budget
        with_snapstart = snapstart_functions()
        self.by_name: dict[str, AppFunction] = {}
        for entry in entries:
            is_route = isinstance(entry, Route)
            app_fn = AppFunction(
                self,
                _pascal(entry.name),
                name=entry.name,
                description=f"{entry.method} {entry.path}: {entry.summary}" if is_route else entry.summary,
                code_dir=functions_dir / entry.name,
                layer=layer,
                config=config,
                timeout=config.api_timeout if is_route else config.background_timeout,
                function_prefix=function_prefix,
                environment=environment,
                reserved_concurrency=budget.reserved_concurrency.get(entry.name),
                snap_start=entry.name in with_snapstart,
            )
            for access in sorted(entry.access, key=lambda a: a.value):
                grants[access](app_fn.function)
            self.by_name[entry.name] = app_fn

    def __getitem__(self, name: str) -> AppFunction:
        return self.by_name[name]

    def __iter__(self) -> Iterator[AppFunction]:
        return iter(self.by_name.values())


def _require_bytecode(tree: Path) -> None:
    """Lambda's code folders are read-only: a module without bytecode for the runtime is compiled from source
    on every cold start. scripts/build_layer.py compiles everything; refuse a build without it."""
    missing = [
        p.relative_to(tree).as_posix()
        for p in tree.rglob("*.py")
        if not (p.parent / "__pycache__" / f"{p.stem}.{CACHE_TAG}.pyc").is_file()
    ]
    if missing:
        raise RuntimeError(f"{tree} has no {CACHE_TAG} bytecode for {', '.join(missing[:5])}. {BUILD_HINT}")


def _differing_files(source: Path, copy: Path) -> list[str]:
    def files(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.py")}

    ours, theirs = files(source), files(copy)
    return sorted(name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name))


def _pascal(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
