"""The fault registry (in-process) and the control endpoint (over HTTP)."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from emulator.core import control
from emulator.core.control import FaultRegistry, FaultSpecError
from tests.fixtures.emulator import Emulator


class TestRegistry:
    def test_fault_fires_count_times_then_disarms(self) -> None:
        registry = FaultRegistry()
        registry.arm("labeling_job", {"mode": "failed", "count": 2})

        fired = [registry.take("labeling_job", job_name="job-1") for _ in range(3)]

        assert [f["mode"] if f else None for f in fired] == ["failed", "failed", None]
        assert fired[0] is not None
        assert fired[0]["remaining"] == 1
        assert registry.faults() == []

    def test_null_count_fires_until_cleared(self) -> None:
        registry = FaultRegistry()
        registry.arm("featurestore_put", {"count": None})

        assert all(registry.take("featurestore_put", feature_group="fg") for _ in range(5))
        assert registry.clear("featurestore_put") == 1
        assert registry.take("featurestore_put", feature_group="fg") is None

    def test_match_patterns(self) -> None:
        registry = FaultRegistry()
        registry.arm("labeling_job", {"mode": "zero_labeled", "match": {"job_name": "pipeline-*"}})

        assert registry.take("labeling_job", job_name="other-1") is None
        assert registry.take("labeling_job") is None  # the caller must say which job
        taken = registry.take("labeling_job", job_name="pipeline-7")
        assert taken is not None
        assert taken["mode"] == "zero_labeled"
        assert taken["match"] == {"job_name": "pipeline-*"}

    def test_first_armed_fires_first(self) -> None:
        registry = FaultRegistry()
        first = registry.arm("lambda_invoke", {"error_type": "First"})
        registry.arm("lambda_invoke", {"error_type": "Second"})

        taken = registry.take("lambda_invoke", function_name="fn")

        assert taken is not None
        assert (taken["id"], taken["error_type"]) == (first["id"], "First")

    @pytest.mark.parametrize(
        ("kind", "spec", "message"),
        [
            ("nonsense", {}, "unknown fault kind"),
            ("labeling_job", {"delay_seconds": -1}, "at least 0"),
            ("labeling_job", {"delay_seconds": True}, "wrong type"),
            ("labeling_job", {"mode": "exploded"}, "mode must be"),
            ("labeling_job", {"mode": "failed", "count": 0}, "count must be"),
            ("labeling_job", {"mode": "failed", "count": True}, "count must be"),
            ("labeling_job", {"mode": "failed", "match": {"function_name": "x"}}, "match on job_name"),
            ("labeling_job", {"mode": "failed", "match": ["x"]}, "match must be"),
            ("lambda_invoke", {"after": "yes"}, "wrong type"),
            ("lambda_invoke", {"colour": "red"}, "no field 'colour'"),
            ("workforce", {"mode": "initializing", "describes": 0}, "at least 1"),
        ],
    )
    def test_bad_specs_are_refused(self, kind: str, spec: dict[str, Any], message: str) -> None:
        registry = FaultRegistry()

        with pytest.raises(FaultSpecError, match=message):
            registry.arm(kind, spec)

        assert registry.faults() == []

    def test_concurrent_takes_never_exceed_the_count(self) -> None:
        registry = FaultRegistry()
        registry.arm("lambda_invoke", {"count": 50})
        taken: list[object] = []

        def take_many() -> None:
            for _ in range(40):
                if registry.take("lambda_invoke", function_name="fn"):
                    taken.append(1)

        threads = [threading.Thread(target=take_many) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert len(taken) == 50


class TestRoutes:
    def test_extension_route_gets_the_path_groups(self) -> None:
        control.register_route(
            "GET", r"things/(?P<name>[^/]+)/count", lambda _, groups: {"name": groups["name"]}
        )
        request = Request(EnvironBuilder(path="/_emulator/things/a-b/count", method="GET").get_environ())

        answer = control.handle(request, [])

        assert (answer.status_code, json.loads(answer.get_data())) == (200, {"name": "a-b"})

    def test_other_method_is_not_routed(self) -> None:
        control.register_route("GET", r"things/(?P<name>[^/]+)/count", lambda _, groups: {})
        request = Request(EnvironBuilder(path="/_emulator/things/a/count", method="DELETE").get_environ())

        assert control.handle(request, []).status_code == 404


def post(url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class TestEndpoint:
    def test_arm_list_clear(self, emulator: Emulator) -> None:
        armed = emulator.arm_fault("labeling_job", mode="failed", match={"job_name": "endpoint-*"}, count=3)

        assert armed["remaining"] == 3
        assert armed in emulator.faults()
        assert emulator.clear_faults("labeling_job") >= 1
        assert [f for f in emulator.faults() if f["kind"] == "labeling_job"] == []

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (b"{not json", "not JSON"),
            (b"[]", "JSON object"),
            (b'{"kind": "bogus"}', "unknown fault kind"),
            (b'{"kind": "labeling_job", "mode": "exploded"}', "mode must be"),
        ],
    )
    def test_bad_requests_get_400_and_a_reason(self, emulator: Emulator, body: bytes, message: str) -> None:
        status, answer = post(f"{emulator.url}/_emulator/faults", body)

        assert status == 400
        assert message in answer["error"]

    def test_unknown_route(self, emulator: Emulator) -> None:
        status, answer = post(f"{emulator.url}/_emulator/nothing", b"{}")

        assert status == 404
        assert "no control route" in answer["error"]

    def test_health_lists_the_extensions(self, emulator: Emulator) -> None:
        with urllib.request.urlopen(f"{emulator.url}/_emulator/health", timeout=10) as response:
            health = json.loads(response.read())

        assert health["status"] == "ok"
        assert {
            "awslambda.runtime",
            "stepfunctions.responses",
            "cognitoidp.models",
            "s3.notifications",
        } <= set(health["extensions"])


class TestClock:
    def test_the_clock_moves_forward_only_and_a_reset_brings_back_real_time(
        self, emulator_clean: Emulator
    ) -> None:
        # Given an emulator on real time
        emulator = emulator_clean
        # When the clock is moved a day forward, then asked to go back or to move by something else
        moved = emulator.advance_clock(86_400)
        refusals = [
            post(f"{emulator.url}/_emulator/clock", body)
            for body in (b'{"advance_seconds": -1}', b'{"advance_seconds": "1d"}', b"{}", b"{not json")
        ]
        emulator.reset()
        with urllib.request.urlopen(f"{emulator.url}/_emulator/clock", timeout=10) as response:
            after_reset = json.loads(response.read())
        # Then it moved exactly a day, refused the rest with a reason, and the reset put it back
        assert moved["offset_seconds"] == 86_400
        assert [(status, answer["error"]) for status, answer in refusals] == [
            (400, "the clock only moves forward: advance_seconds must be >= 0, not -1"),
            (400, "advance_seconds must be a number of seconds, not '1d'"),
            (400, 'the body must be a JSON object with "advance_seconds"'),
            (
                400,
                "the body is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 "
                "(char 1)",
            ),
        ]
        assert after_reset["offset_seconds"] == 0
