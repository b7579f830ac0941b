"""CloudFront response headers: every behaviour adds the security headers, so API Gateway's own
answers (unknown-route 404, 413, 429, 504) carry them too, and the SPA gets a CSP that still lets it
load Stripe Elements and upload product photos."""

from __future__ import annotations

from typing import Any

import pytest

ONE_YEAR = 31_536_000
CLOUDFRONT_CSP_LIMIT = 1783  # characters CloudFront accepts in a Content-Security-Policy value


@pytest.fixture(scope="module", params=["dev", "prod"])
def synth(request):
    return request.getfixturevalue(request.param)


def render(value: Any) -> str:
    """A CloudFormation string expression as text, pseudo parameters / references as ${Name}."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"${{{value['Ref']}}}"
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(render(p) for p in parts)
    raise AssertionError(f"unexpected expression {value}")


def directives(csp: str) -> dict[str, list[str]]:
    found = {}
    for directive in filter(None, (d.strip() for d in csp.split(";"))):
        name, *sources = directive.split()
        assert name not in found, f"{name} twice in {csp}"
        found[name] = sources
    return found


def behaviours(synth) -> dict[str, dict]:
    (dist,) = synth.of_type("AWS::CloudFront::Distribution").values()
    config = dist["Properties"]["DistributionConfig"]
    return {"default": config["DefaultCacheBehavior"], **{b["PathPattern"]: b for b in config["CacheBehaviors"]}}


def headers_policy(synth, behaviour: dict) -> dict:
    policy_id = behaviour.get("ResponseHeadersPolicyId")
    assert policy_id, f"{behaviour.get('PathPattern', 'default')} has no response headers policy"
    assert set(policy_id) == {"Ref"}, policy_id  # ours, not a managed policy id
    resource = synth.resources[policy_id["Ref"]]
    assert resource["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"
    return resource["Properties"]["ResponseHeadersPolicyConfig"]


def test_every_behaviour_sends_hsts_nosniff_and_no_framing(synth):
    found = behaviours(synth)
    assert set(found) == {"default", "/api/products*", "/api/auth/*", "/api/*", "/images/*"}
    for path, behaviour in found.items():
        security = headers_policy(synth, behaviour)["SecurityHeadersConfig"]
        hsts = security["StrictTransportSecurity"]
        assert hsts["AccessControlMaxAgeSec"] >= ONE_YEAR, path
        assert hsts["IncludeSubdomains"] is True, path
        assert "ContentTypeOptions" in security, path  # X-Content-Type-Options: nosniff
        assert security["FrameOptions"]["FrameOption"] == "DENY", path
        assert security["ReferrerPolicy"]["ReferrerPolicy"] in {"no-referrer", "strict-origin-when-cross-origin"}
        assert "frame-ancestors" in directives(render(security["ContentSecurityPolicy"]["ContentSecurityPolicy"]))


def test_api_headers_match_the_lambdas_and_never_replace_theirs(synth):
    found = behaviours(synth)
    catalog, api = found["/api/products*"], found["/api/*"]
    assert catalog["ResponseHeadersPolicyId"] == api["ResponseHeadersPolicyId"]
    policy = headers_policy(synth, api)
    security = policy["SecurityHeadersConfig"]
    # What smartgrocer.web.app.SECURITY_HEADERS sends on every Lambda response.
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] == ONE_YEAR
    assert security["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert directives(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])["default-src"] == ["'none'"]
    # override=False: the function's own header (e.g. the catalog's public max-age) wins when present.
    assert all(header["Override"] is False for header in security.values()), security
    assert policy["CustomHeadersConfig"]["Items"] == [
        {"Header": "Cache-Control", "Value": "no-store", "Override": False}
    ]


def test_spa_csp_allows_self_stripe_and_photo_uploads_only(synth):
    security = headers_policy(synth, behaviours(synth)["default"])["SecurityHeadersConfig"]
    assert security["ContentSecurityPolicy"]["Override"] is True
    csp = render(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert len(csp) <= CLOUDFRONT_CSP_LIMIT  # ${AWS::AccountId} etc. are longer than their values
    policy = directives(csp)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "https://js.stripe.com"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]  # /images/* is same-origin; blob: upload previews
    assert policy["frame-src"] == ["https://js.stripe.com", "https://hooks.stripe.com"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # The photo uploader POSTs straight to the images bucket (presigned POST), so its endpoints are allowed.
    images = synth.resources[synth.logical_id(synth.stack.storage.images)]["Properties"]
    bucket = render(images["BucketName"])
    assert policy["connect-src"] == [
        "'self'",
        "https://api.stripe.com",
        f"https://{bucket}.s3.amazonaws.com",
        f"https://{bucket}.s3.${{AWS::Region}}.amazonaws.com",
    ]
    assert "'unsafe-eval'" not in csp and "*" not in csp


def test_images_are_never_framed_or_run(synth):
    security = headers_policy(synth, behaviours(synth)["/images/*"])["SecurityHeadersConfig"]
    policy = directives(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["img-src"] == ["'self'"]


def test_each_stage_names_its_own_policies(dev, prod):
    """Response headers policy names are unique per account: dev and prod must not collide."""

    def names(synth):
        return {
            r["Properties"]["ResponseHeadersPolicyConfig"]["Name"]
            for r in synth.of_type("AWS::CloudFront::ResponseHeadersPolicy").values()
        }

    assert len(names(dev)) == len(names(prod)) == 3
    assert not names(dev) & names(prod)
