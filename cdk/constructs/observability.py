"""Alarms (API 5xx rate and p99 latency, every function's Errors and Throttles, undelivered
notifications) to one SNS topic, and a dashboard with the same signals."""

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

PERIOD = Duration.minutes(5)


class Observability(Construct):
    def __init__(self, scope: Construct, id: str, *, config: StageConfig, name_prefix: str, api: HttpApi,
                 functions: AppFunctions, dead_letters: sqs.IQueue) -> None:
        super().__init__(scope, id)
        # A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key.
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, removal_policy=config.removal_policy,
                      description="Encrypts the SmartGrocer alarm topic")
        key.grant(iam.ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*")
        self.topic = sns.Topic(self, "AlarmTopic", topic_name=f"{name_prefix}-alarms", master_key=key,
                               enforce_ssl=True)
        if config.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(config.alarm_email))
        self.alarms: list[cw.Alarm] = []

        http = api.api
        requests = http.metric_count(period=PERIOD, statistic="Sum")
        server_errors = http.metric_server_error(period=PERIOD, statistic="Sum")
        latency_p99 = http.metric_latency(period=PERIOD, statistic="p99")
        error_rate = cw.MathExpression(expression="IF(requests > 0, 100 * errors / requests, 0)",
                                       using_metrics={"errors": server_errors, "requests": requests},
                                       label="5xx rate (%)", period=PERIOD)
        self._alarm("Api5xxRate", error_rate, threshold=config.api_5xx_rate_percent, evaluation_periods=2,
                    description=f"API 5xx responses above {config.api_5xx_rate_percent}% for 10 minutes")
        self._alarm("ApiLatencyP99", latency_p99, threshold=config.api_p99_latency_ms, evaluation_periods=3,
                    description=f"API p99 latency above {config.api_p99_latency_ms} ms for 15 minutes")

        for app_fn in functions:
            fn = app_fn.function
            self._alarm(f"{app_fn.node.id}Errors", fn.metric_errors(period=PERIOD, statistic="Sum"), threshold=1,
                        description=f"{app_fn.name}: invocation errors")
            self._alarm(f"{app_fn.node.id}Throttles", fn.metric_throttles(period=PERIOD, statistic="Sum"),
                        threshold=1, description=f"{app_fn.name}: throttled invocations")
        self._alarm("NotificationsUndelivered",
                    dead_letters.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                    threshold=1, description="Order/account events the notifier could not process")

        money = self._money_integrity(functions)

        self.dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{name_prefix}-overview",
                                      default_interval=Duration.hours(6))
        self.dashboard.add_widgets(
            cw.GraphWidget(title="API requests and 5xx", left=[requests, server_errors],
                           right=[error_rate], width=8),
            cw.GraphWidget(title="API latency", left=[http.metric_latency(period=PERIOD, statistic="p50"),
                                                      latency_p99], width=8),
            cw.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=8),
        )
        self.dashboard.add_widgets(cw.GraphWidget(title="Money integrity", left=list(money.values()), width=24))
        fns = [app_fn.function for app_fn in functions]
        self.dashboard.add_widgets(
            cw.GraphWidget(title="Function errors", left=[f.metric_errors(period=PERIOD) for f in fns],
                           width=12, legend_position=cw.LegendPosition.RIGHT),
            cw.GraphWidget(title="Function p99 duration",
                           left=[f.metric_duration(period=PERIOD, statistic="p99") for f in fns],
                           width=12, legend_position=cw.LegendPosition.RIGHT),
            cw.GraphWidget(title="Function invocations", left=[f.metric_invocations(period=PERIOD) for f in fns],
                           width=12, legend_position=cw.LegendPosition.RIGHT),
            cw.GraphWidget(title="Function throttles", left=[f.metric_throttles(period=PERIOD) for f in fns],
                           width=12, legend_position=cw.LegendPosition.RIGHT),
        )

    def _money_integrity(self, functions: AppFunctions) -> dict[str, cw.Metric]:
        """Metrics from the money core's structured logs: payments refunded for an unexpected amount or
        currency (logged as `alarm`), and what the reconciler had to repair or found broken."""
        namespace = "SmartGrocer"
        sources = {
            "PaymentAmountMismatch": (("payments_webhook", "orders_expire"),
                                      '{ $.alarm = "payment_amount_mismatch" }', "1"),
            "ReconcilerRepairs": (("orders_expire",), "{ $.reconciler.repairs > 0 }", "$.reconciler.repairs"),
            "StockInvariantViolations": (("orders_expire",), "{ $.reconciler.stock_violations > 0 }",
                                         "$.reconciler.stock_violations"),
        }
        metrics = {}
        for metric_name, (names, pattern, value) in sources.items():
            for name in names:
                logs.MetricFilter(self, f"{metric_name}{functions[name].node.id}", log_group=functions[name].log_group,
                                  filter_pattern=logs.FilterPattern.literal(pattern), metric_namespace=namespace,
                                  metric_name=metric_name, metric_value=value)
            metrics[metric_name] = cw.Metric(namespace=namespace, metric_name=metric_name, period=PERIOD,
                                             statistic="Sum")
        self._alarm("PaymentAmountMismatch", metrics["PaymentAmountMismatch"], threshold=1,
                    description="A payment arrived with an unexpected amount or currency (it was refunded)")
        self._alarm("StockInvariantViolations", metrics["StockInvariantViolations"], threshold=1,
                    description="stock + held + sold != received for some product")
        # Repairs are expected after a crash; repairs in three periods running mean something keeps failing.
        self._alarm("ReconcilerRepairsPersist", metrics["ReconcilerRepairs"], threshold=1, evaluation_periods=3,
                    description="The reconciler had to repair money state for 15 minutes running")
        return metrics

    def _alarm(self, id: str, metric: cw.IMetric, *, threshold: float, description: str,
               evaluation_periods: int = 1) -> cw.Alarm:
        alarm = cw.Alarm(self, id, metric=metric, threshold=threshold, evaluation_periods=evaluation_periods,
                         comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                         treat_missing_data=cw.TreatMissingData.NOT_BREACHING, alarm_description=description)
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm
