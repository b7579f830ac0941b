"""Background wiring, mail, observability and the dev/prod differences."""

from __future__ import annotations

import json

from smartgrocer.routes import BACKGROUND_FUNCTIONS, ROUTES
from tests.infra.helpers import app_functions, refs

ALL_NAMES = [e.name for e in (*ROUTES, *BACKGROUND_FUNCTIONS)]


def test_order_events_reach_the_notifier(dev):
    notifier_id, _ = app_functions(dev)["notifier"]
    bus_id = dev.logical_id(dev.stack.events.bus)
    (rule,) = [r for r in dev.of_type("AWS::Events::Rule").values() if "EventPattern" in r["Properties"]]
    props = rule["Properties"]
    assert props["EventPattern"] == {"source": ["smartgrocer.orders", "smartgrocer.accounts"]}
    assert refs(props["EventBusName"]) == {bus_id}
    (target,) = props["Targets"]
    assert refs(target["Arn"]) == {notifier_id}
    assert "DeadLetterConfig" in target


def test_the_reconciler_runs_every_five_minutes(dev):
    """It expires unpaid checkouts, captures or voids at the capture deadline and finishes pending effects."""
    expire_id, _ = app_functions(dev)["orders_expire"]
    (rule,) = [r for r in dev.of_type("AWS::Events::Rule").values() if "ScheduleExpression" in r["Properties"]]
    assert rule["Properties"]["ScheduleExpression"] == "rate(5 minutes)"
    assert refs(rule["Properties"]["Targets"][0]["Arn"]) == {expire_id}


def test_indexes_are_applied_by_a_trigger_on_deploy(dev):
    apply_id, _ = app_functions(dev)["apply_indexes"]
    (trigger,) = dev.of_type("Custom::Trigger").values()
    assert trigger["Properties"]["ExecuteOnHandlerChange"] is True
    (version_id,) = refs(trigger["Properties"]["HandlerArn"])
    version = dev.resources[version_id]
    assert version["Type"] == "AWS::Lambda::Version"
    assert refs(version["Properties"]["FunctionName"]) == {apply_id}


def test_index_step_reruns_when_the_layer_changes(dev):
    env = app_functions(dev)["apply_indexes"][1]["Properties"]["Environment"]["Variables"]
    assert len(env["INDEXES_REVISION"]) >= 16  # the layer fingerprint: new layer, new version, new run


def test_mail_identity_and_configuration_set(dev, prod):
    (identity,) = dev.of_type("AWS::SES::EmailIdentity").values()
    assert identity["Properties"]["EmailIdentity"] == "no-reply@example.com"
    (config_set,) = dev.of_type("AWS::SES::ConfigurationSet").values()
    env = app_functions(dev)["notifier"][1]["Properties"]["Environment"]["Variables"]
    assert env["MAIL_FROM"] == "no-reply@example.com"
    assert config_set["Properties"]["Name"] == "smartgrocer-dev-mail"
    assert refs(env["SES_CONFIGURATION_SET"]) == {dev.logical_id(dev.stack.mail.configuration_set)}
    (prod_identity,) = prod.of_type("AWS::SES::EmailIdentity").values()
    assert prod_identity["Properties"]["EmailIdentity"] == "example.com"


