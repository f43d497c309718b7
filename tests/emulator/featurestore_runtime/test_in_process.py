"""The Feature Store and Ground Truth extensions in-process, under moto's ``mock_aws`` (no emulator server).

Unit tests may install the extensions in their own process; boto3 then addresses the runtime by its
real host name (``featurestore-runtime.sagemaker.<region>.amazonaws.com``), which the extension adds
to moto's backend index.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import moto.backend_index
import moto.core.errors
import moto.sagemaker.urls
import pytest
from moto import mock_aws

from emulator.featurestore_runtime import models as featurestore_models
from emulator.featurestore_runtime import responses as featurestore_runtime
from emulator.sagemaker import responses as sagemaker_groundtruth


@pytest.fixture
def aws() -> Iterator[None]:
    sagemaker_groundtruth.install()
    featurestore_runtime.install()
    with mock_aws():
        yield


def test_a_record_round_trips_through_the_runtime_host_name(aws: None) -> None:
    sagemaker: Any = boto3.client("sagemaker")
    runtime: Any = boto3.client("sagemaker-featurestore-runtime")
    sagemaker.create_feature_group(
        FeatureGroupName="labels",
        RecordIdentifierFeatureName="record_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "record_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "String"},
        ],
        OnlineStoreConfig={"EnableOnlineStore": True},
    )
    values = [
        {"FeatureName": "record_id", "ValueAsString": "r1"},
        {"FeatureName": "event_time", "ValueAsString": "2026-01-01T00:00:00Z"},
    ]

    runtime.put_record(FeatureGroupName="labels", Record=values)

    assert runtime.meta.endpoint_url == "https://featurestore-runtime.sagemaker.us-east-1.amazonaws.com"
    assert (
        runtime.get_record(FeatureGroupName="labels", RecordIdentifierValueAsString="r1")["Record"] == values
    )
    assert featurestore_models.accepted_puts("123456789012", "us-east-1", "labels")[0]["record"] == values


def test_installing_twice_changes_nothing(aws: None) -> None:
    sagemaker_groundtruth.install()
    featurestore_runtime.install()

    runtime_hosts = [p for _, p in moto.backend_index.backend_url_patterns if "featurestore" in p.pattern]
    assert len(runtime_hosts) == 1
    assert moto.core.errors.COMMON_ERROR_CODES.count("ThrottlingException") == 1
    assert moto.sagemaker.urls.url_bases.count(featurestore_runtime.RUNTIME_HOST) == 1
    assert boto3.client("sagemaker").list_workforces()["Workforces"] == []
