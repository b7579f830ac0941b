"""The SmartGrocer Cloud stack: builds each capability once and wires them together.

Everything per endpoint comes from the route table (`smartgrocer.routes`); the only place that
turns an `Access` value into permissions is `access_grants` below.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnOutput, FileSystem, Stack, Tags, triggers
from constructs import Construct

from cdk import FUNCTIONS_BUILD_DIR, FUNCTIONS_DIR, LAYER_BUILD_DIR, LAYER_SOURCE, WEB_DIST_DIR
from cdk.config import StageConfig
from cdk.constructs.api import HttpApi
from cdk.constructs.events import OrderEvents
from cdk.constructs.frontend import Frontend
from cdk.constructs.functions import AppFunctions, SharedLayer
from cdk.constructs.mail import Mail
from cdk.constructs.observability import Observability
from cdk.constructs.secrets import AppSecrets
from cdk.constructs.storage import Storage
from smartgrocer.routes import ROUTES, Access

ORIGIN_HEADER = "X-Origin-Verify"  # smartgrocer.web.origin.HEADER (API Gateway lower-cases it)


class SmartGrocerStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config: StageConfig,
        functions_dir: Path = FUNCTIONS_BUILD_DIR,
        layer_dir: Path = LAYER_BUILD_DIR,
        web_dist: Path = WEB_DIST_DIR,
        functions_source: Path | None = FUNCTIONS_DIR,
        **kwargs,
    ) -> None:
        # Compact JSON: with one Lambda per endpoint the indented template nears CloudFormation's 1 MB.
        kwargs.setdefault("suppress_template_indentation", True)
        super().__init__(scope, id, **kwargs)
        self.config = config
        prefix = self.stack_name.lower()
        Tags.of(self).add("app", "smartgrocer")
        Tags.of(self).add("stage", config.stage)

        self.secrets = AppSecrets(self, "Secrets", config=config, name_prefix=f"smartgrocer/{config.stage}")
        self.storage = Storage(self, "Storage", config=config, name_prefix=prefix)
        self.events = OrderEvents(self, "Events", config=config, name_prefix=prefix)
        self.mail = Mail(self, "Mail", config=config, name_prefix=prefix)
        # Same-origin under CloudFront needs no CORS; only a custom domain and local dev servers do.
        self.api = HttpApi(
            self,
            "Api",
            config=config,
            name_prefix=prefix,
            cors_origins=[o for o in (config.custom_origin, *config.dev_origins) if o],
        )
        self.frontend = Frontend(
            self,
            "Frontend",
            config=config,
            api=self.api,
            storage=self.storage,
            web_dist=web_dist,
            origin_header=(ORIGIN_HEADER, self.secrets.origin_header_value(config.origin_secret_version)),
        )

        access_grants = {
            Access.MONGO: self.secrets.grant_mongo,
            Access.JWT: self.secrets.grant_jwt,
            Access.PAYMENTS: self.secrets.grant_payments,
            Access.PAYMENT_WEBHOOK: self.secrets.grant_payment_webhook,
            Access.IMAGES_UPLOAD: self.storage.grant_upload,
            Access.IMAGES_CHECK: self.storage.grant_check,
            Access.EVENTS: self.events.grant_publish,
            Access.MAIL: self.mail.grant_send,
        }
        layer_dir = layer_dir.resolve()
        self.layer = SharedLayer(self, "SharedLayer", build_dir=layer_dir, package_source=LAYER_SOURCE / "smartgrocer")
        self.functions = AppFunctions(
            self,
            "Functions",
            functions_dir=functions_dir,
            layer=self.layer.layer,
            config=config,
            grants=access_grants,
            function_prefix=prefix,
            functions_source=functions_source,
            # Public configuration: product writes check photo URLs against it.
            shared_environment={
                "IMAGES_BASE_URL": self.frontend.images_base_url,
                # The site's own origin, always: reset links in mail must never follow a request's Origin header.
                "SITE_URL": self.frontend.origin,
            },
        )

        for route in ROUTES:  # only CloudFront reaches the API: every HTTP function checks its header
            self.secrets.grant_origin_verify(self.functions[route.name].function)
        self.api.add_routes(self.functions)
        self.events.deliver_order_events_to(self.functions["notifier"].function)
        self.events.run_on_schedule(self.functions["orders_expire"].function)
        self._apply_indexes_on_deploy(layer_dir)

        self.observability = Observability(
            self,
            "Observability",
            config=config,
            name_prefix=prefix,
            api=self.api,
            functions=self.functions,
            dead_letters=self.events.notifier_dead_letters,
        )

        CfnOutput(self, "Url", value=self.frontend.origin, description="The SPA; the API is under /api")
        CfnOutput(self, "DistributionId", value=self.frontend.distribution.distribution_id)
        CfnOutput(
            self,
            "ApiEndpoint",
            value=self.api.api.api_endpoint,
            description="Direct API Gateway endpoint: answers 403 without CloudFront's origin header",
        )
        CfnOutput(self, "SpaBucketName", value=self.frontend.spa_bucket.bucket_name)
        CfnOutput(self, "ImagesBucketName", value=self.storage.images.bucket_name)
        CfnOutput(self, "ApplyIndexesFunction", value=self.functions["apply_indexes"].function.function_name)
        for secret in self.secrets.all:
            CfnOutput(self, f"{secret.node.id}SecretName", value=secret.secret_name)

    def _apply_indexes_on_deploy(self, layer_dir: Path) -> None:
        """Run apply_indexes whenever its code, the layer that declares the indexes, or the
        `index_nonce` context changes. Asynchronous: the first deploy happens before ops have put the
        MongoDB URI into its secret, and a failed index run must not roll back the stack (it alarms)."""
        fn = self.functions["apply_indexes"].function
        fn.add_environment("INDEXES_REVISION", FileSystem.fingerprint(str(layer_dir))[:16] + self.config.index_nonce)
        triggers.Trigger(
            self,
            "ApplyIndexesOnDeploy",
            handler=fn,
            execute_on_handler_change=True,
            invocation_type=triggers.InvocationType.EVENT,
        )
