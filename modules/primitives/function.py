"""One Lambda function from a `lambda_src/` folder: its package, role, log group and limits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from constructs import Construct

from modules.core.aws import cloudwatch_log_group, iam_role, iam_role_policy, lambda_function, sqs_queue
from modules.core.findings import accept
from modules.core.framework import AssetType, TerraformAsset
from modules.core.identity import AccountContext
from modules.core.kms import EncryptionKey
from modules.core.logs import accept_short_retention
from modules.primitives.lambda_package import build

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
# The newest Python runtime Lambda offers on arm64 (Lambda runtimes table, 2026-11).
PYTHON_RUNTIME = "python3.13"


@dataclass(frozen=True, kw_only=True)
class FunctionProps:
    """name: function name. source: folder under lambda_src/. memory_mb / timeout_seconds /
    reserved_concurrency: limits. environment: plain settings, never secrets (they are
    visible to anyone who can read the function). key: encrypts the environment and the
    log group. log_retention_days: retention. build_dir: where the zip is written before
    synthesis copies it into the stack. dead_letter_queue: for asynchronous invocations.
    subnet_ids / security_group_ids: run in the VPC; default outside it.
    runtime: a Lambda runtime; python* runs handler.handler from handler.py (with
    lambda_src/shared/), nodejs* runs the handler export of index.mjs.
    """

    name: str
    source: str
    memory_mb: int
    timeout_seconds: int
    reserved_concurrency: int
    environment: dict[str, str]
    key: EncryptionKey
    log_retention_days: int
    build_dir: Path
    dead_letter_queue: sqs_queue.SqsQueue | None = None
    subnet_ids: list[str] = field(default_factory=list)
    security_group_ids: list[str] = field(default_factory=list)
    runtime: str = PYTHON_RUNTIME


class Function(Construct):
    """arm64, X-Ray tracing, JSON logs to its own encrypted group, and a role that starts empty."""

    def __init__(self, scope: Construct, id: str, *, account: AccountContext, props: FunctionProps) -> None:
        super().__init__(scope, id)
        self.props = props
        target = props.build_dir / f"{props.source}.zip"
        family = "nodejs" if props.runtime.startswith("nodejs") else "python"
        self.code_hash = code_hash = build(LAMBDA_SRC / props.source, LAMBDA_SRC / "shared", target, family)
        asset = TerraformAsset(self, "package", path=str(target), type=AssetType.FILE)
        self.log_group = cloudwatch_log_group.CloudwatchLogGroup(
            self, "logs", name=f"/aws/lambda/{props.name}", retention_in_days=props.log_retention_days, kms_key_id=props.key.arn
        )
        self.role = iam_role.IamRole(
            self,
            "role",
            name=f"{props.name}-lambda",
            description=f"Runs {props.name}; every permission comes from a grant",
            assume_role_policy=account.assume_role_policy("lambda.amazonaws.com"),
        )
        statements: list[dict[str, object]] = [
            {
                "Sid": "WriteOwnLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{self.log_group.arn}:log-stream:*",
            },
            {
                # X-Ray has no resource-level permissions: AWS requires Resource "*" here.
                "Sid": "Tracing",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
            {"Sid": "DecryptEnvironment", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": props.key.arn},
        ]
        if props.dead_letter_queue is not None:
            statements.append(
                {"Sid": "DeadLetters", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": props.dead_letter_queue.arn}
            )
            statements.append(
                {
                    "Sid": "DeadLetterKey",
                    "Effect": "Allow",
                    "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                    "Resource": props.key.arn,
                }
            )
        if props.subnet_ids:
            statements.append(
                {
                    # Creating and removing the function's network interfaces has no
                    # resource-level permissions either (Lambda VPC documentation).
                    "Sid": "VpcNetworkInterfaces",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:CreateNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DeleteNetworkInterface",
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    "Resource": "*",
                }
            )
        iam_role_policy.IamRolePolicy(
            self,
            "runtime",
            name="runtime",
            role=self.role.id,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
        self.function = lambda_function.LambdaFunction(
            self,
            "function",
            function_name=props.name,
            role=self.role.arn,
            runtime=props.runtime,
            architectures=["arm64"],
            handler="index.handler" if family == "nodejs" else "handler.handler",
            filename=asset.path,
            source_code_hash=code_hash,
            memory_size=props.memory_mb,
            timeout=props.timeout_seconds,
            reserved_concurrent_executions=props.reserved_concurrency,
            kms_key_arn=props.key.arn,
            environment=lambda_function.LambdaFunctionEnvironment(variables=props.environment),
            tracing_config=lambda_function.LambdaFunctionTracingConfig(mode="Active"),
            logging_config=lambda_function.LambdaFunctionLoggingConfig(log_format="JSON", log_group=self.log_group.name),
            dead_letter_config=lambda_function.LambdaFunctionDeadLetterConfig(target_arn=props.dead_letter_queue.arn)
            if props.dead_letter_queue is not None
            else None,
            vpc_config=lambda_function.LambdaFunctionVpcConfig(
                subnet_ids=props.subnet_ids, security_group_ids=props.security_group_ids
            )
            if props.subnet_ids
            else None,
            depends_on=[self.log_group],
        )
        accept_short_retention(self.log_group, props.log_retention_days, f"The {props.name} function's logs")
        accept(
            self.function,
            check="CKV_AWS_272",
            pin={},
            reason=f"The {props.name} package is built deterministically from lambda_src/ and pinned by its SHA-256 in the plan; code signing would add a signing profile without adding a check the hash does not already make.",
        )
        if props.dead_letter_queue is None:
            accept(
                self.function,
                check="CKV_AWS_116",
                pin={},
                reason=f"Nothing invokes {props.name} asynchronously: callers get its errors directly, and a dead-letter queue only ever receives failed asynchronous events.",
            )
        if not props.subnet_ids:
            accept(
                self.function,
                check="CKV_AWS_117",
                pin={},
                reason=f"{props.name} calls AWS APIs over HTTPS only, so it runs outside the VPC and needs no NAT gateway; set in_vpc to place it in the private subnets.",
            )