def _alarms_on(synth, metric_name: str) -> dict[str, dict]:
    """Function logical id -> alarm, for Lambda alarms on one metric."""
    found = {}
    for alarm in synth.of_type("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("Namespace") == "AWS/Lambda" and props.get("MetricName") == metric_name:
            (dimension,) = props["Dimensions"]
            found[dimension["Value"]["Ref"]] = props
    return found


ROUTE_NAMES = {r.name for r in ROUTES}


def _rate_alarms(synth) -> dict[tuple[str, frozenset[str]], dict]:
    """(function logical id, metric names) -> alarm, for the metric-math alarms on one function."""
    found = {}
    for alarm in synth.of_type("AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        stats = [m["MetricStat"] for m in props.get("Metrics", []) if "MetricStat" in m]
        if not stats or any(s["Metric"]["Namespace"] != "AWS/Lambda" for s in stats):
            continue
        functions = {d["Value"]["Ref"] for s in stats for d in s["Metric"]["Dimensions"]}
        (function,) = functions  # a rate is about one function
        found[(function, frozenset(s["Metric"]["MetricName"] for s in stats))] = props
    return found


def _assert_rate(props: dict, expression_part: str) -> None:
    (expression,) = [m for m in props["Metrics"] if "Expression" in m]
    assert expression_part in expression["Expression"] and expression["Expression"].startswith("IF(")
    assert all(
        m["MetricStat"]["Period"] == 60 and m["MetricStat"]["Stat"] == "Sum"
        for m in props["Metrics"]
        if "MetricStat" in m
    )
    assert props["Threshold"] == 5 and props["ComparisonOperator"] == "GreaterThanThreshold"
    assert props["EvaluationPeriods"] == 5 and props["DatapointsToAlarm"] == 3  # 3 of 5 minutes
    assert props["TreatMissingData"] == "notBreaching" and props["AlarmActions"]


def test_http_functions_alarm_on_error_rate_not_on_one_error(dev):
    functions, rates, single = app_functions(dev), _rate_alarms(dev), _alarms_on(dev, "Errors")
    for name in ROUTE_NAMES:
        logical_id = functions[name][0]
        _assert_rate(rates[(logical_id, frozenset({"Errors", "Invocations"}))], "100 * errors / invocations")
        assert logical_id not in single, name


def test_every_function_alarms_on_throttle_rate(dev):
    functions, rates = app_functions(dev), _rate_alarms(dev)
    assert not _alarms_on(dev, "Throttles")  # no single-throttle alarms
    for name in ALL_NAMES:
        _assert_rate(
            rates[(functions[name][0], frozenset({"Throttles", "Invocations"}))],
            "100 * throttles / (invocations + throttles)",
        )


def test_background_functions_alarm_on_repeated_failures(dev):
    functions, single = app_functions(dev), _alarms_on(dev, "Errors")
    for name in ("notifier", "orders_expire"):
        props = single[functions[name][0]]
        assert props["Period"] == 300 and props["EvaluationPeriods"] == 3 and props["DatapointsToAlarm"] == 2
        assert props["Threshold"] == 1 and props["AlarmActions"]
    index_step = single[functions["apply_indexes"][0]]  # runs once per deploy: one failure is the signal
    assert index_step["EvaluationPeriods"] == 1 and index_step["Threshold"] == 1


def test_dashboard_shows_the_business_metrics(dev):
    from smartgrocer.domain.metrics import BUSINESS_METRICS

    (dashboard,) = dev.of_type("AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for name in BUSINESS_METRICS:
        assert f'\\"SmartGrocer\\",\\"{name}\\",\\"service\\",\\"smartgrocer\\"' in body, name


def test_api_alarms_on_5xx_rate_and_p99_latency(dev):
    alarms = list(dev.of_type("AWS::CloudWatch::Alarm").values())
    latency = [a for a in alarms if a["Properties"].get("MetricName") == "Latency"]
    assert latency and latency[0]["Properties"]["ExtendedStatistic"] == "p99"
    rate = [
        a
        for a in alarms
        if any("errors / requests" in m.get("Expression", "") for m in a["Properties"].get("Metrics", []))
    ]
    assert rate, "no 5xx rate alarm"
    metric_names = {
        m["MetricStat"]["Metric"]["MetricName"] for m in rate[0]["Properties"]["Metrics"] if "MetricStat" in m
    }
    assert metric_names == {"5xx", "Count"}


def test_dashboard_and_encrypted_alarm_topic(dev, prod):
    assert len(dev.of_type("AWS::CloudWatch::Dashboard")) == 1
    (topic,) = dev.of_type("AWS::SNS::Topic").values()
    assert "KmsMasterKeyId" in topic["Properties"]
    assert not dev.of_type("AWS::SNS::Subscription")
    (subscription,) = prod.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Endpoint"] == "ops@example.com"


def test_log_groups_are_explicit_with_retention(dev, prod):
    for synth, days in ((dev, 30), (prod, 90)):
        groups = synth.of_type("AWS::Logs::LogGroup")
        for name, (_, fn) in app_functions(synth).items():
            group = groups[fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
            assert group["Properties"]["RetentionInDays"] == days, name
        assert all("RetentionInDays" in g["Properties"] for g in groups.values())


def test_removal_policies_retain_in_prod_and_destroy_in_dev(dev, prod):
    stateful = ("AWS::S3::Bucket", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup")
    for cfn_type in stateful:
        assert {r["DeletionPolicy"] for r in prod.of_type(cfn_type).values()} == {"Retain"}, cfn_type
        assert {r["DeletionPolicy"] for r in dev.of_type(cfn_type).values()} == {"Delete"}, cfn_type
    assert not prod.of_type("Custom::S3AutoDeleteObjects")
    assert len(dev.of_type("Custom::S3AutoDeleteObjects")) == 3


def test_money_integrity_is_counted_from_logs_and_alarmed(dev):
    filters = dev.of_type("AWS::Logs::MetricFilter").values()
    by_metric: dict[str, list[dict]] = {}
    for f in filters:
        (transform,) = f["Properties"]["MetricTransformations"]
        by_metric.setdefault(transform["MetricName"], []).append(f["Properties"])
    webhook_logs = dev.logical_id(dev.stack.functions["payments_webhook"].log_group)
    reconciler_logs = dev.logical_id(dev.stack.functions["orders_expire"].log_group)
    assert {refs(p["LogGroupName"]).pop() for p in by_metric["PaymentAmountMismatch"]} == {
        webhook_logs,
        reconciler_logs,
    }
    assert '"payment_amount_mismatch"' in by_metric["PaymentAmountMismatch"][0]["FilterPattern"]
    assert {refs(p["LogGroupName"]).pop() for p in by_metric["AuthorizationLost"]} == {webhook_logs, reconciler_logs}
    assert '"authorization_lost"' in by_metric["AuthorizationLost"][0]["FilterPattern"]
    assert {refs(p["LogGroupName"]).pop() for p in by_metric["StockInvariantViolations"]} == {reconciler_logs}
    assert {refs(p["LogGroupName"]).pop() for p in by_metric["WindowCapacityViolations"]} == {reconciler_logs}
    assert '"payout_account_missing"' in by_metric["PayoutAccountMissing"][0]["FilterPattern"]
    assert len(by_metric["PayoutAccountMissing"]) == 4  # wherever a capture can be decided
    assert "ReconcilerRepairs" not in by_metric  # an EMF counter from the reconciler's report
    alarms = {
        a["Properties"]["MetricName"]: a["Properties"]
        for a in dev.of_type("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "SmartGrocer"
    }
    assert set(alarms) == {
        "PaymentAmountMismatch",
        "AuthorizationLost",
        "StockInvariantViolations",
        "WindowCapacityViolations",
        "PayoutAccountMissing",
        "LedgerMismatches",
        "ReconcilerRepairs",
    }
    assert alarms["ReconcilerRepairs"]["EvaluationPeriods"] == 3
    assert alarms["ReconcilerRepairs"]["Dimensions"] == [{"Name": "service", "Value": "smartgrocer"}]
    assert all(a["AlarmActions"] for a in alarms.values())
