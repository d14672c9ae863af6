"""Compute: EC2 instances, Auto Scaling groups and Lambda functions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import (
    CENT,
    HOURS_PER_MONTH,
    MILLION,
    THOUSAND,
    Context,
    LineItem,
    MissingInput,
    Rule,
    as_number,
    single_block,
)
from gates.cost_rules.block_storage import optional_number, volume_items

# An AMI's root volume when the resource maps none: 8 GB gp3 (Amazon Linux 2023 AMIs).
AMI_ROOT_GB = Decimal(8)
AMI_ROOT_TYPE = "gp3"


def _ec2_instance(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """EC2 instances: Linux on-demand hours by type, the root gp3 volume, and the public IPv4
    address when the instance asks for one."""
    instance_type = str(body.get("instance_type", ""))
    root = body.get("root_block_device")
    root = single_block(root)
    root = root if isinstance(root, dict) else {}
    volume = str(root.get("volume_type", AMI_ROOT_TYPE))
    size = as_number(root.get("volume_size"), AMI_ROOT_GB)
    items = [
        ctx.item(body, f"Instance hours ({instance_type}, Linux)", HOURS_PER_MONTH, f"ec2_instance_hour:{instance_type}"),
        *volume_items(
            ctx, body, "Root volume", volume, size, optional_number(root.get("iops")), optional_number(root.get("throughput"))
        ),
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


def launch_source(ctx: Context, body: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The launch template or launch configuration a group launches from, when it is a resource
    of this file: its resource type ("aws_launch_template" or "aws_launch_configuration") and
    its body. None when the reference does not resolve in this file."""
    candidates: list[Any] = []
    template = single_block(body.get("launch_template"))
    if isinstance(template, dict):
        candidates += [template.get("id"), template.get("name")]
    mixed = single_block(body.get("mixed_instances_policy"))
    if isinstance(mixed, dict):
        spec = single_block((single_block(mixed.get("launch_template")) or {}).get("launch_template_specification"))
        if isinstance(spec, dict):
            candidates += [spec.get("launch_template_id"), spec.get("launch_template_name")]
    candidates.append(body.get("launch_configuration"))
    for reference in candidates:
        found = ctx.deref(reference)
        if found is not None:
            return str(reference).split(".")[0].lstrip("${"), found
    return None


def _override_type(body: dict[str, Any]) -> str | None:
    """The first instance type a mixed-instances policy overrides the template with."""
    mixed = single_block(body.get("mixed_instances_policy"))
    template = single_block(mixed.get("launch_template")) if isinstance(mixed, dict) else None
    overrides = template.get("override") if isinstance(template, dict) else None
    if isinstance(overrides, list) and overrides and isinstance(overrides[0], dict) and overrides[0].get("instance_type"):
        return str(overrides[0]["instance_type"])
    return None


def _block_volume(ctx: Context, body: dict[str, Any], label: str, block: dict[str, Any], count: Decimal) -> list[LineItem]:
    """A volume described by an ebs or root_block_device block, the AMI's root defaults where it is silent."""
    return volume_items(
        ctx,
        body,
        label,
        str(block.get("volume_type", AMI_ROOT_TYPE)),
        as_number(block.get("volume_size"), AMI_ROOT_GB),
        optional_number(block.get("iops")),
        optional_number(block.get("throughput")),
        count,
    )


def launched_volumes(ctx: Context, body: dict[str, Any], kind: str, source: dict[str, Any], count: Decimal) -> list[LineItem]:
    """The EBS volumes each instance of a launch template or configuration gets; the AMI's root
    volume when the template maps none."""
    items: list[LineItem] = []
    if kind == "aws_launch_template":
        for mapping in source.get("block_device_mappings") or []:
            ebs = single_block(mapping.get("ebs")) if isinstance(mapping, dict) else None
            if isinstance(ebs, dict) and "volume_size" in ebs:
                label = f"Volume {mapping.get('device_name') or '(unnamed)'} per instance x {count}"
                items += _block_volume(ctx, body, label, ebs, count)
    else:
        root = single_block(source.get("root_block_device"))
        if isinstance(root, dict):
            items += _block_volume(ctx, body, f"Root volume per instance x {count}", root, count)
    if not items:
        items = volume_items(ctx, body, f"AMI root volume per instance x {count}", AMI_ROOT_TYPE, AMI_ROOT_GB, count=count)
    return items


def _autoscaling_group(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """The instances a group keeps running: desired_capacity (min_size when unset) times the
    on-demand Linux hour of the instance type its launch template or configuration names, and
    their volumes. The template is priced here, on the group, and is free by itself."""
    count = as_number(body.get("desired_capacity"), as_number(body.get("min_size"), Decimal(0)))
    source = launch_source(ctx, body)
    if source is None:
        raise MissingInput(
            "the group's launch template or launch configuration is not a resource of this file "
            "(it must be referenced as ${aws_launch_template.<name>.id} or "
            "${aws_launch_configuration.<name>.name}), so its instance type is unknown"
        )
    kind, launch = source
    instance_type = _override_type(body) or launch.get("instance_type")
    if not instance_type:
        raise MissingInput(f"the group's {kind} sets no instance_type, so the instances' hourly price is unknown")
    return [
        ctx.item(
            body,
            f"Instance hours ({count} x {instance_type}, Linux, on-demand)",
            count * HOURS_PER_MONTH,
            f"ec2_instance_hour:{instance_type}",
        ),
        *launched_volumes(ctx, body, kind, launch, count),
    ]


RULES: dict[str, Rule] = {
    "aws_autoscaling_group": _autoscaling_group,
    "aws_instance": _ec2_instance,
    "aws_lambda_function": _lambda,
}
