"""FND_SCAN_1: every resource reached the scanner.

Checkov reports a resource only through the checks that apply to its type, so a resource
of a type no check covers, or one its parser dropped, leaves no trace in the report. This
check applies to every type and always passes: the gate counts the resources it saw
against the resources in the file and fails naming the ones Checkov lost. Its passes are
bookkeeping and are left out of the reports' counts.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

CHECK_ID = "FND_SCAN_1"


class ResourceScanned(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(
            name="The resource reached the scanner",
            id=CHECK_ID,
            categories=[CheckCategories.CONVENTION],
            supported_resources=["*"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED


check = ResourceScanned()
