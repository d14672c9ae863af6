"""Refresh the price catalogue from the AWS Price List API (boto3 `pricing` client).

    python tools/prices.py                   # every catalogue in policies/pricing/
    python tools/prices.py --region eu-central-1

Needs AWS credentials allowed to call pricing:GetProducts. Each price the API
returns replaces the catalogue row, with the API named as its source, today's
date and status "confirmed"; rows the API does not answer for are kept as they
are and listed. Rows priced per instance class or node type get their query from
their family's rule; rows the Price List does not carry are named in
NOT_IN_PRICE_LIST with the reason, and kept. Exit codes: 0 done, 2 bad arguments
or catalogue, 3 no credentials or the API cannot be reached (the catalogue is
left unchanged).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gates.inputs import InputError  # noqa: E402
from gates.pricing import Catalogue, Price, load_catalogue  # noqa: E402

# Usage-type prefixes in the Price List, tried in order until one answers. In us-east-1 most
# services name usage types without a prefix (BoxUsage:t3.micro, NatGateway-Hours,
# InstanceUsage:db.t3.micro), but some carry "USE1-" there as well (Fargate, EFS, Transit Gateway,
# API Gateway, CloudWatch Logs, WAF, MSK); in eu-west-1 older services use "EU-". A Region not
# listed is asked for without a prefix, which most of its products do not match: those rows are
# reported as not found (the Region filter keeps another Region's price out in any case).
USAGE_PREFIXES: dict[str, tuple[str, ...]] = {
    "us-east-1": ("", "USE1-"),
    "us-east-2": ("USE2-",),
    "us-west-1": ("USW1-",),
    "us-west-2": ("USW2-",),
    "sa-east-1": ("SAE1-",),
    "eu-central-1": ("EUC1-",),
    "eu-west-1": ("EU-", "EUW1-"),
    "eu-west-2": ("EUW2-",),
    "eu-west-3": ("EUW3-",),
    "ap-south-1": ("APS3-",),
    "ap-southeast-1": ("APS1-",),
    "ap-southeast-2": ("APS2-",),
    "ap-northeast-1": ("APN1-",),
    "ap-northeast-2": ("APN2-",),
    "ca-central-1": ("CAN1-",),
}
# The Price List API answers only in these Regions; us-east-1 serves every Region's prices.
PRICING_ENDPOINT_REGION = "us-east-1"

# The product attribute that names a product's Region.
REGION_CODE = "regionCode"
FROM_REGION_CODE = "fromRegionCode"  # data transfer: the Region the bytes leave


@dataclass(frozen=True)
class Query:
    """Where one catalogue price lives in the Price List, and how to scale it to our unit."""

    service: str
    # Without the Region prefix. None: the attributes alone pick the product (used where public
    # sources disagree on the usage type but agree on the attributes).
    usage_type: str | None
    scale: Decimal = Decimal(1)  # API unit -> catalogue unit (per request -> per million: 1e6)
    attributes: tuple[tuple[str, str], ...] = ()
    # The attribute carrying the catalogue's Region, whose prefix the usage type then carries. None
    # for price lists that are one for every Region (Route 53, CloudFront edge zones, CloudWatch
    # dashboards): neither a Region filter nor a prefix.
    region_field: str | None = REGION_CODE
    # Only price dimensions in this unit are read, where a product could be listed in several.
    unit: str | None = None


MILLION = Decimal(1_000_000)
AURORA = (("databaseEngine", "Aurora PostgreSQL"),)
POSTGRESQL = (("databaseEngine", "PostgreSQL"),)
# RDS rows are priced for PostgreSQL, the engine the foundation's database component runs.
RDS_SINGLE_AZ = (*POSTGRESQL, ("deploymentOption", "Single-AZ"))
RDS_MULTI_AZ = (*POSTGRESQL, ("deploymentOption", "Multi-AZ"))
# On-demand Linux in shared tenancy without pre-installed software: the plain hourly rate.
LINUX_SHARED = (("operatingSystem", "Linux"), ("tenancy", "Shared"), ("preInstalledSw", "NA"), ("capacitystatus", "Used"))
ALB = (("productFamily", "Load Balancer-Application"),)
NLB = (("productFamily", "Load Balancer-Network"),)
GWLB = (("productFamily", "Load Balancer-Gateway"),)
CLASSIC_ELB = (("productFamily", "Load Balancer"),)
OPENSEARCH_VOLUME = (("productFamily", "Amazon OpenSearch Service Volume"),)
# CloudFront prices by the viewers' edge zone, not by the stack's Region: the catalogue's zone
# suffix -> the zone prefix of the usage type in the (global) AmazonCloudFront price list. Each
# prefix is seen in recorded products or bills (US-, EU-, AP-, JP-, IN-, ZA-, SA-Requests-Tier2-HTTPS;
# ME-, AU-, ZA-DataTransfer-Out-Bytes). Infracost prices "Middle East" viewers with South Africa's
# rates; the catalogue keeps them apart, and ME- is their own usage type.
CLOUDFRONT_ZONES = {
    "us": "US",
    "europe": "EU",
    "asia": "AP",
    "japan": "JP",
    "india": "IN",
    "middle_east": "ME",
    "africa": "ZA",
    "south_america": "SA",
    "australia": "AU",
}

# Usage types and attribute filters as the AWS offer files name them. Sources: Infracost's resource
# code (internal/resources/aws/*.go, which queries a copy of the Price List by these attributes) and
# recorded Price List products and bills in public repositories; the few read from one source only
# say so.
QUERIES: dict[str, Query] = {
    # Network
    "nat_gateway_hour": Query("AmazonEC2", "NatGateway-Hours"),
    "nat_gateway_gb": Query("AmazonEC2", "NatGateway-Bytes"),
    "public_ipv4_hour": Query("AmazonVPC", "PublicIPv4:InUseAddress"),
    "vpc_endpoint_az_hour": Query("AmazonVPC", "VpcEndpoint-Hours"),
    "vpc_endpoint_gb": Query("AmazonVPC", "VpcEndpoint-Bytes"),
    "vpn_connection_hour": Query("AmazonVPC", "VPN-Usage-Hours:ipsec.1"),
    "transit_gateway_attachment_hour": Query(
        "AmazonVPC", "TransitGateway-Hours", attributes=(("operation", "TransitGatewayVPC"),)
    ),
    "transit_gateway_gb": Query("AmazonVPC", "TransitGateway-Bytes", attributes=(("operation", "TransitGatewayVPC"),)),
    # Data transfer products name the Region they leave in fromRegionCode, not regionCode.
    "data_transfer_internet_gb": Query(
        "AWSDataTransfer", "DataTransfer-Out-Bytes", attributes=(("transferType", "AWS Outbound"),), region_field=FROM_REGION_CODE
    ),
    "data_transfer_inter_az_gb": Query(
        "AWSDataTransfer",
        "DataTransfer-Regional-Bytes",
        attributes=(("transferType", "IntraRegion"),),
        region_field=FROM_REGION_CODE,
    ),
    # Load balancers: ALB and NLB share usage types, told apart by product family.
    "alb_hour": Query("AWSELB", "LoadBalancerUsage", attributes=ALB),
    "alb_capacity_unit_hour": Query("AWSELB", "LCUUsage", attributes=ALB),
    "nlb_hour": Query("AWSELB", "LoadBalancerUsage", attributes=NLB),
    "nlb_capacity_unit_hour": Query("AWSELB", "LCUUsage", attributes=NLB),
    "gwlb_hour": Query("AWSELB", "LoadBalancerUsage", attributes=GWLB),
    # The GWLB capacity unit's usage type was seen only in a bill-categorising rule (GLCUUsage), not
    # in a Price List product; its group description (read from a bulk offer file by a public
    # script) picks the product instead.
    "gwlb_capacity_unit_hour": Query(
        "AWSELB", None, attributes=(*GWLB, ("groupDescription", "Used Gateway Load Balancer capacity units-hr"))
    ),
    "elb_classic_hour": Query("AWSELB", "LoadBalancerUsage", attributes=CLASSIC_ELB),
    "elb_classic_gb": Query("AWSELB", "DataProcessing-Bytes", attributes=CLASSIC_ELB),
    # Global: one price list, no Region prefix.
    "route53_zone_month": Query("AmazonRoute53", "HostedZone", region_field=None),
    "route53_queries_million": Query("AmazonRoute53", "DNS-Queries", MILLION, region_field=None),
    # The first 50 health checks of AWS endpoints are free: the first paid tier is read.
    "route53_health_check_aws_month": Query("AmazonRoute53", "Health-Check-AWS", region_field=None),
    "route53_health_check_month": Query("AmazonRoute53", "Health-Check-Non-AWS", region_field=None),
    "route53_health_check_feature_month": Query("AmazonRoute53", "Health-Check-Option-Non-AWS", region_field=None),
    **{
        f"cloudfront_gb_out:{zone}": Query("AmazonCloudFront", f"{prefix}-DataTransfer-Out-Bytes", region_field=None)
        for zone, prefix in CLOUDFRONT_ZONES.items()
    },
    **{
        f"cloudfront_https_10k:{zone}": Query(
            "AmazonCloudFront", f"{prefix}-Requests-Tier2-HTTPS", Decimal(10_000), region_field=None
        )
        for zone, prefix in CLOUDFRONT_ZONES.items()
    },
    "waf_acl_month": Query("awswaf", "WebACLV2"),
    "waf_rule_month": Query("awswaf", "RuleV2"),
    "waf_requests_million": Query("awswaf", "RequestV2-Tier1", MILLION),
    # Databases
    "aurora_serverless_v2_acu_hour": Query("AmazonRDS", "Aurora:ServerlessV2Usage", attributes=AURORA),
    "aurora_storage_gb_month": Query("AmazonRDS", "Aurora:StorageUsage", attributes=AURORA),
    "aurora_io_million": Query("AmazonRDS", "Aurora:StorageIOUsage", MILLION, AURORA),
    "aurora_iopt_storage_gb_month": Query("AmazonRDS", "Aurora:IO-OptimizedStorageUsage", attributes=AURORA),
    "aurora_backup_gb_month": Query("AmazonRDS", "Aurora:BackupUsage", attributes=AURORA),
    "rds_gp2_storage_gb_month": Query("AmazonRDS", "RDS:GP2-Storage", attributes=POSTGRESQL),
    "rds_multi_az_gp2_storage_gb_month": Query("AmazonRDS", "RDS:Multi-AZ-GP2-Storage", attributes=POSTGRESQL),
    "rds_gp3_storage_gb_month": Query("AmazonRDS", "RDS:GP3-Storage", attributes=RDS_SINGLE_AZ),
    "rds_multi_az_gp3_storage_gb_month": Query("AmazonRDS", "RDS:Multi-AZ-GP3-Storage", attributes=RDS_MULTI_AZ),
    # Provisioned gp3 IOPS are listed for databaseEngine "Any" (as Infracost queries them).
    "rds_gp3_iops_month": Query(
        "AmazonRDS",
        "RDS:GP3-PIOPS",
        attributes=(
            ("databaseEngine", "Any"),
            ("deploymentOption", "Single-AZ"),
            ("groupDescription", "RDS Provisioned GP3 IOPS"),
        ),
    ),
    "rds_multi_az_gp3_iops_month": Query(
        "AmazonRDS",
        "RDS:Multi-AZ-GP3-PIOPS",
        attributes=(
            ("databaseEngine", "Any"),
            ("deploymentOption", "Multi-AZ"),
            ("groupDescription", "RDS Provisioned GP3 IOPS"),
        ),
    ),
    "rds_backup_gb_month": Query("AmazonRDS", "RDS:ChargedBackupUsage", attributes=POSTGRESQL),
    "dynamodb_wru_million": Query("AmazonDynamoDB", "WriteRequestUnits", MILLION),
    "dynamodb_rru_million": Query("AmazonDynamoDB", "ReadRequestUnits", MILLION),
    "dynamodb_storage_gb_month": Query("AmazonDynamoDB", "TimedStorage-ByteHrs"),
    "dynamodb_pitr_gb_month": Query("AmazonDynamoDB", "TimedPITRStorage-ByteHrs"),
    "docdb_storage_gb_month": Query("AmazonDocDB", "StorageUsage", attributes=(("productFamily", "Database Storage"),)),
    "docdb_io_million": Query("AmazonDocDB", "StorageIOUsage", MILLION, (("productFamily", "System Operation"),)),
    "docdb_backup_gb_month": Query("AmazonDocDB", "BackupUsage", attributes=(("productFamily", "Storage Snapshot"),)),
    "neptune_storage_gb_month": Query("AmazonNeptune", "StorageUsage"),
    "neptune_io_million": Query("AmazonNeptune", "StorageIOUsage", MILLION),
    "neptune_backup_gb_month": Query("AmazonNeptune", "BackupUsage"),
    # Analytics and streaming
    "opensearch_storage_gb_month:gp2": Query("AmazonES", None, attributes=(*OPENSEARCH_VOLUME, ("storageMedia", "GP2"))),
    "opensearch_storage_gb_month:gp3": Query("AmazonES", None, attributes=(*OPENSEARCH_VOLUME, ("storageMedia", "GP3"))),
    "opensearch_storage_gb_month:io1": Query(
        "AmazonES", None, attributes=(*OPENSEARCH_VOLUME, ("storageMedia", "PIOPS-Storage"))
    ),
    "opensearch_storage_gb_month:standard": Query(
        "AmazonES", None, attributes=(*OPENSEARCH_VOLUME, ("storageMedia", "Magnetic"))
    ),
    "opensearch_io1_iops_month": Query("AmazonES", "ES:PIOPS", attributes=(*OPENSEARCH_VOLUME, ("storageMedia", "PIOPS"))),
    # One price for every RA3 node type's managed storage; the usage type names the node type.
    "redshift_managed_storage_gb_month": Query(
        "AmazonRedshift", None, attributes=(("productFamily", "Redshift Managed Storage"),)
    ),
    "msk_storage_gb_month": Query("AmazonMSK", "Kafka.Storage.GP2"),
    "kinesis_shard_hour": Query("AmazonKinesis", "Storage-ShardHour", attributes=(("operation", "shardHourStorage"),)),
    "kinesis_put_payload_units_million": Query(
        "AmazonKinesis", "PutRequestPayloadUnits", MILLION, (("operation", "PutRequest"),)
    ),
    "kinesis_on_demand_stream_hour": Query(
        "AmazonKinesis", "OnDemand-StreamHour", attributes=(("operation", "OnDemandStreamHr"),)
    ),
    "kinesis_on_demand_ingested_gb": Query(
        "AmazonKinesis", "OnDemand-BilledIncomingBytes", attributes=(("operation", "OnDemandDataIngested"),)
    ),
    "kinesis_on_demand_retrieved_gb": Query(
        "AmazonKinesis", "OnDemand-BilledOutgoingBytes", attributes=(("operation", "OnDemandDataRetrieval"),)
    ),
    # Direct PUT ingestion. Uncertain: the usage type and operation are read from one public source
    # (a us-east-1 product, USE1-BilledBytes / PutRecord); the first tier is the first 500 TB.
    "firehose_ingested_gb": Query("AmazonKinesisFirehose", "BilledBytes", attributes=(("operation", "PutRecord"),)),
    # Storage
    "s3_standard_gb_month": Query("AmazonS3", "TimedStorage-ByteHrs"),
    "s3_standard_ia_gb_month": Query("AmazonS3", "TimedStorage-SIA-ByteHrs"),
    "s3_put_1k": Query("AmazonS3", "Requests-Tier1", Decimal(1000)),
    "s3_get_1k": Query("AmazonS3", "Requests-Tier2", Decimal(1000)),
    "ebs_gp3_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.gp3"),
    "ebs_gp2_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.gp2"),
    "ebs_io1_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.piops", attributes=(("volumeApiName", "io1"),)),
    "ebs_io2_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.io2", attributes=(("volumeApiName", "io2"),)),
    "ebs_st1_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.st1", attributes=(("volumeApiName", "st1"),)),
    "ebs_sc1_gb_month": Query("AmazonEC2", "EBS:VolumeUsage.sc1", attributes=(("volumeApiName", "sc1"),)),
    "ebs_standard_gb_month": Query("AmazonEC2", "EBS:VolumeUsage", attributes=(("volumeApiName", "standard"),)),
    "ebs_io1_iops_month": Query("AmazonEC2", "EBS:VolumeP-IOPS.piops", attributes=(("volumeApiName", "io1"),)),
    # io2 IOPS up to 32,000 per volume; the higher tiers have usage types of their own (.tier2, .tier3).
    "ebs_io2_iops_month": Query("AmazonEC2", "EBS:VolumeP-IOPS.io2", attributes=(("volumeApiName", "io2"),)),
    # gp3 IOPS above the 3,000 included (the Price List states those as a free first tier).
    "ebs_gp3_iops_month": Query("AmazonEC2", "EBS:VolumeP-IOPS.gp3", attributes=(("volumeApiName", "gp3"),)),
    # Listed per GiBps-month (Infracost reads only that unit too); the catalogue prices MiB/s-months.
    "ebs_gp3_throughput_mibps_month": Query(
        "AmazonEC2", "EBS:VolumeP-Throughput.gp3", Decimal(1) / Decimal(1024), (("volumeApiName", "gp3"),), unit="GiBps-mo"
    ),
    "ebs_snapshot_gb_month": Query("AmazonEC2", "EBS:SnapshotUsage"),
    "efs_standard_gb_month:regional": Query("AmazonEFS", "TimedStorage-ByteHrs"),
    "efs_standard_gb_month:one_zone": Query("AmazonEFS", "TimedStorage-Z-ByteHrs"),
    "efs_ia_gb_month:regional": Query("AmazonEFS", "IATimedStorage-ByteHrs"),
    "efs_ia_gb_month:one_zone": Query("AmazonEFS", "IATimedStorage-Z-ByteHrs"),
    "efs_provisioned_mibps_month": Query("AmazonEFS", "ProvisionedTP-MiBpsHrs"),
    "ecr_storage_gb_month": Query("AmazonECR", "TimedStorage-ByteHrs"),
    # Compute and containers
    "lambda_gb_second:arm64": Query("AWSLambda", "Lambda-GB-Second-ARM"),
    "lambda_gb_second:x86_64": Query("AWSLambda", "Lambda-GB-Second"),
    "lambda_requests_million": Query("AWSLambda", "Request", MILLION),
    "fargate_vcpu_hour:x86_64": Query("AmazonECS", "Fargate-vCPU-Hours:perCPU"),
    "fargate_gb_hour:x86_64": Query("AmazonECS", "Fargate-GB-Hours"),
    "fargate_vcpu_hour:arm64": Query("AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU"),
    "fargate_gb_hour:arm64": Query("AmazonECS", "Fargate-ARM-GB-Hours"),
    "eks_cluster_hour": Query("AmazonEKS", "AmazonEKS-Hours:perCluster"),
    # Application integration
    "apigateway_rest_million": Query("AmazonApiGateway", "ApiGatewayRequest", MILLION),
    "apigateway_http_million": Query("AmazonApiGateway", "ApiGatewayHttpRequest", MILLION),
    "apigateway_websocket_messages_million": Query("AmazonApiGateway", "ApiGatewayMessage", MILLION),
    "apigateway_websocket_minutes_million": Query("AmazonApiGateway", "ApiGatewayMinute", MILLION),
    # us-east-1 names its standard-queue request products "Requests-RBP", other Regions
    # "<prefix>-Requests-Tier1": the group and queue type pick them in every Region.
    "sqs_requests_million": Query(
        "AWSQueueService", None, MILLION, (("group", "SQS-APIRequest-Tier1"), ("queueType", "Standard"))
    ),
    # The first million requests and the first 1,000 e-mails are free: the first paid tier is read.
    "sns_requests_million": Query("AmazonSNS", "Requests-Tier1", MILLION, (("group", "SNS-Requests-Tier1"),)),
    "sns_email_100k": Query("AmazonSNS", "DeliveryAttempts-SMTP", Decimal(100_000)),
    "sns_fifo_requests_million": Query("AmazonSNS", "F-Request-Tier1", MILLION),
    "eventbridge_events_million": Query("AWSEvents", "Event-64K-Chunks", MILLION, (("eventType", "Custom Event"),)),
    "sfn_transitions_1k": Query("AmazonStates", "StateTransition", Decimal(1000)),
    "sfn_express_requests_million": Query("AmazonStates", "StepFunctions-Request", MILLION),
    # Listed per GB-second; the catalogue prices GB-hours.
    "sfn_express_gb_hour": Query("AmazonStates", "StepFunctions-GB-Second", Decimal(3600)),
    # Per recipient of an outbound message.
    "ses_messages_1k": Query("AmazonSES", "Recipients", Decimal(1000), (("operation", "Send"),)),
    # Management, security and observability
    "logs_ingestion_gb": Query("AmazonCloudWatch", "DataProcessing-Bytes"),
    "logs_storage_gb_month": Query("AmazonCloudWatch", "TimedStorage-ByteHrs"),
    "logs_vended_ingestion_gb": Query("AmazonCloudWatch", "VendedLog-Bytes"),
    "logs_vended_s3_delivery_gb": Query("AmazonCloudWatch", "S3-Egress-Bytes"),
    "cloudwatch_metric_month": Query("AmazonCloudWatch", "CW:MetricMonitorUsage"),
    "cloudwatch_alarm_month": Query("AmazonCloudWatch", "CW:AlarmMonitorUsage"),
    # Dashboards have one product for the account, without a Region (as Infracost queries it).
    "cloudwatch_dashboard_month": Query("AmazonCloudWatch", "DashboardsUsageHour", region_field=None),
    "xray_traces_million": Query("AWSXRay", "XRay-TracesStored", MILLION),
    "kms_key_month": Query("awskms", "KMS-Keys"),
    "kms_requests_10k": Query("awskms", "KMS-Requests", Decimal(10_000)),
    "secretsmanager_secret_month": Query("AWSSecretsManager", "AWSSecretsManager-Secrets"),
    # Public sources name the API usage type two ways (AWSSecretsManagerAPIRequest,
    # AWSSecretsManager-APIRequests); the product family and group agree.
    "secretsmanager_api_10k": Query(
        "AWSSecretsManager", None, Decimal(10_000), (("productFamily", "API Request"), ("group", "AWSSecretsManager-APIRequest"))
    ),
    "ssm_advanced_parameter_month": Query("AWSSystemsManager", "PS-Advanced-Param-Tier1"),
    "cloudtrail_management_events_100k": Query("AWSCloudTrail", "PaidEventsRecorded", Decimal(100_000)),
    "cloudtrail_data_events_100k": Query("AWSCloudTrail", "DataEventsRecorded", Decimal(100_000)),
    "config_configuration_item": Query("AWSConfig", "ConfigurationItemRecorded"),
    "config_rule_evaluation": Query("AWSConfig", "ConfigRuleEvaluations"),
    # GuardDuty: CloudTrail management events are listed per event, VPC flow and DNS logs per GB
    # ("PaidEventsAnalyzed-Bytes"), S3 data events per event.
    "guardduty_management_events_million": Query("AmazonGuardDuty", "PaidEventsAnalyzed", MILLION),
    "guardduty_flow_dns_gb": Query("AmazonGuardDuty", "PaidEventsAnalyzed-Bytes"),
    "guardduty_s3_data_events_million": Query("AmazonGuardDuty", "PaidS3DataEventsAnalyzed", MILLION),
    # Each plan's first 10,000 MAU are free: the first paid tier is read.
    "cognito_mau:essentials": Query(
        "AmazonCognito", "CognitoEssentialsMAU", attributes=(("productFamily", "Amazon Cognito - Essentials"),)
    ),
    "cognito_mau:lite": Query("AmazonCognito", "CognitoLiteMAU", attributes=(("productFamily", "Amazon Cognito - Lite"),)),
}


def _kafka_broker(instance_type: str) -> Query:
    # The usage type names the broker without the "kafka." of its instance type: Kafka.t3.small.
    return Query("AmazonMSK", f"Kafka.{instance_type.removeprefix('kafka.')}", attributes=(("operation", "RunBroker"),))


# Rows priced per instance class or node type ("<family>:<type>"): the query follows from the type,
# so a new catalogue row of a known family needs no entry of its own.
FAMILIES: dict[str, Callable[[str], Query]] = {
    "ec2_instance_hour": lambda t: Query("AmazonEC2", f"BoxUsage:{t}", attributes=LINUX_SHARED),
    "rds_instance_hour": lambda c: Query("AmazonRDS", f"InstanceUsage:{c}", attributes=(("instanceType", c), *RDS_SINGLE_AZ)),
    "rds_multi_az_instance_hour": lambda c: Query(
        "AmazonRDS", f"Multi-AZUsage:{c}", attributes=(("instanceType", c), *RDS_MULTI_AZ)
    ),
    "aurora_instance_hour": lambda c: Query("AmazonRDS", f"InstanceUsage:{c}", attributes=(("instanceType", c), *AURORA)),
    "aurora_iopt_instance_hour": lambda c: Query(
        "AmazonRDS", f"InstanceUsageIOOptimized:{c}", attributes=(("instanceType", c), *AURORA)
    ),
    # Node prices are the same for the Redis OSS and Memcached engines; Valkey nodes cost less.
    # Uncertain: AWS may rename the "Redis" cacheEngine value after its "Redis OSS" renaming.
    "elasticache_node_hour": lambda t: Query(
        "AmazonElastiCache", f"NodeUsage:{t}", attributes=(("instanceType", t), ("cacheEngine", "Redis"))
    ),
    # Public sources disagree on whether the usage type keeps ".search" (ESInstance:m5.large or
    # ESInstance:m5.large.search); the product family and instance type pick the product.
    "opensearch_instance_hour": lambda t: Query(
        "AmazonES", None, attributes=(("productFamily", "Amazon OpenSearch Service Instance"), ("instanceType", t))
    ),
    "redshift_node_hour": lambda t: Query("AmazonRedshift", f"Node:{t}", attributes=(("instanceType", t),)),
    "msk_broker_hour": _kafka_broker,
    # DocumentDB Standard (not I/O-Optimized) instances, picked by attributes as Infracost does.
    "docdb_instance_hour": lambda c: Query(
        "AmazonDocDB",
        None,
        attributes=(("productFamily", "Database Instance"), ("instanceType", c), ("volumeType", "General Purpose")),
    ),
    "neptune_instance_hour": lambda c: Query("AmazonNeptune", f"InstanceUsage:{c}", attributes=(("instanceType", c),)),
}

# Catalogue rows the Price List API does not answer for, with the reason; `make prices` keeps them.
NOT_IN_PRICE_LIST: dict[str, str] = {
    "globalaccelerator_hour": (
        "the fixed fee per accelerator is not in the AWSGlobalAccelerator price list (only data transfer "
        "premiums are); Infracost sets it as a custom price for the same reason"
    ),
    "aurora_data_api_million": (
        "no Price List product for Data API requests was found in any public source (the Aurora pricing "
        "page states the rate); kept by hand until its usage type is known"
    ),
}


def query_for(price_id: str) -> Query | None:
    """The query of a price id: its own entry, else its family's rule, else None."""
    if price_id in QUERIES:
        return QUERIES[price_id]
    family, sep, suffix = price_id.partition(":")
    rule = FAMILIES.get(family)
    return rule(suffix) if rule and sep and suffix else None


