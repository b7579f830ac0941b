"""cdk-nag AwsSolutions: no unsuppressed finding, and every suppression says why."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Annotations, Match


@pytest.fixture(scope="module", params=["dev", "prod"])
def synth(request):
    return request.getfixturevalue(request.param)


def _messages(entries) -> list[str]:
    return [f"{m.id}: {str(m.entry.data)[:160]}" for m in entries]


def test_no_unsuppressed_nag_errors(synth):
    errors = Annotations.from_stack(synth.stack).find_error("*", Match.string_like_regexp("AwsSolutions-.*"))
    assert _messages(errors) == []


def test_no_warnings_at_all(synth):
    """Nag warnings and CDK's own (e.g. deprecated APIs, OAC on an imported bucket) alike."""
    assert _messages(Annotations.from_stack(synth.stack).find_warning("*", Match.any_value())) == []


def test_no_errors_at_all(synth):
    assert _messages(Annotations.from_stack(synth.stack).find_error("*", Match.any_value())) == []


def test_every_suppression_has_a_real_reason(synth):
    suppressions = [
        rule
        for resource in synth.resources.values()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions
    for rule in suppressions:
        assert rule["id"].startswith("AwsSolutions-")
        assert len(rule["reason"]) >= 40, rule


def test_iam5_suppressions_name_the_wildcard(synth):
    """A blanket IAM5 suppression would hide any future wildcard; ours each name one."""
    for resource in synth.resources.values():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            if rule["id"] == "AwsSolutions-IAM5" and resource["Type"] != "AWS::Lambda::Function":
                in_bucket_deployment = "BucketDeployment" in rule["reason"]
                assert rule.get("applies_to") or in_bucket_deployment, rule
