"""EventBridge: the order event bus, the rule that feeds the notifier, and the expiry schedule."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.config import StageConfig

ORDER_EVENT_SOURCES = ("smartgrocer.orders", "smartgrocer.accounts")
EXPIRY_INTERVAL = Duration.minutes(5)


class OrderEvents(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str) -> None:
        super().__init__(scope, id)
        self._config = config
        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{name_prefix}-orders")
        # Events the notifier could not handle after EventBridge's retries land here, not nowhere.
        self.notifier_dead_letters = sqs.Queue(
            self,
            "NotifierDeadLetters",
            enforce_ssl=True,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            retention_period=Duration.days(14),
            removal_policy=config.removal_policy,
        )

    def grant_publish(self, fn: lambda_.Function) -> None:
        """Access.EVENTS: events:PutEvents on this bus only."""
        self.bus.grant_put_events_to(fn)
        fn.add_environment("EVENT_BUS_NAME", self.bus.event_bus_name)

    def deliver_order_events_to(self, fn: lambda_.Function) -> events.Rule:
        rule = events.Rule(
            self,
            "OrderEventsToNotifier",
            event_bus=self.bus,
            description="Order and account events -> notifier (email)",
            event_pattern=events.EventPattern(source=list(ORDER_EVENT_SOURCES)),
        )
        rule.add_target(
            targets.LambdaFunction(
                fn, retry_attempts=4, max_event_age=Duration.hours(2), dead_letter_queue=self.notifier_dead_letters
            )
        )
        return rule

    def run_on_schedule(self, fn: lambda_.Function) -> events.Rule:
        rule = events.Rule(
            self,
            "ExpireUnpaidOrders",
            schedule=events.Schedule.rate(EXPIRY_INTERVAL),
            description="Expire unpaid orders and release their stock",
        )
        rule.add_target(targets.LambdaFunction(fn, retry_attempts=0))  # the next run catches up
        return rule
