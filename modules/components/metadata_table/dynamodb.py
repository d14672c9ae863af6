"""The file-metadata table (variant "dynamodb")."""

from __future__ import annotations

from constructs import Construct

from modules.components.metadata_table.settings import MetadataTableSettings
from modules.core.context import BuildContext
from modules.core.contributions import AlarmSpec, Contributions, OutputSpec, WidgetSpec
from modules.core.ports import Parts, Ports
from modules.primitives.table import FileTable, FileTableProps

# The first version built the table inside the storage construct; users' state holds
# that address, so the table keeps it.
FIRST_PATHS = {"metadata_table": "storage"}


def build(scope: Construct, ctx: BuildContext, settings: MetadataTableSettings, ports: Ports, parts: Parts) -> Contributions:
    assert ports.storage is not None  # the registry checked that storage is enabled
    holder = Construct(scope, "metadata_table")
    files = FileTable(
        holder,
        "files",
        account=ctx.account,
        props=FileTableProps(
            name=f"{ctx.name}-files",
            key=ports.storage.key,  # type: ignore[arg-type]
            deletion_protection=ctx.protection.deletion_protection,
            retain_on_destroy=ctx.protection.retain_on_destroy,
        ),
    )
    ports.metadata_table = files
    name = files.table.name
    made = Contributions()
    made.outputs.append(OutputSpec(name="file_table_name", value=name, description="file metadata table"))
    for kind in ("read", "write"):
        made.alarms.append(
            AlarmSpec(
                name=f"table-{kind}-throttles",
                namespace="AWS/DynamoDB",
                metric=f"{kind.title()}ThrottleEvents",
                dimensions={"TableName": name},
                threshold=settings.alarm_throttle_events,
                what=f"{kind} throttle events",
            )
        )
    made.widgets.append(
        WidgetSpec(
            rank=40,
            title="File table capacity",
            metrics=[["AWS/DynamoDB", m, "TableName", name] for m in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")],
        )
    )
    return made
