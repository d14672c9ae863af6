"""`[metadata_table]` (variant "dynamodb"): the file-metadata table."""

from __future__ import annotations

from pydantic import Field

from modules.core.settings import ComponentSettings


class MetadataTableSettings(ComponentSettings):
    """An on-demand DynamoDB table with point-in-time recovery, TTL and the storage key."""

    alarm_throttle_events: int = Field(
        default=1, ge=1, description="Read or write throttle events in 5 minutes that raise the table's alarms."
    )
