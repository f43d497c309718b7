"""SageMaker Feature Store for moto: the runtime API, and the feature group lifecycle around it.

moto (5.2.5) has no ``sagemaker-featurestore-runtime`` service at all, and its feature groups stop
short of what the AWS provider and a feature pipeline need: DescribeFeatureGroup of an unknown name
is an internal error instead of ``ResourceNotFound``; DeleteFeatureGroup, UpdateFeatureGroup and
ListFeatureGroups are missing; OnlineStoreConfig and Description are dropped and a given
DataCatalogConfig is overwritten (Terraform then plans a replacement on every run); a group without
an offline store crashes CreateFeatureGroup; feature group tags cannot be listed.

This extension fills those gaps and adds the runtime: PutRecord, GetRecord, DeleteRecord and
BatchGetRecord, validated against the group's feature definitions (names, record identifier, event
time in one of the two documented formats, Integral/Fractional values, collections) with
Feature Store's error codes (``ValidationError``, ``ResourceNotFound``). Records live in memory:
the online store keeps the latest record per identifier by event time, honours TTL and soft/hard
deletes as documented. Requests reach it through moto's single endpoint because the runtime signs
with the ``sagemaker`` service name: its paths (``/FeatureGroup/...``, ``/BatchGetRecord``) are
added to moto's SageMaker URL map, and its host name to moto's backend index.

Fault: ``featurestore_put`` (``emulator.core.control``) makes the next PutRecord calls fail with
``ThrottlingException`` (HTTP 400), as AWS does when a group's throughput is exceeded.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from moto.core.exceptions import ServiceException
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError
from moto.sagemaker.models import FeatureGroup, sagemaker_backends
from moto.sagemaker.utils import arn_formatter

from emulator.core import control
from emulator.featurestore_runtime.exceptions import (
    RuntimeResourceNotFound,
    RuntimeValidationError,
    ThrottlingException,
)
from emulator.sagemaker.utils import check_execution_role, name_contains, sorted_page, with_token

RUNTIME_SERVICE = "sagemaker-featurestore-runtime"
RESERVED_FEATURE_NAMES = frozenset({"is_deleted", "write_time", "api_invocation_time"})
# The two EventTime string formats Feature Store accepts (yyyy-MM-dd'T'HH:mm:ssZ, ...ss.SSSZ).
_EVENT_TIME_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")
_INTEGRAL = re.compile(r"[+-]?\d+")
_INT64 = (-(2**63), 2**63 - 1)
_TTL_UNITS = {"Seconds": 1, "Minutes": 60, "Hours": 3600, "Days": 86400, "Weeks": 604800}


def _not_found_message(name: str) -> str:
    return f"Resource Not Found: Amazon SageMaker can't find a FeatureGroup with name {name}"


# --------------------------------------------------------------------------------------------
# Feature groups (control plane)
# --------------------------------------------------------------------------------------------


class ExtendedFeatureGroup(FeatureGroup):
    """moto's feature group, with everything CreateFeatureGroup accepts kept and described."""

    def __init__(self, backend: Any, params: Mapping[str, Any]) -> None:
        now = datetime.now(UTC)
        self.feature_group_name: str = params["FeatureGroupName"]
        self.record_identifier_feature_name: str = params["RecordIdentifierFeatureName"]
        self.event_time_feature_name: str = params["EventTimeFeatureName"]
        self.feature_definitions: list[dict[str, Any]] = [dict(d) for d in params["FeatureDefinitions"]]
        self.role_arn: str = params.get("RoleArn") or ""
        self.description: str | None = params.get("Description")
        self.creation_time = now
        self.last_modified_time = now
        self.last_update_status: dict[str, str] | None = None
        self.arn = _group_arn(backend, self.feature_group_name)
        self.tags: list[dict[str, str]] = list(params.get("Tags") or [])
        self.throughput_config = dict(params.get("ThroughputConfig") or {"ThroughputMode": "OnDemand"})
        self.online_store_config = _online_store_config(params.get("OnlineStoreConfig"))
        self.offline_store_config = _offline_store_config(backend, params)

    @property
    def online_enabled(self) -> bool:
        return bool(self.online_store_config and self.online_store_config.get("EnableOnlineStore"))

    def feature(self, name: str) -> dict[str, Any] | None:
        return next((d for d in self.feature_definitions if d["FeatureName"] == name), None)

    def describe(self) -> dict[str, Any]:
        shape: dict[str, Any] = {
            "FeatureGroupArn": self.arn,
            "FeatureGroupName": self.feature_group_name,
            "RecordIdentifierFeatureName": self.record_identifier_feature_name,
            "EventTimeFeatureName": self.event_time_feature_name,
            "FeatureDefinitions": self.feature_definitions,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "ThroughputConfig": self.throughput_config,
            "FeatureGroupStatus": "Created",
            "NextToken": "",
        }
        optional = {
            "OnlineStoreConfig": self.online_store_config,
            "OfflineStoreConfig": self.offline_store_config or None,
            "OfflineStoreStatus": {"Status": "Active"} if self.offline_store_config else None,
            "RoleArn": self.role_arn or None,
            "Description": self.description,
            "LastUpdateStatus": self.last_update_status,
        }
        shape.update({key: value for key, value in optional.items() if value is not None})
        return shape

    def summary(self) -> dict[str, Any]:
        shape = {
            "FeatureGroupName": self.feature_group_name,
            "FeatureGroupArn": self.arn,
            "CreationTime": self.creation_time,
            "FeatureGroupStatus": "Created",
        }
        if self.offline_store_config:
            shape["OfflineStoreStatus"] = {"Status": "Active"}
        return shape


