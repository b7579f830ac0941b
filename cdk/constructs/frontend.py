"""CloudFront in front of everything: the SPA at `/`, the API at `/api/*`, product photos at
`/images/*`. Both buckets stay private and are read through origin access control (OAC)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from cdk.config import StageConfig
from cdk.constructs.api import HttpApi
from cdk.constructs.storage import Storage, secure_bucket
from smartgrocer.routes import SESSION_COOKIE_NAME, SESSION_COOKIE_PATH

# Client-side routes (no file extension in the last segment) get the app shell; files pass through.
# Done per request on the SPA behavior only, so a 404 from /api/* reaches the client as a 404.
SPA_ROUTING_JS = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""

# `/images/products/<id>/<file>` is stored as `products/<id>/<file>`: drop the routing prefix.
IMAGES_PREFIX_JS = """\
function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/images\\//, '/');
  return request;
}
"""

# The cookie routes compare a request's Origin with the host the viewer asked for (smartgrocer.web.csrf);
# behind CloudFront the API sees its own execute-api Host, so the viewer's is passed on in a header that
# this function always overwrites (a viewer cannot choose it).
SITE_HOST_JS = """\
function handler(event) {
  var request = event.request;
  request.headers['x-smartgrocer-site-host'] = { value: request.headers.host ? request.headers.host.value : '' };
  return request;
}
"""

# Same value the API's Lambdas send (smartgrocer.web.app.SECURITY_HEADERS).
HSTS_MAX_AGE = Duration.seconds(31_536_000)


def spa_content_security_policy(upload_origins: list[str]) -> str:
    """The app shell's CSP: everything from our own origin (SPA assets, /api, /images), Stripe.js and
    its frames for the lazily loaded Payment Element, and the presigned POST of a product photo, which
    goes straight to the images bucket."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' https://js.stripe.com",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src " + " ".join(["'self'", "https://api.stripe.com", *upload_origins]),
            "frame-src https://js.stripe.com https://hooks.stripe.com",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _security_headers(
    *, override: bool, referrer_policy: cloudfront.HeadersReferrerPolicy, content_security_policy: str | None = None
) -> cloudfront.ResponseSecurityHeadersBehavior:
    return cloudfront.ResponseSecurityHeadersBehavior(
        strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
            access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=override
        ),
        content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=override),
        frame_options=cloudfront.ResponseHeadersFrameOptions(
            frame_option=cloudfront.HeadersFrameOption.DENY, override=override
        ),
        referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(referrer_policy=referrer_policy, override=override),
        content_security_policy=None
        if content_security_policy is None
        else cloudfront.ResponseHeadersContentSecurityPolicy(
            content_security_policy=content_security_policy, override=override
        ),
    )


