"""examples/two-services.ts in Python: the two-service stack of examples/service-stack.ts (per
service the whole Switchback kit on the service's existing load balancer, a CI role that may write
artifacts, on-call operators, a database backed up before each release), and a second stack with what
crosses the language boundary beyond props: a store defined elsewhere, composition after construction
and a policy rule written in Python.

npm run test:bindings synthesizes it with the built cdktf-switchback wheel and checks the Terraform
JSON, and the policy findings printed last, equal the TypeScript run's.
"""
import json
import os
from typing import Any, List, Optional

import jsii

from cdktf import App, TerraformOutput, TerraformStack, TerraformVariable
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from constructs import Construct

from cdktf_switchback import (
    BlueGreenListener,
    BlueGreenListenerOptions,
    BlueGreenPair,
    CheckedResource,
    CheckResult,
    CheckSeverity,
    Color,
    HealthCheckOptions,
    HttpRedirectOptions,
    ICheckRule,
    IStackResources,
    ListenerRole,
    ListenerRuleOptions,
    RollbackAlarms,
    RollbackWatchdog,
    RollbackWatchdogOptions,
    SwitchbackAlarmsOptions,
    SwitchbackBackupOptions,
    SwitchbackChecks,
    SwitchbackService,
    TestListenerOptions,
    VersionedArtifactStore,
)


class ExampleService(Construct):
    """One service: the whole Switchback kit in one line, plus what this app adds around it."""

    def __init__(
        self,
        scope: Construct,
        service_name: str,
        *,
        vpc_id: str,
        certificate_arn: str,
        ci_role: IamRole,
        release_id: str,
        on_call_role_arn: str,
        canary_weight_percent: int,
        database_arn: Optional[str] = None,
    ) -> None:
        super().__init__(scope, service_name)
        # Declared on the stack, so the variable keeps a readable name: <service>_load_balancer_arn.
        load_balancer_arn = TerraformVariable(
            TerraformStack.of(self),
            f"{service_name}_load_balancer_arn",
            type="string",
            description=f"The ARN of the application load balancer in front of {service_name}.",
        )

        backup = (
            SwitchbackBackupOptions(resource_arns=[database_arn], backup_before_release=True)
            if database_arn is not None
            else None
        )
        service = SwitchbackService(
            self,
            "Switchback",
            service_name=service_name,
            release_id=release_id,
            load_balancer_arn=load_balancer_arn.string_value,
            vpc_id=vpc_id,
            certificate_arn=certificate_arn,
            listener=BlueGreenListenerOptions(
                http_redirect=HttpRedirectOptions(),
                test_listener=TestListenerOptions(port=8443),
                target_port=8080,
                health_check=HealthCheckOptions(path="/healthz"),
                active_color=Color.BLUE,
                canary_weight_percent=canary_weight_percent,
                rules=[ListenerRuleOptions(priority=10, path_patterns=["/api/*"])],
            ),
            alarms=SwitchbackAlarmsOptions(error_rate_percent=2, p99_latency_seconds=1.5, required_breaches=2),
            watchdog=RollbackWatchdogOptions(operator_role_arns=[on_call_role_arn], evaluation_window_minutes=60),
            backup=backup,
        )
        service.store.grant_write(ci_role, f"{service.store.key_prefixes.artifacts}{service_name}/")

        TerraformOutput(self, "listener_arn", value=service.listener.listener_arn)
        TerraformOutput(self, "blue_target_group_arn", value=service.listener.blue_target_group_arn)
        TerraformOutput(self, "green_target_group_arn", value=service.listener.green_target_group_arn)
        TerraformOutput(self, "artifact_bucket", value=service.store.bucket_name)
        TerraformOutput(self, "watchdog_function", value=service.watchdog.function.function_name)
        TerraformOutput(self, "rollback_alarm", value=service.alarms.composite_alarm_name)