def uncovered(price_ids: list[str]) -> list[str]:
    """Ids with neither a query nor a reason in NOT_IN_PRICE_LIST."""
    return [i for i in price_ids if query_for(i) is None and i not in NOT_IN_PRICE_LIST]


class PriceListError(Exception):
    pass


class Found(NamedTuple):
    usd: Decimal  # in the catalogue's unit
    usage_type: str  # as the answering product names it
    begin_range: Decimal  # where the tier read begins: above 0 when the first tier is free


def first_paid_tier(price_list_item: str, unit: str | None = None) -> tuple[Decimal, Decimal, str] | None:
    """(USD, beginRange, usage type) of the lowest on-demand tier with a price above zero in one
    GetProducts item, in `unit` if one is given. Free allowances the Price List states as a
    zero-priced first tier (SNS requests, Route 53 health checks, Cognito MAU) are passed over."""
    try:
        product = json.loads(price_list_item)
    except json.JSONDecodeError as exc:
        raise PriceListError(f"a PriceList entry is not JSON: {exc}")
    usage_type = str(((product.get("product") or {}).get("attributes") or {}).get("usagetype", ""))
    tiers: list[tuple[Decimal, Decimal]] = []
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dimension in (term.get("priceDimensions") or {}).values():
            usd = (dimension.get("pricePerUnit") or {}).get("USD")
            if unit is not None and dimension.get("unit") != unit:
                continue
            if usd is not None and Decimal(usd) > 0:
                tiers.append((Decimal(str(dimension.get("beginRange", "0"))), Decimal(usd)))
    if not tiers:
        return None
    begin, usd = min(tiers)
    return usd, begin, usage_type


