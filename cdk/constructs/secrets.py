"""Secrets Manager secrets for everything sensitive. The template carries no values: each secret
starts with a generated placeholder that ops replace with `put-secret-value` (docs/deploy.md)."""

from __future__ import annotations

from aws_cdk import SecretValue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as sm
from constructs import Construct

from cdk.config import StageConfig


class AppSecrets(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str) -> None:
        super().__init__(scope, id)
        self._stripe_publishable_key = config.stripe_publishable_key

        def secret(logical_id: str, name: str, description: str, **generate) -> sm.Secret:
            return sm.Secret(
                self,
                logical_id,
                secret_name=f"{name_prefix}/{name}",  # a stable name ops can put-secret-value to
                description=description,
                generate_secret_string=sm.SecretStringGenerator(**generate) if generate else None,
                removal_policy=config.removal_policy,
            )

        self.mongodb_uri = secret(
            "MongoDbUri", "mongodb-uri", "MongoDB connection string (Atlas SRV URI); set after the first deploy"
        )
        # The only secret whose generated value is final: a random 64-character HS256 key.
        self.jwt_secret = secret(
            "JwtSecret",
            "jwt-secret",
            "HS256 signing key for access tokens",
            password_length=64,
            exclude_punctuation=True,
        )
        self.stripe_secret_key = secret(
            "StripeSecretKey", "stripe-secret-key", "Stripe secret API key (sk_live_... / sk_test_...)"
        )
        self.stripe_webhook_secret = secret(
            "StripeWebhookSecret", "stripe-webhook-secret", "Stripe webhook signing secret (whsec_...)"
        )
        # CloudFront sends `current` to the API as X-Origin-Verify; the functions accept `current` or
        # `previous`, so it rotates without downtime (docs/deploy.md). Generated, final like the JWT key.
        self.origin_verify = secret(
            "OriginVerify",
            "origin-verify",
            'CloudFront -> API origin header: {"current": ..., "previous": ...}',
            secret_string_template="{}",
            generate_string_key="current",
            password_length=48,
            exclude_punctuation=True,
        )

    # Env names follow smartgrocer.settings.secret(): `<NAME>_ARN` in AWS, `<NAME>` locally.
    def grant_mongo(self, fn: lambda_.Function) -> None:
        _grant_secret(fn, self.mongodb_uri, "MONGODB_URI_ARN")

    def grant_jwt(self, fn: lambda_.Function) -> None:
        _grant_secret(fn, self.jwt_secret, "JWT_SECRET_ARN")

    def grant_payments(self, fn: lambda_.Function) -> None:
        _grant_secret(fn, self.stripe_secret_key, "STRIPE_SECRET_KEY_ARN")
        fn.add_environment("PAYMENT_PROVIDER", "stripe")
        if self._stripe_publishable_key:  # not a secret: Stripe.js needs it in the browser
            fn.add_environment("STRIPE_PUBLISHABLE_KEY", self._stripe_publishable_key)

    def grant_payment_webhook(self, fn: lambda_.Function) -> None:
        _grant_secret(fn, self.stripe_webhook_secret, "STRIPE_WEBHOOK_SECRET_ARN")
        fn.add_environment("PAYMENT_PROVIDER", "stripe")

    def grant_origin_verify(self, fn: lambda_.Function) -> None:
        """Every HTTP function checks the origin header (smartgrocer.web.origin)."""
        _grant_secret(fn, self.origin_verify, "ORIGIN_VERIFY_SECRET_ARN")

    def origin_header_value(self, version_id: str | None = None) -> str:
        """The `current` value as a CloudFormation dynamic reference, resolved at deploy time (never in the
        template). Pinning a version id (context `origin_secret_version`) changes the template, so a rotation
        is one `cdk deploy` that really updates the distribution."""
        return SecretValue.secrets_manager(
            self.origin_verify.secret_arn, json_field="current", version_id=version_id
        ).unsafe_unwrap()

    @property
    def all(self) -> list[sm.Secret]:
        return [
            self.mongodb_uri,
            self.jwt_secret,
            self.stripe_secret_key,
            self.stripe_webhook_secret,
            self.origin_verify,
        ]


def _grant_secret(fn: lambda_.Function, secret: sm.ISecret, env_name: str) -> None:
    # Only GetSecretValue (not grant_read's DescribeSecret): it is all Powertools' get_secret calls.
    fn.add_to_role_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret.secret_arn]))
    fn.add_environment(env_name, secret.secret_arn)
