"""Compute: EC2 instances and Lambda functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import CENT, HOURS_PER_MONTH, MILLION, THOUSAND, Context, LineItem, Rule, as_number, single_block


def _ec2_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """EC2 instances: Linux on-demand hours by type, the root gp3 volume, and the public IPv4
    address when the instance asks for one."""
    instance_type = str(body.get("instance_type", ""))
    root = body.get("root_block_device")
    root = single_block(root)
    root = root if isinstance(root, dict) else {}
    volume = str(root.get("volume_type", "gp3"))
    # An AMI's root volume is 8 GB unless the resource sets volume_size (Amazon Linux 2023 AMIs).
    size = as_number(root.get("volume_size"), Decimal(8))
    items = [
        ctx.item(body, f"Instance hours ({instance_type}, Linux)", HOURS_PER_MONTH, f"ec2_instance_hour:{instance_type}"),
        ctx.item(body, f"Root volume ({volume})", size, f"ebs_{volume}_gb_month"),
    ]
    if body.get("associate_public_ip_address") is True:
        items.append(ctx.item(body, "Public IPv4 address hours", HOURS_PER_MONTH, "public_ipv4_hour"))
    return items


def _lambda(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    function = str(body.get("function_name", name))
    invocations = ctx.usage.number("lambda", "invocations", name=function)
    duration = ctx.usage.number("lambda", "average_duration_ms", name=function, scaled=False) / THOUSAND
    memory_gb = as_number(body.get("memory_size"), Decimal(128)) / Decimal(1024)
    arch = "arm64" if (body.get("architectures") or ["x86_64"])[0] == "arm64" else "x86_64"
    seconds = (invocations * duration * memory_gb).quantize(CENT)
    seconds -= ctx.free_part("lambda_gb_seconds", seconds)
    requests = invocations - ctx.free_part("lambda_requests", invocations)
    items = [
        ctx.item(body, f"Compute ({arch}, GB-seconds beyond the free tier)", seconds, f"lambda_gb_second:{arch}"),
        ctx.item(body, "Requests beyond the free tier (millions)", requests / MILLION, "lambda_requests_million"),
    ]
    tracing = body.get("tracing_config")
    tracing = single_block(tracing)
    if isinstance(tracing, dict) and tracing.get("mode") == "Active":
        # The default sampling rule records the first request each second and 5 % of the rest.
        traces = (invocations * ctx.usage.number("xray", "sampled_fraction", scaled=False)).quantize(Decimal(1))
        billed = traces - ctx.free_part("xray_traces", traces)
        items.append(
            ctx.item(body, "X-Ray traces recorded beyond the free 100,000 (millions)", billed / MILLION, "xray_traces_million")
        )
    return items


RULES: dict[str, Rule] = {
    "aws_instance": _ec2_instance,
    "aws_lambda_function": _lambda,
}