def usage_types(region: str, query: Query) -> list[str | None]:
    """The usage types to ask for, in order: the Region's prefixes before the query's usage type."""
    if query.usage_type is None:
        return [None]
    if query.region_field is None:
        return [query.usage_type]
    return [f"{prefix}{query.usage_type}" for prefix in USAGE_PREFIXES.get(region, ("",))]


def filters(region: str, query: Query, usage_type: str | None) -> list[dict[str, str]]:
    """The GetProducts filters for one usage type of a query."""
    terms = []
    if query.region_field is not None:
        terms.append((query.region_field, region))
    if usage_type is not None:
        terms.append(("usagetype", usage_type))
    terms += query.attributes
    return [{"Type": "TERM_MATCH", "Field": field, "Value": value} for field, value in terms]


def fetch(client: Any, region: str, price_id: str, query: Query) -> Found | None:
    """The price in the catalogue's unit, or None when the API has no such product."""
    for usage_type in usage_types(region, query):
        found = _ask(client, query, filters(region, query, usage_type), usage_type)
        if found is not None:
            return found
    return None


def _ask(client: Any, query: Query, terms: list[dict[str, str]], usage_type: str | None) -> Found | None:
    answers: list[tuple[Decimal, Decimal, str]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ServiceCode": query.service, "Filters": terms, "FormatVersion": "aws_v1"}
        if token:
            kwargs["NextToken"] = token
        response = client.get_products(**kwargs)
        for item in response.get("PriceList", []):
            tier = first_paid_tier(item, query.unit)
            if tier is not None:
                answers.append(tier)
        token = response.get("NextToken")
        if not token:
            break
    if not answers:
        return None
    # Several products can share a usage type (e.g. per operation); the on-demand list
    # price is the same for all of them, and the highest is the safe side if not.
    usd, begin, answered = max(answers)
    return Found((usd * query.scale).normalize(), answered or usage_type or "", begin)


def refresh(client: Any, catalogue: Catalogue, today: dt.date) -> tuple[Catalogue, list[str], list[str]]:
    """A new catalogue with every price the API answered for; (catalogue, updated ids, missing ids).

    Asked for: each catalogue row with a query (its own or its family's), then each query whose
    row the catalogue lacks."""
    prices = dict(catalogue.prices)
    updated, missing = [], []
    for price_id in [*catalogue.prices, *(i for i in QUERIES if i not in catalogue.prices)]:
        query = query_for(price_id)
        if query is None:
            continue
        found = fetch(client, catalogue.region, price_id, query)
        if found is None:
            missing.append(price_id)
            continue
        unit = prices[price_id].unit if price_id in prices else "unit"
        tier = "first tier" if found.begin_range == 0 else f"first paid tier (from {found.begin_range.normalize():f})"
        prices[price_id] = Price(
            id=price_id,
            usd=found.usd,
            unit=unit,
            source=f"AWS Price List API, {query.service} {found.usage_type}, {tier}",
            as_of=today,
            status="confirmed",
        )
        updated.append(price_id)
    return Catalogue(catalogue.region, prices, catalogue.free, catalogue.path), updated, missing


def render(catalogue: Catalogue, today: dt.date) -> str:
    lines = [
        f"# On-demand list prices, {catalogue.region}, USD. First pricing tier only (the first paid one",
        "# where the Price List states a free allowance as a zero-priced first tier).",
        "# Rewritten by `make prices`; rows the Price List API did not answer for keep their",
        "# earlier source and status. See policies/pricing/us-east-1.toml for the format.",
        f'region = "{catalogue.region}"',
        f"as_of = {today.isoformat()}",
    ]
    for price_id in sorted(catalogue.prices):
        price = catalogue.prices[price_id]
        key = price_id if price_id.replace("_", "").isalnum() else json.dumps(price_id)
        lines += [
            "",
            f"[prices.{key}]",
            f"usd = {price.usd}",
            f"unit = {json.dumps(price.unit)}",
            f"source = {json.dumps(price.source)}",
            f"as_of = {price.as_of.isoformat()}",
            f'status = "{price.status}"',
        ]
        if price.note:
            lines.append(f"note = {json.dumps(price.note)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/prices.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", action="append", help="catalogue to refresh (repeatable); default: all")
    parser.add_argument("--pricing-dir", type=Path, default=ROOT / "policies" / "pricing")
    args = parser.parse_args(argv)

    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    regions = args.region or sorted(p.stem for p in args.pricing_dir.glob("*.toml") if p.stem != "free")
    session = boto3.Session()
    if session.get_credentials() is None:
        print(
            "make prices: no AWS credentials found, so the Price List API cannot be asked. The catalogue "
            "is unchanged. Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for an identity "
            "allowed pricing:GetProducts, then run it again.",
            file=sys.stderr,
        )
        return 3
    client = session.client("pricing", region_name=PRICING_ENDPOINT_REGION)
    today = dt.date.today()
    try:
        catalogues = [load_catalogue(args.pricing_dir, region) for region in regions]
        results = [refresh(client, catalogue, today) for catalogue in catalogues]
    except InputError as exc:
        print(f"make prices: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, PriceListError) as exc:
        print(f"make prices: the Price List API call failed ({exc}); the catalogue is unchanged.", file=sys.stderr)
        return 3
    # Written only after every Region answered: never half a refresh.
    for catalogue, updated, missing in results:
        tmp = catalogue.path.with_suffix(".toml.tmp")
        tmp.write_text(render(catalogue, today), encoding="utf-8")
        tmp.replace(catalogue.path)
        print(f"{catalogue.region}: {len(updated)} prices confirmed from the Price List API")
        if missing:
            print(f"  not found (kept as they were): {', '.join(missing)}")
        kept = [i for i in catalogue.prices if i in NOT_IN_PRICE_LIST]
        if kept:
            print(f"  not in the Price List (kept as they were): {', '.join(kept)}")
        unknown = uncovered(list(catalogue.prices))
        if unknown:
            print(f"  no Price List query and no reason in NOT_IN_PRICE_LIST (kept as they were): {', '.join(unknown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
