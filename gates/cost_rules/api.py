"""API Gateway: REST APIs, their stages and method settings; HTTP and WebSocket APIs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gates.cost import MILLION, Context, LineItem, MissingPrice, Rule, single_block

# CloudWatch metrics API Gateway publishes per method and stage when detailed metrics are on:
# Count, 4XXError, 5XXError, Latency, IntegrationLatency, CacheHitCount, CacheMissCount
# (API Gateway Developer Guide, "Amazon API Gateway dimensions and metrics").
APIGATEWAY_METRICS_PER_METHOD = Decimal(7)


def _rest_api(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    return [
        ctx.item(
            body, "REST API requests (millions)", ctx.usage.number("api_gateway", "requests") / MILLION, "apigateway_rest_million"
        )
    ]


def _method_settings(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    settings = body.get("settings")
    settings = single_block(settings)
    if not (isinstance(settings, dict) and settings.get("metrics_enabled") is True):
        return []  # without detailed metrics API Gateway publishes its free per-API metrics only
    api = body.get("rest_api_id")
    path = str(body.get("method_path", "*/*"))
    methods = [
        m
        for m in (ctx.stack.document.get("resource", {}).get("aws_api_gateway_method") or {}).values()
        if m.get("rest_api_id") == api
    ]
    count = Decimal(len(methods) if path == "*/*" else 1)
    metrics = count * APIGATEWAY_METRICS_PER_METHOD
    metrics -= ctx.free_part("cloudwatch_metrics", metrics)
    return [
        ctx.item(
            body,
            f"Detailed CloudWatch metrics ({count} methods x {APIGATEWAY_METRICS_PER_METHOD}, beyond the free tier)",
            metrics,
            "cloudwatch_metric_month",
        )
    ]


def _stage(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    if body.get("cache_cluster_enabled") is True:
        raise MissingPrice(f"apigateway_cache_hour:{body.get('cache_cluster_size', '0.5')}", ctx.region_of(body))
    return []  # requests are billed on the REST API


def _api_v2(ctx: Context, name: str, body: dict[str, Any]) -> list[LineItem]:
    api = str(body.get("name", name))
    usage = ctx.usage
    if str(body.get("protocol_type", "HTTP")) == "WEBSOCKET":
        return [
            ctx.item(
                body,
                "WebSocket messages (millions)",
                usage.number("api_gateway_v2", "websocket_messages", name=api) / MILLION,
                "apigateway_websocket_messages_million",
            ),
            ctx.item(
                body,
                "WebSocket connection minutes (millions)",
                usage.number("api_gateway_v2", "websocket_connection_minutes", name=api) / MILLION,
                "apigateway_websocket_minutes_million",
            ),
        ]
    return [
        ctx.item(
            body,
            "HTTP API requests (millions)",
            usage.number("api_gateway_v2", "http_requests", name=api) / MILLION,
            "apigateway_http_million",
        )
    ]


RULES: dict[str, Rule] = {
    "aws_apigatewayv2_api": _api_v2,
    "aws_api_gateway_rest_api": _rest_api,
    "aws_api_gateway_method_settings": _method_settings,
    "aws_api_gateway_stage": _stage,
}