def _group_arn(backend: Any, name: str) -> str:
    return arn_formatter("feature-group", name.lower(), backend.account_id, backend.region_name)


def _online_store_config(config: Mapping[str, Any] | None) -> dict[str, Any] | None:
    # Echoed as given: the AWS provider plans a replacement when a StorageType it did not set
    # comes back, so none is added.
    return dict(config) if config else None


def _offline_store_config(backend: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """The offline store configuration as given, plus what Feature Store resolves for it."""
    config = params.get("OfflineStoreConfig")
    if not config:
        return {}
    name = params["FeatureGroupName"]
    stamp = int(datetime.now(UTC).timestamp())
    storage = dict(config["S3StorageConfig"])
    storage["ResolvedOutputS3Uri"] = (
        f"{storage['S3Uri'].rstrip('/')}/{backend.account_id}/sagemaker/{backend.region_name}"
        f"/offline-store/{name}-{stamp}/data"
    )
    catalog = config.get("DataCatalogConfig") or {
        "TableName": f"{name.replace('-', '_')}_{stamp}".lower(),
        "Catalog": "AwsDataCatalog",
        "Database": "sagemaker_featurestore",
    }
    return {**config, "S3StorageConfig": storage, "DataCatalogConfig": dict(catalog)}


def _check_definitions(definitions: Sequence[Mapping[str, Any]]) -> None:
    names = [d["FeatureName"] for d in definitions]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValidationError(f"Validation Error: Feature names must be unique: {', '.join(repeated)}.")
    reserved = sorted(set(names) & RESERVED_FEATURE_NAMES)
    if reserved:
        raise ValidationError(
            f"Validation Error: {', '.join(reserved)} cannot be used as a feature name "
            f"(reserved: {', '.join(sorted(RESERVED_FEATURE_NAMES))})."
        )


def _check_new_group(params: Mapping[str, Any]) -> None:
    definitions = list(params["FeatureDefinitions"])
    _check_definitions(definitions)
    types = {d["FeatureName"]: d["FeatureType"] for d in definitions}
    record_id, event_time = params["RecordIdentifierFeatureName"], params["EventTimeFeatureName"]
    if record_id not in types:
        raise ValidationError(
            f"Validation Error: RecordIdentifierFeatureName {record_id} is not one of the feature "
            "definitions."
        )
    if event_time not in types:
        raise ValidationError(
            f"Validation Error: EventTimeFeatureName {event_time} is not one of the feature definitions."
        )
    if types[event_time] not in ("String", "Fractional"):
        raise ValidationError(
            f"Validation Error: EventTime feature {event_time} must be of type String or Fractional."
        )
    if types[record_id] not in ("String", "Integral"):
        raise ValidationError(
            f"Validation Error: RecordIdentifier feature {record_id} must be of type String or Integral."
        )
    online = params.get("OnlineStoreConfig") or {}
    if not params.get("OfflineStoreConfig") and not online.get("EnableOnlineStore"):
        raise ValidationError(
            "Validation Error: OnlineStore and OfflineStore cannot be both disabled. "
            "Please enable at least one of them and retry the request."
        )
    if params.get("OfflineStoreConfig") and not params.get("RoleArn"):
        raise ValidationError("Validation Error: RoleArn is required when OfflineStoreConfig is specified.")


def _find_group(backend: Any, name_or_arn: str) -> ExtendedFeatureGroup | None:
    key = name_or_arn if name_or_arn.startswith("arn:") else _group_arn(backend, name_or_arn)
    group = backend.feature_groups.get(key)
    return group if isinstance(group, ExtendedFeatureGroup) else None


def feature_group(backend: Any, name_or_arn: str) -> ExtendedFeatureGroup:
    group = _find_group(backend, name_or_arn)
    if group is None:
        raise ResourceNotFound(_not_found_message(name_or_arn))
    return group


def create_feature_group(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    _check_new_group(params)
    if params.get("RoleArn"):
        check_execution_role(backend, params["RoleArn"])
    with _lock(backend):
        arn = _group_arn(backend, params["FeatureGroupName"])
        if arn in backend.feature_groups:
            raise ResourceInUseException(
                f"Resource Already Exists: FeatureGroup with name {params['FeatureGroupName']} already "
                "exists. Choose a different name."
            )
        group = ExtendedFeatureGroup(backend, params)
        backend.feature_groups[arn] = group
        _stores(backend)[arn] = GroupRecords()
    return {"FeatureGroupArn": arn}


def describe_feature_group(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    return feature_group(backend, params["FeatureGroupName"]).describe()


def delete_feature_group(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    with _lock(backend):
        group = feature_group(backend, params["FeatureGroupName"])
        del backend.feature_groups[group.arn]
        _stores(backend).pop(group.arn, None)
    return {}


def update_feature_group(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    with _lock(backend):
        group = feature_group(backend, params["FeatureGroupName"])
        additions = [dict(d) for d in params.get("FeatureAdditions") or []]
        _check_definitions(group.feature_definitions + additions)
        online_update = params.get("OnlineStoreConfig")
        if online_update and not group.online_enabled:
            raise ValidationError(
                f"Validation Error: FeatureGroup {group.feature_group_name} has no OnlineStore to update."
            )
        group.feature_definitions += additions
        if online_update and group.online_store_config is not None:
            group.online_store_config.update(online_update)
        if params.get("ThroughputConfig"):
            group.throughput_config.update(params["ThroughputConfig"])
        group.last_modified_time = datetime.now(UTC)
        group.last_update_status = {"Status": "Successful"}
    return {"FeatureGroupArn": group.arn}


def list_feature_groups(backend: Any, params: dict[str, Any]) -> dict[str, Any]:
    groups = [
        group
        for group in list(backend.feature_groups.values())
        if isinstance(group, ExtendedFeatureGroup)
        and name_contains(group.feature_group_name, params)
        and params.get("FeatureGroupStatusEquals") in (None, "Created")
        and (params.get("CreationTimeAfter") is None or group.creation_time > params["CreationTimeAfter"])
        and (params.get("CreationTimeBefore") is None or group.creation_time < params["CreationTimeBefore"])
        and params.get("OfflineStoreStatusEquals")
        in (None, "Active" if group.offline_store_config else "Disabled")
    ]
    page, token = sorted_page(
        groups,
        params,
        {
            "CreationTime": lambda g: g.creation_time,
            "Name": lambda g: g.feature_group_name,
            "FeatureGroupStatus": lambda _group: "Created",
            "OfflineStoreStatus": lambda g: "Active" if g.offline_store_config else "Disabled",
        },
    )
    return with_token({"FeatureGroupSummaries": [g.summary() for g in page]}, token)


# --------------------------------------------------------------------------------------------
# Online store
# --------------------------------------------------------------------------------------------


@dataclass
class StoredRecord:
    features: list[dict[str, Any]]
    event_time: float
    expires_at: datetime | None


@dataclass
class GroupRecords:
    """A feature group's online store (latest record per identifier) and the log of accepted puts."""

    online: dict[str, StoredRecord] = field(default_factory=dict)
    puts: list[dict[str, Any]] = field(default_factory=list)

    def get(self, record_id: str) -> StoredRecord | None:
        record = self.online.get(record_id)
        if record is not None and record.expires_at is not None and record.expires_at <= datetime.now(UTC):
            # Expired records are hard-deleted by the store.
            del self.online[record_id]
            return None
        return record


def _stores(backend: Any) -> dict[str, GroupRecords]:
    stores = backend.__dict__.get("_emulator_online_stores")
    if stores is None:
        stores = backend.__dict__.setdefault("_emulator_online_stores", {})
    return stores  # type: ignore[no-any-return]


def _lock(backend: Any) -> threading.RLock:
    lock = backend.__dict__.get("_emulator_featurestore_lock")
    if lock is None:
        lock = backend.__dict__.setdefault("_emulator_featurestore_lock", threading.RLock())
    return lock  # type: ignore[no-any-return]


def _runtime_group(backend: Any, name_or_arn: str, error: type[ServiceException]) -> ExtendedFeatureGroup:
    group = _find_group(backend, name_or_arn)
    if group is None:
        raise error(_not_found_message(name_or_arn))
    return group


def _target_stores(group: ExtendedFeatureGroup, targets: list[str] | None) -> set[str]:
    available = {"OnlineStore"} if group.online_enabled else set()
    if group.offline_store_config:
        available.add("OfflineStore")
    requested = set(targets or available)
    missing = sorted(requested - available)
    if missing:
        raise RuntimeValidationError(
            f"Validation Error: FeatureGroup {group.feature_group_name} has no {' or '.join(missing)}."
        )
    return requested


def _event_seconds(group: ExtendedFeatureGroup, value: str) -> float:
    definition = group.feature(group.event_time_feature_name) or {}
    if definition.get("FeatureType") == "Fractional":
        try:
            seconds = float(value)
        except ValueError:
            seconds = math.nan
        if not math.isfinite(seconds):
            raise RuntimeValidationError(
                f"Validation Error: EventTime {value!r} is not a Unix timestamp in seconds."
            )
        return seconds
    if not _EVENT_TIME_FORMAT.fullmatch(value):
        raise RuntimeValidationError(
            f"Validation Error: EventTime {value!r} is not in one of the formats yyyy-MM-dd'T'HH:mm:ssZ "
            "or yyyy-MM-dd'T'HH:mm:ss.SSSZ."
        )
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as error:
        raise RuntimeValidationError(
            f"Validation Error: EventTime {value!r} is not a valid date: {error}."
        ) from error


def _check_scalar(name: str, feature_type: str, value: str) -> None:
    if feature_type == "Integral":
        if not _INTEGRAL.fullmatch(value) or not _INT64[0] <= int(value) <= _INT64[1]:
            raise RuntimeValidationError(
                f"Validation Error: Feature {name} is Integral, but {value!r} is not a 64-bit integer."
            )
    elif feature_type == "Fractional":
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise RuntimeValidationError(
                f"Validation Error: Feature {name} is Fractional, but {value!r} is not a finite number."
            )


def _check_value(group: ExtendedFeatureGroup, feature: Mapping[str, Any]) -> None:
    name = feature["FeatureName"]
    definition = group.feature(name)
    if definition is None:
        raise RuntimeValidationError(
            f"Validation Error: Feature {name} is not defined in FeatureGroup {group.feature_group_name}."
        )
    scalar, collection = feature.get("ValueAsString"), feature.get("ValueAsStringList")
    collection_type = definition.get("CollectionType")
    if scalar is not None and collection is None:
        if collection_type is not None:
            raise RuntimeValidationError(
                f"Validation Error: Feature {name} is a {collection_type}; use ValueAsStringList."
            )
        _check_scalar(name, definition["FeatureType"], scalar)
        return
    if collection is not None and scalar is None:
        _check_collection(name, definition, collection)
        return
    raise RuntimeValidationError(
        f"Validation Error: Feature {name} needs exactly one of ValueAsString and ValueAsStringList."
    )


def _check_collection(name: str, definition: Mapping[str, Any], values: list[str]) -> None:
    collection_type = definition.get("CollectionType")
    if collection_type is None:
        raise RuntimeValidationError(
            f"Validation Error: Feature {name} is not a collection; use ValueAsString."
        )
    dimension = (definition.get("CollectionConfig") or {}).get("VectorConfig", {}).get("Dimension")
    if collection_type == "Vector" and dimension is not None and len(values) != dimension:
        raise RuntimeValidationError(
            f"Validation Error: Feature {name} is a vector of {dimension} values, not {len(values)}."
        )
    for value in values:
        _check_scalar(name, definition["FeatureType"], value)


def _check_record(group: ExtendedFeatureGroup, record: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    names = [feature["FeatureName"] for feature in record]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RuntimeValidationError(
            f"Validation Error: The record repeats feature(s) {', '.join(repeated)}."
        )
    for feature in record:
        _check_value(group, feature)
    values = {f["FeatureName"]: f.get("ValueAsString") for f in record}
    for required in (group.record_identifier_feature_name, group.event_time_feature_name):
        if not values.get(required):
            raise RuntimeValidationError(
                f"Validation Error: The record has no value for {required}, which every record of "
                f"FeatureGroup {group.feature_group_name} needs."
            )
    return {key: value for key, value in values.items() if value is not None}


def _ttl_expiry(
    group: ExtendedFeatureGroup, event_time: float, ttl: Mapping[str, Any] | None
) -> datetime | None:
    ttl = ttl or (group.online_store_config or {}).get("TtlDuration")
    if not ttl:
        return None
    seconds = _TTL_UNITS[ttl["Unit"]] * int(ttl["Value"])
    return datetime.fromtimestamp(event_time, UTC) + timedelta(seconds=seconds)


def _iso_millis(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def put_record(backend: Any, params: Mapping[str, Any]) -> None:
    group = _runtime_group(backend, params["FeatureGroupName"], RuntimeValidationError)
    if control.take("featurestore_put", feature_group=group.feature_group_name) is not None:
        raise ThrottlingException("Rate exceeded")
    record = [dict(feature) for feature in params["Record"]]
    values = _check_record(group, record)
    event_time = _event_seconds(group, values[group.event_time_feature_name])
    targets = _target_stores(group, params.get("TargetStores"))
    with _lock(backend):
        store = _stores(backend).setdefault(group.arn, GroupRecords())
        store.puts.append(
            {"record": record, "target_stores": sorted(targets), "time": _iso_millis(datetime.now(UTC))}
        )
        if "OnlineStore" not in targets:
            return
        record_id = values[group.record_identifier_feature_name]
        current = store.get(record_id)
        # An older event is history: it goes to the offline store only.
        if current is None or event_time >= current.event_time:
            store.online[record_id] = StoredRecord(
                record, event_time, _ttl_expiry(group, event_time, params.get("TtlDuration"))
            )


def _online_group(backend: Any, name: str, error: type[ServiceException]) -> ExtendedFeatureGroup:
    group = _runtime_group(backend, name, error)
    if not group.online_enabled:
        raise RuntimeValidationError(
            f"Validation Error: FeatureGroup {group.feature_group_name} has no OnlineStore: records can "
            "be read only from a feature group with the online store enabled."
        )
    return group


def _selected(
    group: ExtendedFeatureGroup, record: StoredRecord, names: list[str] | None
) -> list[dict[str, Any]]:
    for name in names or []:
        if group.feature(name) is None:
            raise RuntimeValidationError(
                f"Validation Error: Feature {name} is not defined in FeatureGroup {group.feature_group_name}."
            )
    return [dict(f) for f in record.features if not names or f["FeatureName"] in names]


def get_record(backend: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    group = _online_group(backend, params["FeatureGroupName"], RuntimeResourceNotFound)
    with _lock(backend):
        record = (
            _stores(backend)
            .setdefault(group.arn, GroupRecords())
            .get(params["RecordIdentifierValueAsString"])
        )
        if record is None:
            return {}
        result: dict[str, Any] = {"Record": _selected(group, record, params.get("FeatureNames"))}
    if params.get("ExpirationTimeResponse") == "Enabled" and record.expires_at is not None:
        result["ExpiresAt"] = _iso_millis(record.expires_at)
    return result


def delete_record(backend: Any, params: Mapping[str, Any]) -> None:
    group = _runtime_group(backend, params["FeatureGroupName"], RuntimeValidationError)
    event_time = _event_seconds(group, params["EventTime"])
    targets = _target_stores(group, params.get("TargetStores"))
    if "OnlineStore" not in targets:
        return
    with _lock(backend):
        store = _stores(backend).setdefault(group.arn, GroupRecords())
        record_id = params["RecordIdentifierValueAsString"]
        current = store.get(record_id)
        if current is None:
            return
        if event_time > current.event_time:
            del store.online[record_id]
        elif params.get("DeletionMode") == "HardDelete":
            raise RuntimeValidationError(
                f"Validation Error: EventTime {params['EventTime']} is not later than the EventTime of the "
                f"record {record_id}; the record was not deleted."
            )


def batch_get_record(backend: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    errors: list[dict[str, str]] = []
    expiry = params.get("ExpirationTimeResponse") == "Enabled"
    for identifier in params["Identifiers"]:
        name = identifier["FeatureGroupName"]
        for record_id in identifier["RecordIdentifiersValueAsString"]:
            try:
                group = _online_group(backend, name, RuntimeResourceNotFound)
                with _lock(backend):
                    record = _stores(backend).setdefault(group.arn, GroupRecords()).get(record_id)
                    if record is None:
                        continue
                    detail: dict[str, Any] = {
                        "FeatureGroupName": name,
                        "RecordIdentifierValueAsString": record_id,
                        "Record": _selected(group, record, identifier.get("FeatureNames")),
                    }
                if expiry and record.expires_at is not None:
                    detail["ExpiresAt"] = _iso_millis(record.expires_at)
                records.append(detail)
            except ServiceException as error:
                errors.append(
                    {
                        "FeatureGroupName": name,
                        "RecordIdentifierValueAsString": record_id,
                        "ErrorCode": error.code,
                        "ErrorMessage": error.message,
                    }
                )
    return {"Records": records, "Errors": errors, "UnprocessedIdentifiers": []}


def accepted_puts(account_id: str, region: str, group_name: str) -> list[dict[str, Any]]:
    """Every PutRecord the group accepted, oldest first: ``record``, ``target_stores``, ``time``.

    Feature Store keeps this history in the offline store; tests read it here to check that each
    item was written exactly once.
    """
    backend = sagemaker_backends[account_id][region]
    group = feature_group(backend, group_name)
    with _lock(backend):
        return [dict(put) for put in _stores(backend).get(group.arn, GroupRecords()).puts]
