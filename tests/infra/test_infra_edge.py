"""Buckets, CloudFront and secrets: private by default, HTTPS only, nothing secret in the template."""

from __future__ import annotations

import json
import re

import pytest

from tests.infra.helpers import refs

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


@pytest.fixture(scope="module", params=["dev", "prod"])
def synth(request):
    return request.getfixturevalue(request.param)


def distribution_config(synth) -> dict:
    (dist,) = synth.of_type("AWS::CloudFront::Distribution").values()
    return dist["Properties"]["DistributionConfig"]


def test_every_bucket_blocks_public_access_and_enforces_tls(synth):
    policies = {
        next(iter(refs(p["Properties"]["Bucket"]))): p["Properties"]["PolicyDocument"]
        for p in synth.of_type("AWS::S3::BucketPolicy").values()
    }
    buckets = synth.of_type("AWS::S3::Bucket")
    assert len(buckets) == 3  # SPA, images, access logs
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert "BucketEncryption" in props
        plain_http = {"Bool": {"aws:SecureTransport": "false"}}
        deny_plain_http = [
            s for s in policies[logical_id]["Statement"] if s["Effect"] == "Deny" and s.get("Condition") == plain_http
        ]
        assert deny_plain_http, f"{logical_id} does not enforce TLS"


def test_images_bucket_accepts_presigned_posts_from_the_spa_origin(dev):
    images = dev.resources[dev.logical_id(dev.stack.storage.images)]["Properties"]
    (rule,) = images["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    distribution = dev.logical_id(dev.stack.frontend.distribution)
    origins = rule["AllowedOrigins"]
    assert refs(origins[0]) == {distribution}
    assert set(origins[1:]) == {"http://localhost:5173", "http://127.0.0.1:5173"}


def test_images_are_readable_only_by_the_distribution_under_products(dev):
    images_id = dev.logical_id(dev.stack.storage.images)
    (policy,) = [
        p for p in dev.of_type("AWS::S3::BucketPolicy").values() if refs(p["Properties"]["Bucket"]) == {images_id}
    ]
    (read,) = [
        s
        for s in policy["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]
    assert read["Action"] == "s3:GetObject"
    assert read["Resource"]["Fn::Join"][1][-1] == "/products/*"
    assert refs(read["Condition"]["StringEquals"]["AWS:SourceArn"]) == {dev.logical_id(dev.stack.frontend.distribution)}


def test_cloudfront_uses_oac_for_every_s3_origin_and_https_to_the_api(synth):
    config = distribution_config(synth)
    s3_origins = [o for o in config["Origins"] if "S3OriginConfig" in o]
    assert len(s3_origins) == 2  # SPA and images
    for origin in s3_origins:
        assert "OriginAccessControlId" in origin
        assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy OAI
    (api,) = [o for o in config["Origins"] if "CustomOriginConfig" in o]
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert api["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert len(synth.of_type("AWS::CloudFront::OriginAccessControl")) == 1


def test_cloudfront_redirects_http_and_routes_api_and_images(synth):
    config = distribution_config(synth)
    behaviors = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]
    assert all(b["ViewerProtocolPolicy"] == "redirect-to-https" for b in behaviors)
    by_path = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    # First match wins: sessions and the cached catalog must come before the catch-all /api/*.
    assert list(by_path) == ["/api/auth/*", "/api/products*", "/api/*", "/images/*"]
    api = by_path["/api/*"]
    assert api["CachePolicyId"] == CACHING_DISABLED
    assert api["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
    assert set(api["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
    catalog = by_path["/api/products*"]
    assert catalog["TargetOriginId"] == api["TargetOriginId"]
    cache_policy = synth.resources[catalog["CachePolicyId"]["Ref"]]["Properties"]["CachePolicyConfig"]
    assert cache_policy["DefaultTTL"] == 0  # only what the API's Cache-Control allows
    assert cache_policy["ParametersInCacheKeyAndForwardedToOrigin"]["HeadersConfig"]["Headers"] == ["Authorization"]
    assert by_path["/images/*"]["FunctionAssociations"][0]["EventType"] == "viewer-request"


def test_spa_fallback_is_a_viewer_function_not_an_error_page(synth):
    config = distribution_config(synth)
    assert "CustomErrorResponses" not in config  # API 404s must stay API 404s
    (assoc,) = config["DefaultCacheBehavior"]["FunctionAssociations"]
    function = synth.resources[assoc["FunctionARN"]["Fn::GetAtt"][0]]["Properties"]
    assert "/index.html" in function["FunctionCode"]
    assert config["DefaultRootObject"] == "index.html"


def test_custom_domain_enforces_tls12(prod, dev):
    config = distribution_config(prod)
    assert config["Aliases"] == ["shop.example.com"]
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    assert "Aliases" not in distribution_config(dev)


def test_secrets_are_generated_never_inlined(synth):
    secrets = synth.of_type("AWS::SecretsManager::Secret")
    assert len(secrets) == 5
    for secret in secrets.values():
        assert "SecretString" not in secret["Properties"]
        assert "GenerateSecretString" in secret["Properties"]
    text = json.dumps(synth.template.to_json())
    assert 'SecretString"' not in text.replace('GenerateSecretString"', "")
    # Nothing that looks like a real Stripe key, webhook secret or credentialed MongoDB URI.
    assert not re.search(r"sk_(live|test)_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9]{8,}|mongodb(\+srv)?://[^\s\"]*@", text)


def test_spa_is_deployed_with_invalidation_only_when_built(dev, prod):
    assert not dev.of_type("Custom::CDKBucketDeployment")
    (deployment,) = prod.of_type("Custom::CDKBucketDeployment").values()
    assert deployment["Properties"]["DistributionPaths"] == ["/*"]
    assert refs(deployment["Properties"]["DestinationBucketName"]) == {prod.logical_id(prod.stack.frontend.spa_bucket)}


def test_only_cloudfront_reaches_the_api(synth):
    """The API origin carries the origin-verify header, its value a deploy-time reference to the secret's
    `current` field (never a literal); every HTTP function gets the secret's ARN and may only read it."""
    from smartgrocer.routes import ROUTES
    from tests.infra.helpers import app_functions, function_statements, listify

    secret_id = synth.logical_id(synth.stack.secrets.origin_verify)
    secret = synth.resources[secret_id]["Properties"]["GenerateSecretString"]
    assert secret["GenerateStringKey"] == "current" and secret["PasswordLength"] >= 32
    (api_origin,) = [o for o in distribution_config(synth)["Origins"] if "CustomOriginConfig" in o]
    (header,) = api_origin["OriginCustomHeaders"]
    assert header["HeaderName"] == "X-Origin-Verify"
    value = header["HeaderValue"]
    assert refs(value) == {secret_id}
    text = json.dumps(value)
    assert "{{resolve:secretsmanager:" in text and ":SecretString:current:" in text
    functions = app_functions(synth)
    route_names = {r.name for r in ROUTES}
    for name, (_, fn) in functions.items():
        env = fn["Properties"]["Environment"]["Variables"]
        reads = [st for st in function_statements(synth, name) if secret_id in refs(st["Resource"])]
        if name in route_names:
            assert refs(env["ORIGIN_VERIFY_SECRET_ARN"]) == {secret_id}, name
            (statement,) = reads
            assert listify(statement["Action"]) == ["secretsmanager:GetSecretValue"]
            assert refs(statement["Resource"]) == {secret_id}
        else:
            assert "ORIGIN_VERIFY_SECRET_ARN" not in env and not reads, name


def test_rotation_pins_the_secret_version_cloudfront_sends(functions_dir, layer_dir, tmp_path):
    from tests.infra.conftest import synth as synthesize

    pinned = synthesize({"origin_secret_version": "v-2"}, functions_dir, layer_dir, web_dist=tmp_path)
    (api_origin,) = [o for o in distribution_config(pinned)["Origins"] if "CustomOriginConfig" in o]
    assert ":SecretString:current::v-2}}" in json.dumps(api_origin["OriginCustomHeaders"])


def test_session_routes_get_the_session_cookie_only_and_are_never_cached(synth):
    from smartgrocer.routes import ROUTES, SESSION_COOKIE_NAME

    config = distribution_config(synth)
    by_path = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    auth, api = by_path["/api/auth/*"], by_path["/api/*"]
    assert all(r.path.startswith("/api/auth/") for r in ROUTES if r.session_cookie)
    assert auth["TargetOriginId"] == api["TargetOriginId"]
    assert auth["CachePolicyId"] == CACHING_DISABLED
    assert set(auth["AllowedMethods"]) == set(api["AllowedMethods"])
    assert auth["ResponseHeadersPolicyId"] == api["ResponseHeadersPolicyId"]
    policy = synth.resources[auth["OriginRequestPolicyId"]["Ref"]]["Properties"]["OriginRequestPolicyConfig"]
    assert policy["CookiesConfig"] == {"CookieBehavior": "whitelist", "Cookies": [SESSION_COOKIE_NAME]}
    assert policy["HeadersConfig"] == {"HeaderBehavior": "allExcept", "Headers": ["Host"]}
    assert policy["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    # The viewer's host reaches the CSRF check in a header a viewer cannot set (the function overwrites it).
    (assoc,) = auth["FunctionAssociations"]
    assert assoc["EventType"] == "viewer-request"
    (function,) = [
        f["Properties"]
        for f in synth.of_type("AWS::CloudFront::Function").values()
        if "x-smartgrocer-site-host" in json.dumps(f["Properties"]["FunctionCode"])
    ]
    assert "request.headers.host" in function["FunctionCode"]


def test_cors_never_lets_another_origin_use_the_session_cookie(synth):
    # No credentials and no CSRF header in CORS: a cross-origin page can neither send the cookie with a
    # readable answer nor pass the CSRF check.
    for api in synth.of_type("AWS::ApiGatewayV2::Api").values():
        cors = api["Properties"].get("CorsConfiguration")
        if cors:
            assert not cors.get("AllowCredentials")
            assert "x-smartgrocer-csrf" not in [h.lower() for h in cors.get("AllowHeaders", [])]
