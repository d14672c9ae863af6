"""A Mermaid picture of one environment, drawn from its synthesized JSON (so it shows what will
be built, not what a document says): the network tiers, each component present, and the paths
data takes (viewer -> CloudFront -> bucket, client -> API -> function -> table or database,
bucket events -> function).

Written to `cdktf.out/reports/<env>/diagram.md`; code hosts render the fenced block.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gates.inputs import Stack

DIAGRAM_FILE = "diagram.md"
_REFERENCE = re.compile(r"\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.")
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
# Mermaid words that cannot be node ids.
_RESERVED = frozenset({"end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click", "linkStyle", "default"})

# The resources a reader looks for in a picture, and how each is called.
PRINCIPAL = {
    "aws_cloudfront_distribution": "CloudFront distribution",
    "aws_s3_bucket": "S3 bucket",
    "aws_api_gateway_rest_api": "API Gateway REST API",
    "aws_apigatewayv2_api": "API Gateway HTTP API",
    "aws_lambda_function": "Lambda function",
    "aws_dynamodb_table": "DynamoDB table",
    "aws_rds_cluster": "Aurora cluster",
    "aws_db_instance": "RDS instance",
    "aws_cognito_user_pool": "Cognito user pool",
    "aws_sqs_queue": "SQS queue",
    "aws_sesv2_email_identity": "SES identity",
    "aws_ses_domain_identity": "SES identity",
    "aws_route53_zone": "Route 53 zone",
    "aws_cloudtrail": "CloudTrail trail",
    "aws_secretsmanager_secret": "secret",
    "aws_wafv2_web_acl": "WAF web ACL",
    "aws_guardduty_detector": "GuardDuty detector",
    "aws_nat_gateway": "NAT gateway",
    "aws_sns_topic": "SNS topic",
}
_WRITES = re.compile(r":(Put|Write|Update|Delete|Create|Batch|Abort|Restore)", re.IGNORECASE)


def node_id(text: str) -> str:
    """A Mermaid-safe id: letters, digits and underscores, starting with a letter, never a keyword."""
    cleaned = _UNSAFE.sub("_", text)
    if not cleaned or not cleaned[0].isalpha() or cleaned in _RESERVED:
        cleaned = "n_" + cleaned
    return cleaned


def _label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _refs(value: Any) -> set[str]:
    return set(_REFERENCE.findall(value if isinstance(value, str) else json.dumps(value)))


@dataclass
class Picture:
    """What the diagram holds, before it is written as Mermaid (tests read both)."""

    groups: dict[str, tuple[str, list[tuple[str, str]]]] = field(default_factory=dict)  # id -> (title, [(node, label)])
    outside: list[tuple[str, str]] = field(default_factory=list)  # actors outside AWS
    edges: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (from, to, label, dashed)

    def edge(self, source: str, target: str, label: str, dashed: bool = False) -> None:
        if source != target and (source, target, label, dashed) not in self.edges:
            self.edges.append((source, target, label, dashed))


def _component(stack: Stack, address: str) -> str:
    below = stack.path_below_stack(address)
    return below.split("/", 1)[0] if below else "resources"


def _name(stack: Stack, address: str, body: dict[str, Any]) -> str:
    """A short human name: the construct path below the component, else the resource's name."""
    below = stack.path_below_stack(address) or ""
    parts = [p for p in below.split("/")[1:] if p not in ("bucket", "function", "table", "pool", "api", "cluster")]
    if parts:
        return "/".join(parts)
    for key in ("function_name", "name", "bucket", "cluster_identifier", "identifier", "comment"):
        if isinstance(body.get(key), str) and "${" not in body[key]:
            return str(body[key])
    return address.split(".", 1)[1]


def _tier(body: dict[str, Any]) -> str:
    tags = body.get("tags") if isinstance(body.get("tags"), dict) else {}
    tier = tags.get("tier") if isinstance(tags, dict) else None
    if isinstance(tier, str) and tier:
        return tier
    name = str(tags.get("Name", "")) if isinstance(tags, dict) else ""
    return next((t for t in ("public", "private", "database", "isolated") if t in name), "subnets")