class Frontend(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        api: HttpApi,
        storage: Storage,
        web_dist: Path,
        origin_header: tuple[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.spa_bucket = secure_bucket(
            self, "SpaBucket", config=config, access_logs=storage.access_logs, log_prefix="s3/spa/"
        )
        oac = cloudfront.S3OriginAccessControl(self, "OriginAccessControl", signing=cloudfront.Signing.SIGV4_ALWAYS)
        spa_origin = origins.S3BucketOrigin.with_origin_access_control(self.spa_bucket, origin_access_control=oac)
        # Addressed by name (see Storage); its bucket policy is added by Storage.allow_cloudfront_reads.
        images_by_name = s3.Bucket.from_bucket_attributes(
            self, "ImagesBucketByName", bucket_name=storage.images_bucket_name, region=Stack.of(self).region
        )
        images_origin = origins.S3BucketOrigin.with_origin_access_control(
            images_by_name, origin_access_control=oac, origin_access_levels=[cloudfront.AccessLevel.READ]
        )
        api_origin = origins.HttpOrigin(
            api.endpoint_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
            # Proves to the functions that the request came through this distribution (the execute-api
            # endpoint is public); CloudFront replaces any viewer-sent header of the same name.
            custom_headers=dict([origin_header]),
        )

        # The bucket's global and regional virtual-hosted endpoints (boto3 picks one by region).
        bucket, region = storage.images_bucket_name, Stack.of(self).region
        upload_origins = [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region}.amazonaws.com"]
        self.spa_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SpaHeaders",
            comment="SPA: HSTS, nosniff, no framing, CSP (self + Stripe + photo uploads)",
            security_headers_behavior=_security_headers(
                override=True,
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                content_security_policy=spa_content_security_policy(upload_origins),
            ),
        )
        self.images_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "ImagesHeaders",
            comment="Product photos: HSTS, nosniff, no framing",
            security_headers_behavior=_security_headers(
                override=True,
                referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                content_security_policy="default-src 'none'; img-src 'self'; frame-ancestors 'none'",
            ),
        )
        # API Gateway's own answers (unknown route 404, 413, 429, 504) get what the Lambdas always send;
        # override=False so a header the function set is passed through unchanged.
        self.api_headers = cloudfront.ResponseHeadersPolicy(
            self,
            "ApiHeaders",
            comment="API: the Lambda security headers, also on API Gateway's own errors",
            security_headers_behavior=_security_headers(
                override=False,
                referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER,
                content_security_policy="default-src 'none'; frame-ancestors 'none'",
            ),
            custom_headers_behavior=cloudfront.ResponseCustomHeadersBehavior(
                custom_headers=[
                    cloudfront.ResponseCustomHeader(header="Cache-Control", value="no-store", override=False)
                ]
            ),
        )

        api_behavior = dict(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
            response_headers_policy=self.api_headers,
        )
        # /api/auth/*: never cached; besides what every API call gets (all viewer headers but Host, so
        # Authorization too; the query string) only the session cookie is forwarded, no other cookie.
        session_requests = cloudfront.OriginRequestPolicy(
            self,
            "SessionRequests",
            comment="/api/auth/*: viewer headers except Host, the session cookie only",
            header_behavior=cloudfront.OriginRequestHeaderBehavior.deny_list("Host"),
            cookie_behavior=cloudfront.OriginRequestCookieBehavior.allow_list(SESSION_COOKIE_NAME),
            query_string_behavior=cloudfront.OriginRequestQueryStringBehavior.all(),
        )

        # Catalog reads honour the API's Cache-Control (no max-age: not cached). Authorization is in
        # the key so a signed-in response is never served to anyone else.
        catalog_cache = cloudfront.CachePolicy(
            self,
            "CatalogCache",
            comment="GET /api/products*: honour origin Cache-Control",
            default_ttl=Duration.seconds(0),
            min_ttl=Duration.seconds(0),
            max_ttl=Duration.minutes(5),
            header_behavior=cloudfront.CacheHeaderBehavior.allow_list("Authorization"),
            query_string_behavior=cloudfront.CacheQueryStringBehavior.all(),
            cookie_behavior=cloudfront.CacheCookieBehavior.none(),
            enable_accept_encoding_gzip=True,
            enable_accept_encoding_brotli=True,
        )

        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"SmartGrocer Cloud ({config.stage})",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=spa_origin,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.spa_headers,
                function_associations=[_viewer_request(self, "SpaRouting", SPA_ROUTING_JS)],
            ),
            additional_behaviors={  # first match wins: sessions and the catalog before the rest of /api
                f"{SESSION_COOKIE_PATH}/*": cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=session_requests,
                    response_headers_policy=self.api_headers,
                    function_associations=[_viewer_request(self, "SiteHost", SITE_HOST_JS)],
                ),
                "/api/products*": cloudfront.BehaviorOptions(**api_behavior, cache_policy=catalog_cache),
                "/api/*": cloudfront.BehaviorOptions(
                    **api_behavior, cache_policy=cloudfront.CachePolicy.CACHING_DISABLED
                ),
                "/images/*": cloudfront.BehaviorOptions(
                    origin=images_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=self.images_headers,
                    function_associations=[_viewer_request(self, "ImagesPrefix", IMAGES_PREFIX_JS)],
                ),
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=storage.access_logs,
            log_file_prefix="cloudfront/",
            web_acl_id=config.web_acl_arn,
            **_custom_domain(self, config),
        )
        self.domain_name = config.domain_name or self.distribution.distribution_domain_name
        self.origin = f"https://{self.domain_name}"
        self.images_base_url = f"{self.origin}/images"

        storage.allow_cloudfront_reads(self.distribution.distribution_arn)
        storage.allow_browser_uploads_from([self.origin, *config.dev_origins])

        self.deployment = None
        if (web_dist / "index.html").is_file():  # a built SPA (`npm run build` in web/)
            self.deployment = s3deploy.BucketDeployment(
                self,
                "SpaDeployment",
                sources=[s3deploy.Source.asset(str(web_dist))],
                destination_bucket=self.spa_bucket,
                distribution=self.distribution,
                distribution_paths=["/*"],
                memory_limit=512,
                prune=True,
            )


def _viewer_request(scope: Construct, id: str, code: str) -> cloudfront.FunctionAssociation:
    function = cloudfront.Function(
        scope, id, code=cloudfront.FunctionCode.from_inline(code), runtime=cloudfront.FunctionRuntime.JS_2_0
    )
    return cloudfront.FunctionAssociation(function=function, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)


def _custom_domain(scope: Construct, config: StageConfig) -> dict:
    if not config.domain_name:
        return {}
    return dict(
        domain_names=[config.domain_name],
        certificate=acm.Certificate.from_certificate_arn(scope, "Certificate", config.certificate_arn),
        minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    )
