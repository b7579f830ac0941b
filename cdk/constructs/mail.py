"""SES: the sending identity (one address by default, or a whole domain) and a configuration set."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_ses as ses
from constructs import Construct

from cdk.config import StageConfig


class Mail(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str) -> None:
        super().__init__(scope, id)
        self.mail_from = config.mail_from
        identity = (
            ses.Identity.domain(config.mail_from_domain)
            if config.mail_from_domain
            else ses.Identity.email(config.mail_from)
        )
        self.identity = ses.EmailIdentity(self, "Identity", identity=identity)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=f"{name_prefix}-mail",
            reputation_metrics=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.configuration_set_arn = Stack.of(self).format_arn(
            service="ses", resource="configuration-set", resource_name=self.configuration_set.configuration_set_name
        )

    def grant_send(self, fn: lambda_.Function) -> None:
        """Access.MAIL: send from our identity, through our configuration set, nothing else."""
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail", "ses:SendRawEmail"],
                resources=[self.identity.email_identity_arn, self.configuration_set_arn],
            )
        )
        fn.add_environment("MAIL_FROM", self.mail_from)
        fn.add_environment("SES_CONFIGURATION_SET", self.configuration_set.configuration_set_name)