def picture(stack: Stack) -> Picture:
    resources = stack.resources()
    pic = Picture()
    components = {name: variant for name, variant in stack.foundation.components if variant != "none"}
    nodes: dict[str, str] = {}  # address -> node id
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    for address, body in sorted(resources.items()):
        component = _component(stack, address)
        counts[component] += 1
        rtype = address.split(".", 1)[0]
        if rtype in PRINCIPAL:
            nodes[address] = node_id(address)
            members[component].append((nodes[address], f"{PRINCIPAL[rtype]}: {_name(stack, address, body)}"))

    # Subnets by tier, placed in the component that made them (the network).
    tiers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    tier_of: dict[str, str] = {}
    network_component = "network"
    for address, body in sorted(resources.items()):
        if address.startswith("aws_subnet."):
            tier = _tier(body)
            tiers[tier].append(body)
            tier_of[address] = node_id(f"tier_{tier}")
            network_component = _component(stack, address)
    for tier, subnets in tiers.items():
        cidrs = ", ".join(str(s.get("cidr_block", "?")) for s in subnets)
        members[network_component].append((node_id(f"tier_{tier}"), f"{tier} subnets x{len(subnets)}: {cidrs}"))

    for component in sorted(set(components) | set(members)):
        title = f"{component}: {components[component]}" if component in components else component
        entries = members.get(component) or [
            (node_id(f"{component}_resources"), f"{counts[component]} resource{'' if counts[component] == 1 else 's'}")
        ]
        pic.groups[node_id(f"component_{component}")] = (title, entries)

    def of_type(rtype: str) -> list[tuple[str, dict[str, Any]]]:
        return [(a, b) for a, b in sorted(resources.items()) if a.startswith(rtype + ".")]

    def targets(value: Any) -> list[str]:
        return sorted(nodes[r] for r in _refs(value) if r in nodes)

    # Viewer -> CloudFront -> origins.
    distributions = of_type("aws_cloudfront_distribution")
    if distributions:
        pic.outside.append(("viewer", "Viewer"))
    for address, body in distributions:
        pic.edge("viewer", nodes[address], "HTTPS")
        for origin in body.get("origin") or []:
            for target in targets(origin.get("domain_name") if isinstance(origin, dict) else None):
                pic.edge(nodes[address], target, f"origin {origin.get('origin_id', '')}".strip())
        for target in targets(body.get("web_acl_id")):
            pic.edge(target, nodes[address], "filters", dashed=True)

    # Client -> API -> functions; the authorizer's user pool.
    apis = of_type("aws_api_gateway_rest_api") + of_type("aws_apigatewayv2_api")
    if apis:
        pic.outside.append(("client", "Client"))
    for address, _ in apis:
        pic.edge("client", nodes[address], "HTTPS")
    for _, body in of_type("aws_api_gateway_integration") + of_type("aws_apigatewayv2_integration"):
        for api in targets(body.get("rest_api_id") or body.get("api_id")):
            for function in targets(body.get("uri") or body.get("integration_uri")):
                pic.edge(api, function, "invokes")
    for _, body in of_type("aws_api_gateway_authorizer"):
        for api in targets(body.get("rest_api_id")):
            for pool in targets(body.get("provider_arns")):
                pic.edge(api, pool, "authorizes with", dashed=True)

    # Functions -> what their roles' policies name (table, database, buckets, queues, secrets).
    role_policies: dict[str, list[str]] = defaultdict(list)
    for _, body in of_type("aws_iam_role_policy"):
        for role in _refs(body.get("role")):
            role_policies[role].append(str(body.get("policy", "")))
    for address, body in of_type("aws_lambda_function"):
        access: dict[str, set[str]] = defaultdict(set)
        for role in _refs(body.get("role")):
            for text in role_policies.get(role, []):
                for statement in _statements(text):
                    actions = statement.get("Action") or []
                    actions = [actions] if isinstance(actions, str) else actions
                    verb = _verb([str(a) for a in actions])
                    for target in targets(statement.get("Resource")):
                        access[target].add(verb)
        for target in targets((body.get("environment") or {}).get("variables")):
            access.setdefault(target, set())
        for target, verbs in sorted(access.items()):
            if target.startswith(("aws_sqs_queue", "aws_lambda_function", "aws_sns_topic")):
                continue  # dead letters and alarms are drawn on their own below
            pic.edge(nodes[address], target, ", ".join(sorted(verbs)) or "uses")
        for target in targets((body.get("dead_letter_config") or {}).get("target_arn")):
            pic.edge(nodes[address], target, "failed events", dashed=True)
        for tier in sorted({tier_of[s] for s in _refs((body.get("vpc_config") or {}).get("subnet_ids")) if s in tier_of}):
            pic.edge(nodes[address], tier, "runs in", dashed=True)

    # Bucket events -> functions.
    for _, body in of_type("aws_s3_bucket_notification"):
        for bucket in targets(body.get("bucket")):
            for entry in body.get("lambda_function") or []:
                events = entry.get("events") if isinstance(entry, dict) else None
                label = "events " + ", ".join(events) if isinstance(events, list) else "events"
                for function in targets(entry.get("lambda_function_arn") if isinstance(entry, dict) else None):
                    pic.edge(bucket, function, label)

    # Databases in their subnet tier.
    groups = {a: b for a, b in resources.items() if a.startswith("aws_db_subnet_group.")}
    for address, body in of_type("aws_rds_cluster") + of_type("aws_db_instance"):
        for group in _refs(body.get("db_subnet_group_name")):
            for tier in sorted({tier_of[s] for s in _refs(groups.get(group, {}).get("subnet_ids")) if s in tier_of}):
                pic.edge(nodes[address], tier, "in", dashed=True)

    # NAT gateways in the public tier, giving the private tier its way out.
    for address, body in of_type("aws_nat_gateway"):
        for subnet in sorted(_refs(body.get("subnet_id")) & set(tier_of)):
            pic.edge(nodes[address], tier_of[subnet], "in", dashed=True)

    # The audit trail's bucket.
    for address, body in of_type("aws_cloudtrail"):
        for bucket in targets(body.get("s3_bucket_name")):
            pic.edge(nodes[address], bucket, "writes logs")
    return pic


