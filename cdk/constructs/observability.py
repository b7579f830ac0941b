"""Alarms to one SNS topic, and a dashboard with the same signals plus the business metrics.

Alarms are about rates over a few minutes, not single events, so nobody learns to mute them:
- API: 5xx rate and p99 latency;
- every HTTP function: Errors / Invocations above 5% in 3 of 5 minutes, and throttled share of
  attempts (Throttles / (Invocations + Throttles)) above 5% in 3 of 5 minutes;
- the scheduled and event-driven functions: errors in 2 of 3 five-minute periods (the reconciler runs
  every 5 minutes); the deploy-time index step: any error (it runs once per deploy);
- undelivered notifications, and the money-integrity alarms (payment amount mismatch, stock invariant
  violations, reconciler repairs persisting for 15 minutes)."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.config import StageConfig
from cdk.constructs.api import HttpApi
from cdk.constructs.functions import AppFunctions
from smartgrocer.domain import metrics
from smartgrocer.domain.metrics import RECONCILER_REPAIRS
from smartgrocer.routes import ROUTES

PERIOD = Duration.minutes(5)
MINUTE = Duration.minutes(1)
RATE_PERCENT = 5  # errors or throttles as a share of invocations
NAMESPACE = "SmartGrocer"
BUSINESS_DIMENSIONS = {"service": "smartgrocer"}  # Powertools Metrics' default dimension (web.observability)


class Observability(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        name_prefix: str,
        api: HttpApi,
        functions: AppFunctions,
        dead_letters: sqs.IQueue,
    ) -> None:
        super().__init__(scope, id)
        # A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
        key = kms.Key(
            self,
            "AlarmTopicKey",
            enable_key_rotation=True,
            removal_policy=config.removal_policy,
            description="Encrypts the SmartGrocer alarm topic",
        )
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=f"{name_prefix}-alarms", master_key=key, enforce_ssl=True)
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cw.Alarm] = []

        http = api.api
        requests = http.metric_count(period=PERIOD, statistic="Sum")
        server_errors = http.metric_server_error(period=PERIOD, statistic="Sum")
        latency_p99 = http.metric_latency(period=PERIOD, statistic="p99")
        error_rate = cw.MathExpression(
            expression="IF(requests > 0, 100 * errors / requests, 0)",
            using_metrics={"errors": server_errors, "requests": requests},
            label="5xx rate (%)",
            period=PERIOD,
        )
        self._alarm(
            "Api5xxRate",
            error_rate,
            threshold=config.api_5xx_rate_percent,
            evaluation_periods=2,
            description=f"API 5xx responses above {config.api_5xx_rate_percent}% for 10 minutes",
        )
        self._alarm(
            "ApiLatencyP99",
            latency_p99,
            threshold=config.api_p99_latency_ms,
            evaluation_periods=3,
            description=f"API p99 latency above {config.api_p99_latency_ms} ms for 15 minutes",
        )

        routes = {route.name for route in ROUTES}
        for app_fn in functions:
            fn, name = app_fn.function, app_fn.node.id
            if app_fn.name in routes:
                self._rate_alarm(
                    f"{name}ErrorRate",
                    "100 * errors / invocations",
                    "invocations > 0",
                    {
                        "errors": fn.metric_errors(period=MINUTE, statistic="Sum"),
                        "invocations": fn.metric_invocations(period=MINUTE, statistic="Sum"),
                    },
                    description=f"{app_fn.name}: more than {RATE_PERCENT}% of invocations failed "
                    "in 3 of the last 5 minutes",
                )
            elif app_fn.name == "apply_indexes":  # one run per deploy: its one failure is the signal
                self._alarm(
                    f"{name}Errors",
                    fn.metric_errors(period=PERIOD, statistic="Sum"),
                    threshold=1,
                    description="apply_indexes failed: the deploy's MongoDB indexes were not applied",
                )
            else:
                self._alarm(
                    f"{name}Errors",
                    fn.metric_errors(period=PERIOD, statistic="Sum"),
                    threshold=1,
                    evaluation_periods=3,
                    datapoints_to_alarm=2,
                    description=f"{app_fn.name}: failed runs in 2 of the last 3 five-minute periods",
                )
            self._rate_alarm(
                f"{name}ThrottleRate",
                "100 * throttles / (invocations + throttles)",
                "(invocations + throttles) > 0",
                {
                    "throttles": fn.metric_throttles(period=MINUTE, statistic="Sum"),
                    "invocations": fn.metric_invocations(period=MINUTE, statistic="Sum"),
                },
                description=f"{app_fn.name}: more than {RATE_PERCENT}% of attempts throttled in 3 "
                "of the last 5 minutes",
            )
        self._alarm(
            "NotificationsUndelivered",
            dead_letters.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            threshold=1,
            description="Order/account events the notifier could not process",
        )

        money = self._money_integrity(functions)

        self.dashboard = cw.Dashboard(
            self, "Dashboard", dashboard_name=f"{name_prefix}-overview", default_interval=Duration.hours(6)
        )
        self.dashboard.add_widgets(
            cw.GraphWidget(title="API requests and 5xx", left=[requests, server_errors], right=[error_rate], width=8),
            cw.GraphWidget(
                title="API latency", left=[http.metric_latency(period=PERIOD, statistic="p50"), latency_p99], width=8
            ),
            cw.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=8),
        )
        business = self.business_metrics()
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Orders, payment failures, stock conflicts, login lockouts, reconciler repairs",
                left=[
                    business[n]
                    for n in (
                        metrics.ORDERS_PLACED,
                        metrics.PAYMENT_FAILURES,
                        metrics.STOCK_CONFLICTS,
                        metrics.LOGIN_LOCKOUTS,
                        metrics.RECONCILER_REPAIRS,
                    )
                ],
                width=16,
            ),
            cw.GraphWidget(
                title="Money moved (cents)",
                left=[
                    business[metrics.AMOUNT_AUTHORISED],
                    business[metrics.AMOUNT_CAPTURED],
                    business[metrics.AMOUNT_TRANSFERRED],
                    business[metrics.AMOUNT_REFUNDED],
                ],
                width=8,
            ),
        )
        self.dashboard.add_widgets(cw.GraphWidget(title="Money integrity", left=list(money.values()), width=24))
        fns = [app_fn.function for app_fn in functions]
        self.dashboard.add_widgets(
            cw.GraphWidget(
                title="Function errors",
                left=[f.metric_errors(period=PERIOD) for f in fns],
                width=12,
                legend_position=cw.LegendPosition.RIGHT,
            ),
            cw.GraphWidget(
                title="Function p99 duration",
                left=[f.metric_duration(period=PERIOD, statistic="p99") for f in fns],
                width=12,
                legend_position=cw.LegendPosition.RIGHT,
            ),
            cw.GraphWidget(
                title="Function invocations",
                left=[f.metric_invocations(period=PERIOD) for f in fns],
                width=12,
                legend_position=cw.LegendPosition.RIGHT,
            ),
            cw.GraphWidget(
                title="Function throttles",
                left=[f.metric_throttles(period=PERIOD) for f in fns],
                width=12,
                legend_position=cw.LegendPosition.RIGHT,
            ),
        )

    @staticmethod
    def business_metrics() -> dict[str, cw.Metric]:
        """The EMF counters the functions write (smartgrocer.domain.metrics), summed per 5 minutes."""
        return {
            name: cw.Metric(
                namespace=NAMESPACE,
                metric_name=name,
                dimensions_map=BUSINESS_DIMENSIONS,
                period=PERIOD,
                statistic="Sum",
            )
            for name in metrics.BUSINESS_METRICS
        }

    def _money_integrity(self, functions: AppFunctions) -> dict[str, cw.Metric]:
        """Metrics from the money core's structured logs: payments refunded for an unexpected amount or
        currency and holds lost before capture (logged as `alarm`), and stock the reconciler found broken;
        its repairs come from its report as an EMF counter."""
        namespace = NAMESPACE
        sources = {
            "PaymentAmountMismatch": (
                ("payments_webhook", "orders_expire"),
                '{ $.alarm = "payment_amount_mismatch" }',
                "1",
            ),
            "AuthorizationLost": (
                ("payments_webhook", "orders_expire"),
                '{ $.alarm = "authorization_lost" }',
                "1",
            ),
            "StockInvariantViolations": (
                ("orders_expire",),
                "{ $.reconciler.stock_violations > 0 }",
                "$.reconciler.stock_violations",
            ),
            "WindowCapacityViolations": (
                ("orders_expire",),
                "{ $.reconciler.window_violations > 0 }",
                "$.reconciler.window_violations",
            ),
            # a capture decides the payouts: wherever the last packing, cancel or deadline lands
            "PayoutAccountMissing": (
                ("orders_pack", "orders_update_status", "payments_webhook", "orders_expire"),
                '{ $.alarm = "payout_account_missing" }',
                "1",
            ),
        }
        found = {}
        for metric_name, (names, pattern, value) in sources.items():
            for name in names:
                logs.MetricFilter(
                    self,
                    f"{metric_name}{functions[name].node.id}",
                    log_group=functions[name].log_group,
                    filter_pattern=logs.FilterPattern.literal(pattern),
                    metric_namespace=namespace,
                    metric_name=metric_name,
                    metric_value=value,
                )
            found[metric_name] = cw.Metric(namespace=namespace, metric_name=metric_name, period=PERIOD, statistic="Sum")
        self._alarm(
            "PaymentAmountMismatch",
            found["PaymentAmountMismatch"],
            threshold=1,
            description="A payment arrived with an unexpected amount or currency (it was refunded)",
        )
        self._alarm(
            "AuthorizationLost",
            found["AuthorizationLost"],
            threshold=1,
            description="A card hold went away before it was captured (its orders were cancelled)",
        )
        self._alarm(
            "StockInvariantViolations",
            found["StockInvariantViolations"],
            threshold=1,
            description="stock + held + sold != received for some product",
        )
        self._alarm(
            "WindowCapacityViolations",
            found["WindowCapacityViolations"],
            threshold=1,
            description="A delivery window's places taken differ from its live orders",
        )
        self._alarm(
            "PayoutAccountMissing",
            found["PayoutAccountMissing"],
            threshold=1,
            description="A captured order has no seller account to pay out to (its money stays on the platform)",
        )
        ledger = self.business_metrics()[metrics.LEDGER_MISMATCHES]
        self._alarm(
            "LedgerMismatches",
            ledger,
            threshold=1,
            description="A settled checkout's money does not add up (captured != transfers + commission + refunds)",
        )
        # Repairs are expected after a crash; repairs in three periods running mean something keeps failing.
        repairs = self.business_metrics()[RECONCILER_REPAIRS]
        self._alarm(
            "ReconcilerRepairsPersist",
            repairs,
            threshold=1,
            evaluation_periods=3,
            description="The reconciler had to repair money state for 15 minutes running",
        )
        return {**found, RECONCILER_REPAIRS: repairs, metrics.LEDGER_MISMATCHES: ledger}

    def _rate_alarm(self, id: str, rate: str, when: str, using: dict[str, cw.IMetric], *, description: str) -> cw.Alarm:
        """A percentage over 1-minute periods, alarming when above RATE_PERCENT in 3 of 5 of them."""
        expression = cw.MathExpression(
            expression=f"IF({when}, {rate}, 0)", using_metrics=using, label=f"{id} (%)", period=MINUTE
        )
        return self._alarm(
            id,
            expression,
            threshold=RATE_PERCENT,
            evaluation_periods=5,
            datapoints_to_alarm=3,
            description=description,
            comparison=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        )

    def _alarm(
        self,
        id: str,
        metric: cw.IMetric,
        *,
        threshold: float,
        description: str,
        evaluation_periods: int = 1,
        datapoints_to_alarm: int | None = None,
        comparison: cw.ComparisonOperator = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) -> cw.Alarm:
        alarm = cw.Alarm(
            self,
            id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=evaluation_periods,
            datapoints_to_alarm=datapoints_to_alarm,
            comparison_operator=comparison,
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm
