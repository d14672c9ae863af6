"""FND_CF_1: CloudFront geo restriction codes that are not ISO 3166-1 alpha-2."""

from __future__ import annotations

from typing import Any

from _support import FoundationCheck, StackContext, aws_rules


class CloudFrontGeoCodes(FoundationCheck):
    check_id = "FND_CF_1"
    summary = "CloudFront geo restriction locations must be ISO 3166-1 alpha-2 codes"
    why = "CloudFront rejects unknown codes such as UK at deploy time, after a long distribution update has started"
    fix = "use two-letter ISO 3166-1 codes (GB for the United Kingdom)"
    resource_types = ("aws_cloudfront_distribution",)
    reads = ("restrictions",)

    def problems(self, rtype: str, body: dict[str, Any], stack: StackContext) -> list[str]:
        found: list[str] = []
        for restrictions in _blocks(body.get("restrictions")):
            for geo in _blocks(restrictions.get("geo_restriction")):
                locations = geo.get("locations") or []
                found += aws_rules.geo_code_problems(str(code) for code in locations)
        return found


def _blocks(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, dict)]


check = CloudFrontGeoCodes()
