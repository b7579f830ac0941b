"""Deployment settings read from CDK context (`-c key=value`), with defaults that synth offline."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Node

from cdk.connection_budget import ConnectionBudget, plan

STAGES = ("dev", "prod")
DEV_SPA_ORIGINS = ("http://localhost:5173", "http://127.0.0.1:5173")  # `vite` dev server


@dataclass(frozen=True)
class Throttling:
    rate_limit: float  # steady requests per second
    burst_limit: int


@dataclass(frozen=True)
class StageConfig:
    stage: str = "dev"
    domain_name: str | None = None  # custom domain on CloudFront; needs certificate_arn (us-east-1)
    certificate_arn: str | None = None
    mail_from: str = "no-reply@example.com"
    mail_from_domain: str | None = None  # verify a whole domain instead of one address
    alarm_email: str | None = None
    web_acl_arn: str | None = None  # optional WAFv2 web ACL (CLOUDFRONT scope) for the distribution
    stripe_publishable_key: str | None = None  # pk_...: public, handed to the SPA with each checkout
    mongodb_db: str = "smartgrocer"
    log_level: str = "INFO"
    # Changing this forces the deploy-time index step to run again without a code change.
    index_nonce: str = ""
    # Secrets Manager version id of the origin-verify secret CloudFront sends (rotation, docs/deploy.md);
    # unset: the version current at deploy time.
    origin_secret_version: str | None = None
    # MongoDB connection budget (cdk/connection_budget.py, docs/deploy.md): the cluster's connection limit
    # (Atlas: 500 for M0/Flex, 1500 for M10, ...), its replica set members, and each container's pool size.
    atlas_connection_limit: int = 500
    atlas_members: int = 3
    mongo_max_pool_size: int = 2  # a container serves one request at a time

    default_throttle: Throttling = Throttling(rate_limit=50, burst_limit=100)
    strict_throttle: Throttling = Throttling(rate_limit=5, burst_limit=10)
    api_timeout: Duration = Duration.seconds(10)  # well under API Gateway's 29 s
    background_timeout: Duration = Duration.minutes(2)
    memory_mb: int = 512  # more memory = more CPU = faster cold starts and bcrypt
    api_p99_latency_ms: int = 3000
    api_5xx_rate_percent: int = 5

    def __post_init__(self) -> None:
        if self.stage not in STAGES:
            raise ValueError(f"context 'stage' must be one of {STAGES}, got {self.stage!r}")
        if self.domain_name and not self.certificate_arn:
            raise ValueError("context 'domain_name' needs 'certificate_arn' (an ACM certificate in us-east-1)")
        if "@" not in self.mail_from:
            raise ValueError(f"context 'mail_from' must be an email address, got {self.mail_from!r}")
        self.connection_budget  # noqa: B018  (raises ValueError with the arithmetic when it cannot fit)

    @classmethod
    def from_context(cls, node: Node) -> StageConfig:
        def ctx(key: str) -> str | None:
            value = node.try_get_context(key)
            return str(value) if value not in (None, "") else None

        def ctx_int(key: str, default: int) -> int:
            value = ctx(key)
            if value is None:
                return default
            if not value.isdigit():
                raise ValueError(f"context '{key}' must be a positive whole number, got {value!r}")
            return int(value)

        mail_from_domain = ctx("mail_from_domain")
        mail_from = ctx("mail_from") or (f"no-reply@{mail_from_domain}" if mail_from_domain else cls.mail_from)
        return cls(
            stage=ctx("stage") or cls.stage,
            domain_name=ctx("domain_name"),
            certificate_arn=ctx("certificate_arn"),
            mail_from=mail_from,
            mail_from_domain=mail_from_domain,
            alarm_email=ctx("alarm_email"),
            web_acl_arn=ctx("web_acl_arn"),
            stripe_publishable_key=ctx("stripe_publishable_key"),
            mongodb_db=ctx("mongodb_db") or cls.mongodb_db,
            log_level=ctx("log_level") or cls.log_level,
            index_nonce=ctx("index_nonce") or "",
            origin_secret_version=ctx("origin_secret_version"),
            atlas_connection_limit=ctx_int("atlas_connection_limit", cls.atlas_connection_limit),
            atlas_members=ctx_int("atlas_members", cls.atlas_members),
            mongo_max_pool_size=ctx_int("mongo_max_pool_size", cls.mongo_max_pool_size),
        )

    @property
    def connection_budget(self) -> ConnectionBudget:
        """Reserved concurrency per function so that every container's MongoDB connections fit the cluster."""
        return plan(self.atlas_connection_limit, self.mongo_max_pool_size, self.atlas_members)

    @property
    def is_prod(self) -> bool:
        return self.stage == "prod"

    @property
    def removal_policy(self) -> RemovalPolicy:
        """Keep data in prod; leave nothing behind when a dev stack is destroyed."""
        return RemovalPolicy.RETAIN if self.is_prod else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return logs.RetentionDays.THREE_MONTHS if self.is_prod else logs.RetentionDays.ONE_MONTH

    @property
    def dev_origins(self) -> tuple[str, ...]:
        """Local SPA dev servers may call a dev stack; a prod stack answers only its own origins."""
        return () if self.is_prod else DEV_SPA_ORIGINS

    @property
    def custom_origin(self) -> str | None:
        return f"https://{self.domain_name}" if self.domain_name else None
