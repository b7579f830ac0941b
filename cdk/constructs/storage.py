"""S3: the product images bucket (browser uploads by presigned POST, reads through CloudFront) and
the access-logs bucket that every other bucket and the distribution log to."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk.config import StageConfig

IMAGE_PREFIX = "products/"  # the only keys the API hands out (smartgrocer.domain.images)


def secure_bucket(
    scope: Construct, id: str, *, config: StageConfig, access_logs: s3.IBucket | None, log_prefix: str = "", **props
) -> s3.Bucket:
    """A private, TLS-only, encrypted bucket; emptied and deleted with a dev stack, kept in prod."""
    return s3.Bucket(
        scope,
        id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=props.pop("object_ownership", s3.ObjectOwnership.BUCKET_OWNER_ENFORCED),
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=log_prefix or None,
        removal_policy=config.removal_policy,
        auto_delete_objects=not config.is_prod,
        **props,
    )


class Storage(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str) -> None:
        super().__init__(scope, id)
        self.access_logs = secure_bucket(
            self,
            "AccessLogs",
            config=config,
            access_logs=None,
            # CloudFront standard logging still writes with ACLs.
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365 if config.is_prod else 30))],
        )
        # A predictable name lets CloudFront address the bucket without referencing it, which breaks
        # the cycle "bucket CORS -> distribution domain -> bucket origin".
        self.images_bucket_name = f"{name_prefix}-images-{Aws.ACCOUNT_ID}-{Aws.REGION}"
        self.images = secure_bucket(
            self,
            "Images",
            config=config,
            access_logs=self.access_logs,
            log_prefix="s3/images/",
            bucket_name=self.images_bucket_name,
        )

    def allow_browser_uploads_from(self, origins: Sequence[str]) -> None:
        """CORS for the SPA's presigned POST straight to S3 (the policy in the POST is the auth)."""
        self.images.add_cors_rule(
            allowed_methods=[s3.HttpMethods.POST], allowed_origins=list(origins), allowed_headers=["*"], max_age=3600
        )

    def allow_cloudfront_reads(self, distribution_arn: str) -> None:
        """Origin access control: only our distribution may read, and only the product photos."""
        self.images.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudfront.amazonaws.com")],
                actions=["s3:GetObject"],
                resources=[self.images.arn_for_objects(f"{IMAGE_PREFIX}*")],
                conditions={"StringEquals": {"AWS:SourceArn": distribution_arn}},
            )
        )

    def grant_check(self, fn: lambda_.Function) -> None:
        """Access.IMAGES_CHECK: read the first bytes of an upload under `products/*` and delete it when it is
        not a photo (product writes check each photo before attaching it)."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:DeleteObject"], resources=[self.images.arn_for_objects(f"{IMAGE_PREFIX}*")]
            )
        )
        fn.add_environment("IMAGES_BUCKET", self.images.bucket_name)

    def grant_upload(self, fn: lambda_.Function) -> None:
        """Access.IMAGES_UPLOAD: sign presigned POSTs for `products/*` (IMAGES_BASE_URL is shared config)."""
        fn.add_to_role_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.images.arn_for_objects(f"{IMAGE_PREFIX}*")])
        )
        fn.add_environment("IMAGES_BUCKET", self.images.bucket_name)