def _statements(text: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return []
    statements = document.get("Statement") if isinstance(document, dict) else None
    statements = [statements] if isinstance(statements, dict) else statements or []
    return [s for s in statements if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]


def _verb(actions: list[str]) -> str:
    if any(a.startswith("rds-db:") for a in actions):
        return "connects"
    if any(a.startswith("rds-data:") for a in actions):
        return "Data API"
    if any(a.startswith("kms:") for a in actions) and all(a.startswith("kms:") for a in actions):
        return "decrypts"
    return "writes" if any(_WRITES.search(a) for a in actions) else "reads"


def mermaid(stack: Stack) -> str:
    pic = picture(stack)
    lines = ["flowchart LR", f"  %% {stack.env}: generated from the synthesized Terraform JSON by gates/diagram.py"]
    for ident, label in pic.outside:
        lines.append(f"  {ident}([{_label(label)}])")
    for group, (title, entries) in pic.groups.items():
        lines.append(f"  subgraph {group}[{_label(title)}]")
        for ident, label in entries:
            lines.append(f"    {ident}[{_label(label)}]")
        lines.append("  end")
    for source, target, label, dashed in pic.edges:
        arrow = "-.->" if dashed else "-->"
        lines.append(f"  {source} {arrow}|{_label(label)}| {target}")
    return "\n".join(lines) + "\n"


def markdown(stack: Stack) -> str:
    return f"### {stack.env}: what will be built\n\n```mermaid\n{mermaid(stack)}```\n"


def write(reports_dir: Path, stack: Stack) -> Path:
    target = reports_dir / stack.env / DIAGRAM_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(markdown(stack), encoding="utf-8")
    tmp.replace(target)
    return target
