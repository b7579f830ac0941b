"""Read the synthesized template the way the assertions need it: app functions by route table
name, and the IAM statements that apply to each."""

from __future__ import annotations

from typing import Any

from tests.infra.conftest import Synth


def listify(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def refs(value: Any) -> set[str]:
    """Logical ids a CloudFormation expression points at (Ref / Fn::GetAtt), at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and not str(value["Ref"]).startswith("AWS::"):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            found.add(value["Fn::GetAtt"][0])
        for v in value.values():
            found |= refs(v)
    elif isinstance(value, list):
        for v in value:
            found |= refs(v)
    return found


def literals(value: Any) -> list[str]:
    """The plain strings inside an expression (for spotting wildcards)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("Ref", "Fn::GetAtt") for s in literals(v)]
    if isinstance(value, list):
        return [s for v in value for s in literals(v)]
    return []


def app_functions(synth: Synth) -> dict[str, tuple[str, dict]]:
    """Route table name -> (logical id, resource) for the functions the stack builds from the table."""
    prefix = f"{synth.stack.stack_name.lower()}-"
    found = {}
    for logical_id, resource in synth.of_type("AWS::Lambda::Function").items():
        name = resource["Properties"].get("FunctionName")
        if isinstance(name, str) and name.startswith(prefix):
            found[name.removeprefix(prefix)] = (logical_id, resource)
    return found


def invoked_function(synth: Synth, logical_id: str) -> str:
    """The function a trigger's target resolves to: itself, or the function behind an alias or a version."""
    resource = synth.resources[logical_id]
    if resource["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
        (function_id,) = refs(resource["Properties"]["FunctionName"])
        return function_id
    return logical_id


def role_statements(synth: Synth, role_logical_id: str) -> list[dict]:
    """Every statement granted to a role: its inline policies and the AWS::IAM::Policy attached to it."""
    role = synth.resources[role_logical_id]
    statements = [s for p in role["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    assert not role["Properties"].get("ManagedPolicyArns"), f"{role_logical_id} has managed policies"
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"].get("Roles", []):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def function_statements(synth: Synth, name: str) -> list[dict]:
    _, fn = app_functions(synth)[name]
    role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    return role_statements(synth, role_id)