class ExampleStack(TerraformStack):
    """A realistic service stack: the Switchback kit for a set of services."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        service_names: List[str],
        release_id: str,
        region: str = "us-east-1",
        canary_weight_percent: int = 10,
    ) -> None:
        super().__init__(scope, id)
        AwsProvider(
            self,
            "aws",
            region=region,
            default_tags=[AwsProviderDefaultTags(tags={"managed-by": "cdktf", "rollback-kit": "switchback"})],
        )
        vpc_id = TerraformVariable(self, "vpc_id", type="string", description="The VPC the services run in.")
        certificate_arn = TerraformVariable(
            self,
            "certificate_arn",
            type="string",
            description="The ACM certificate of the services\u2019 HTTPS listeners.",
        )
        ci_oidc_provider_arn = TerraformVariable(
            self,
            "ci_oidc_provider_arn",
            type="string",
            description="The IAM OIDC provider the CI pipeline authenticates with (e.g. GitHub Actions).",
        )
        # The CI pipeline publishes artifacts; it may write them but never rewrite manifests or audit records.
        ci_trust = DataAwsIamPolicyDocument(
            self,
            "ci_trust",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    effect="Allow",
                    actions=["sts:AssumeRoleWithWebIdentity"],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(
                            type="Federated", identifiers=[ci_oidc_provider_arn.string_value]
                        )
                    ],
                )
            ],
        )
        ci_role = IamRole(self, "ci_publisher", name_prefix="switchback-ci-", assume_role_policy=ci_trust.json)
        on_call_role_arn = TerraformVariable(
            self,
            "on_call_role_arn",
            type="string",
            description="The role on-call engineers assume to roll back or promote by hand.",
        )
        orders_database_arn = TerraformVariable(
            self,
            "checkout_database_arn",
            type="string",
            description="The RDS database of the checkout service (backed up daily and before each release).",
        )
        for service_name in service_names:
            ExampleService(
                self,
                service_name,
                vpc_id=vpc_id.string_value,
                certificate_arn=certificate_arn.string_value,
                ci_role=ci_role,
                release_id=release_id,
                on_call_role_arn=on_call_role_arn.string_value,
                canary_weight_percent=canary_weight_percent,
                database_arn=orders_database_arn.string_value if service_name == "checkout" else None,
            )


@jsii.implements(ICheckRule)
class TeamTagRule:
    """A rule of the app's own: every SNS topic carries a `team` tag."""

    @property
    def id(self) -> str:
        return "ACME-TAGS-1"

    @property
    def severity(self) -> CheckSeverity:
        return CheckSeverity.WARNING

    @property
    def reason(self) -> str:
        return "SNS topic has no team tag"

    @property
    def applies_to(self) -> List[str]:
        return ["aws_sns_topic"]

    def check(self, resource: CheckedResource, stack: IStackResources) -> CheckResult:
        tags: Any = resource.config.get("tags")
        if isinstance(tags, dict) and tags.get("team"):
            return CheckResult.compliant()
        return CheckResult.non_compliant("no tags.team")


def finding_json(finding: Any) -> dict:
    """A finding as TypeScript's JSON.stringify writes it."""
    found = {
        "ruleId": finding.rule_id,
        # A jsii enum's Python value is its member's name; TypeScript prints the string it stands for.
        "severity": finding.severity.name.lower(),
        "reason": finding.reason,
        "detail": finding.detail,
        "constructPath": finding.construct_path,
        "address": finding.address,
    }
    if finding.suppressed_because is not None:
        found["suppressedBecause"] = finding.suppressed_because
    return found


LOAD_BALANCER_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders/50dc6c495c0c9188"
release_id = os.environ.get("SWITCHBACK_RELEASE_ID", "local")
app = App()
ExampleStack(
    app,
    "switchback-example",
    service_names=["checkout", "catalog"],
    release_id=release_id,
    canary_weight_percent=10,
)

extras = TerraformStack(app, "switchback-extras")
AwsProvider(extras, "aws", region="us-east-1")
store = VersionedArtifactStore.from_artifact_store_attributes(
    extras, "Store", service_name="orders", bucket_name="orders-artifacts"
)
listener = BlueGreenListener(
    extras,
    "Orders",
    service_name="orders",
    load_balancer_arn=LOAD_BALANCER_ARN,
    vpc_id="vpc-0123456789abcdef0",
    test_listener=TestListenerOptions(),
)
listener.add_rule(priority=20, path_patterns=["/v2/*"])
alarms = RollbackAlarms(
    extras,
    "Alarms",
    service_name="orders",
    load_balancer_arn_suffix="app/orders/50dc6c495c0c9188",
    target_group_arn_suffix=listener.green_target_group.arn_suffix,
)
watchdog = RollbackWatchdog(extras, "Watchdog", store=store, release_id=release_id)
watchdog.add_listener(listener)
watchdog.add_protected_listener(
    name="internal",
    role=ListenerRole.PRODUCTION,
    listener_arn="arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/orders-internal/6d0ecf831eec9f09/1a2b3c4d5e6f7a8b",
    target_group_names=BlueGreenPair(blue="orders-internal-blue", green="orders-internal-green"),
)
for alarm in alarms.protected_alarms:
    watchdog.add_alarm(name=alarm.name, arn=alarm.arn)
alarms.add_watchdog(watchdog)
SnsTopic(extras, "Releases", name="orders-releases", kms_master_key_id="alias/aws/sns", tags={"team": "orders"})
checks = SwitchbackChecks.apply_to(extras, custom_rules=[TeamTagRule()])

app.synth()
print("FINDINGS " + json.dumps([finding_json(finding) for finding in checks.findings]))
