"""cdk-nag AwsSolutions checks, and every accepted finding with the reason it is acceptable.

Suppressions are attached to the narrowest construct that explains them (never the whole stack),
and IAM5 ones name the exact wildcard they accept (`applies_to`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Annotations, Aspects
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions
from constructs import Construct

if TYPE_CHECKING:
    from cdk.stack import SmartGrocerStack

# The images bucket ARN appears as <StorageImages<hash>.Arn> in nag's view of a policy.
IMAGES_PREFIX_RESOURCE = {"regex": r"/^Resource::<StorageImages[0-9A-F]+\.Arn>\/products\/\*$/g"}


def apply_nag(stack: SmartGrocerStack) -> None:
    Aspects.of(stack).add(AwsSolutionsChecks(verbose=True))

    _suppress(
        stack.api,
        "AwsSolutions-APIG4",
        "Authentication is a JWT check inside each Lambda, driven by the route table's roles "
        "(README: How it fits together); public routes (catalog, signup, login, Stripe webhook) are public by design.",
    )
    _suppress(
        stack.functions,
        "AwsSolutions-L1",
        "Pinned to python3.12: the shared layer is built from cp312 wheels and every module ships "
        "CPython 3.12 bytecode (scripts/build_layer.py); runtime, wheels and bytecode move together "
        "in one change (docs/deploy.md, cold start).",
    )
    _suppress(
        stack.functions,
        "AwsSolutions-IAM5",
        "X-Ray tracing (Tracing.ACTIVE) needs xray:PutTraceSegments/PutTelemetryRecords, which have "
        "no resource-level permissions.",
        applies_to=["Resource::*"],
    )
    _suppress(
        stack.functions,
        "AwsSolutions-IAM5",
        "Access.IMAGES_UPLOAD signs presigned POSTs for keys the API generates under products/, and "
        "Access.IMAGES_CHECK reads the first bytes of those uploads (deleting what is not a photo); the "
        "prefix is as narrow as object keys allow.",
        applies_to=[IMAGES_PREFIX_RESOURCE],
    )
    _suppress(
        stack.secrets,
        "AwsSolutions-SMG4",
        "MongoDB URI and Stripe keys are issued and rotated by those providers, then stored with "
        "put-secret-value (docs/deploy.md); rotating the JWT key is a planned ops task because it "
        "signs every user out; the CloudFront origin-verify value is rotated by the documented "
        "current/previous steps, which need a deploy to reach CloudFront.",
    )
    _suppress(
        stack.events.notifier_dead_letters,
        "AwsSolutions-SQS3",
        "This queue is itself the dead-letter queue of the notifier's EventBridge target (alarmed).",
    )

    distribution = stack.frontend.distribution
    if not stack.config.domain_name:
        _suppress(
            distribution,
            "AwsSolutions-CFR4",
            "Without a custom domain CloudFront serves its default *.cloudfront.net certificate, "
            "whose TLS policy cannot be set; with -c domain_name/certificate_arn the stack enforces "
            "TLSv1.2_2021.",
        )
    _suppress(
        distribution,
        "AwsSolutions-CFR1",
        "The marketplace is not restricted by country; sellers choose where they ship.",
    )
    if not stack.config.web_acl_arn:
        _suppress(
            distribution,
            "AwsSolutions-CFR2",
            "WAF is optional (-c web_acl_arn=...); abuse-prone routes are throttled per route in "
            "API Gateway and the login flow is rate limited in the application.",
        )
    Annotations.of(distribution).acknowledge_warning(
        "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac",
        "The images bucket policy for OAC is added by Storage.allow_cloudfront_reads.",
    )

    if stack.frontend.deployment is not None:
        _suppress_bucket_deployment(stack)


def _suppress_bucket_deployment(stack: SmartGrocerStack) -> None:
    """CDK's BucketDeployment runs a singleton Lambda we do not define; only its findings are accepted."""
    for child in stack.node.children:
        if child.node.id.startswith("Custom::CDKBucketDeployment"):
            _suppress(
                child,
                "AwsSolutions-IAM4",
                "CDK's BucketDeployment provider uses AWSLambdaBasicExecutionRole (CDK-managed).",
            )
            _suppress(
                child,
                "AwsSolutions-IAM5",
                "CDK's BucketDeployment provider needs object wildcards on the asset and SPA buckets.",
            )
            _suppress(child, "AwsSolutions-L1", "Runtime chosen by CDK's BucketDeployment provider.")


def _suppress(scope: Construct, rule: str, reason: str, applies_to: list | None = None) -> None:
    NagSuppressions.add_resource_suppressions(
        scope, [NagPackSuppression(id=rule, reason=reason, applies_to=applies_to)], apply_to_children=True
    )
