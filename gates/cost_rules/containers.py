"""Containers: ECS services on Fargate, EKS clusters and node groups, ECR repositories."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import HOURS_PER_MONTH, Context, LineItem, MissingInput, Rule, as_number, single_block
from gates.cost_rules.block_storage import volume_items
from gates.cost_rules.compute import launch_source, launched_volumes

# Task-definition cpu is in CPU units, 1,024 to a vCPU; memory in MiB (ECS Developer Guide,
# "Task definition parameters").
CPU_UNITS_PER_VCPU = Decimal(1024)
MIB_PER_GB = Decimal(1024)
# EKS managed node groups without a launch template: t3.medium instances with 20 GiB gp2 disks
# unless instance_types and disk_size say otherwise (EKS API, CreateNodegroup).
EKS_DEFAULT_INSTANCE_TYPE = "t3.medium"
EKS_DEFAULT_DISK_GB = Decimal(20)
EKS_DEFAULT_DISK_TYPE = "gp2"


def _fargate_service(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """Fargate tasks: the task definition's vCPU and memory times desired_count, every hour of
    the month. Services on the EC2 launch type run on instances priced on their group."""
    strategies = body.get("capacity_provider_strategy") or []
    providers = {str(s.get("capacity_provider")) for s in strategies if isinstance(s, dict)}
    if body.get("launch_type", "FARGATE" if providers & {"FARGATE", "FARGATE_SPOT"} else "EC2") != "FARGATE":
        return []
    if "FARGATE_SPOT" in providers:
        raise MissingInput("Fargate Spot capacity is not in the price catalogue; price the service as FARGATE or add the rows")
    task = ctx.deref(body.get("task_definition"))
    if task is None:
        raise MissingInput(
            "the service's task definition is not a resource of this file (reference it as "
            "${aws_ecs_task_definition.<name>.arn}), so its vCPU and memory are unknown"
        )
    if "cpu" not in task or "memory" not in task:
        raise MissingInput("the task definition sets no task-level cpu and memory, which Fargate requires and bills")
    # Terraform's default desired_count is 0: the service runs nothing until something scales it.
    tasks = as_number(body.get("desired_count"), Decimal(0))
    vcpu = as_number(task.get("cpu"), Decimal(0)) / CPU_UNITS_PER_VCPU
    memory_gb = as_number(task.get("memory"), Decimal(0)) / MIB_PER_GB
    platform = single_block(task.get("runtime_platform"))
    arm = isinstance(platform, dict) and str(platform.get("cpu_architecture", "")).upper() == "ARM64"
    arch = "arm64" if arm else "x86_64"
    return [
        ctx.item(
            body, f"vCPU-hours ({tasks} tasks x {vcpu} vCPU, {arch})", tasks * vcpu * HOURS_PER_MONTH, f"fargate_vcpu_hour:{arch}"
        ),
        ctx.item(
            body,
            f"Memory GB-hours ({tasks} tasks x {memory_gb} GB, {arch})",
            tasks * memory_gb * HOURS_PER_MONTH,
            f"fargate_gb_hour:{arch}",
        ),
    ]


def _eks_cluster(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    # Standard support; a version past its standard support window is billed at the extended
    # rate (Amazon EKS pricing page), which the catalogue does not price.
    policy = single_block(body.get("upgrade_policy"))
    if isinstance(policy, dict) and policy.get("support_type") == "EXTENDED":
        raise MissingInput("EKS extended support (upgrade_policy support_type EXTENDED) is not in the price catalogue")
    return [ctx.item(body, "Cluster hours (standard support)", HOURS_PER_MONTH, "eks_cluster_hour")]


def _eks_node_group(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    """scaling_config desired_size instances of instance_types[0] (the type the group launches
    first), on demand, with their disks; from the launch template when the group names one."""
    scaling = single_block(body.get("scaling_config")) or {}
    count = as_number(scaling.get("desired_size"), Decimal(1))
    source = launch_source(ctx, body)
    types = body.get("instance_types") or []
    instance_type = str(types[0]) if types else ""
    if not instance_type and source is not None:
        instance_type = str(source[1].get("instance_type") or "")
    if not instance_type:
        if single_block(body.get("launch_template")):
            raise MissingInput(
                "the node group's launch template is not a resource of this file and the group sets no instance_types"
            )
        instance_type = EKS_DEFAULT_INSTANCE_TYPE
    if body.get("capacity_type") == "SPOT":
        raise MissingInput("Spot node groups are billed at the Spot price, which the catalogue does not have")
    items = [
        ctx.item(
            body,
            f"Instance hours ({count} x {instance_type}, Linux, on-demand)",
            count * HOURS_PER_MONTH,
            f"ec2_instance_hour:{instance_type}",
        )
    ]
    if source is not None:
        return items + launched_volumes(ctx, body, source[0], source[1], count)
    disk = as_number(body.get("disk_size"), EKS_DEFAULT_DISK_GB)
    return items + volume_items(ctx, body, f"Node disk per instance x {count}", EKS_DEFAULT_DISK_TYPE, disk, count=count)


def _ecr_repository(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    gb = ctx.usage.number("ecr", "storage_gb", name=str(body.get("name", name)))
    return [ctx.item(body, "Image storage", gb, "ecr_storage_gb_month")]


RULES: dict[str, Rule] = {
    "aws_ecs_service": _fargate_service,
    "aws_eks_cluster": _eks_cluster,
    "aws_eks_node_group": _eks_node_group,
    "aws_ecr_repository": _ecr_repository,
}
