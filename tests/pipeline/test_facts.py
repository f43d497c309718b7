"""The facts the module and the functions share are read from the module's data files, in a checkout and
in the Lambda package, and the functions enforce what the module enforces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from labeling_pipeline import facts
from labeling_pipeline.config import ConfigError, TaskType, parse_config
from labeling_pipeline.features import build_record
from labeling_pipeline.ledger import ItemState, LedgerItem
from labeling_pipeline.model import AcceptedLabel, SourceObject
from package_lambda import package_function
from tests.pipeline.harness import pipeline_config

REPO = Path(__file__).resolve().parents[2]
MODULE_DATA = REPO / "modules/labeling_pipeline/data"


def test_in_a_checkout_the_functions_read_the_modules_own_data_files() -> None:
    # Given the repository as checked out (no data/ inside lambda/labeling_pipeline)
    # When the functions' facts are loaded
    # Then they come from the module's directory, which the module reads too
    assert facts.DATA_DIR == MODULE_DATA
    features = json.loads((MODULE_DATA / "features.json").read_text())
    assert tuple((f["name"], f["type"]) for f in features["features"]) == facts.FEATURES


def test_the_functions_know_exactly_the_task_types_of_the_module() -> None:
    # Given the task types the functions name and the module's table
    # Then they are the same set, so no type is accepted by one side only
    assert {t.value for t in TaskType} == set(facts.TASK_TYPES)


def test_a_record_carries_the_feature_groups_features_in_their_order() -> None:
    # Given a labeled text line
    item = LedgerItem(
        item_id="i-1",
        state=ItemState.CLAIMED,
        attempts=1,
        source=SourceObject("bucket", "texts/a.txt", "v1"),
        line=3,
        text="a line",
        uploaded_at="2026-02-03T04:05:06Z",
        record_id="r-1",
    )
    accepted = AcceptedLabel("i-1", "positive", 0.9, "2026-02-03T05:00:00Z", "job", "accepted")
    # When its record is built
    record = build_record(item, accepted, TaskType.TEXT_SINGLE_LABEL_CLASSIFICATION)
    # Then it names every feature of the Feature Group, in the module's order, and nothing else
    assert [f["FeatureName"] for f in record] == [name for name, _ in facts.FEATURES]


@pytest.mark.parametrize(
    ("concurrency", "accepted"),
    [(facts.MAX_FEATURE_STORE_CONCURRENCY, True), (facts.MAX_FEATURE_STORE_CONCURRENCY + 1, False)],
)
def test_the_functions_accept_the_feature_store_concurrency_the_module_accepts(
    concurrency: int, accepted: bool
) -> None:
    # Given a configuration at, or just over, the module's limit (feature_store.concurrency)
    config = pipeline_config(TaskType.IMAGE_BOUNDING_BOX, feature_store_concurrency=concurrency)
    # When the functions parse it
    # Then they accept the limit and refuse one more, as the module's validation does
    if accepted:
        assert parse_config(json.dumps(config)).feature_store_concurrency == concurrency
    else:
        with pytest.raises(
            ConfigError, match=f"feature_store_concurrency must be an integer from 1 to {concurrency - 1}"
        ):
            parse_config(json.dumps(config))


def test_the_lambda_package_ships_the_data_files_and_its_functions_load_them(tmp_path: Path) -> None:
    # Given the labeling_pipeline package built as `make package` builds it
    built = package_function(REPO / "lambda/labeling_pipeline", tmp_path / "out")
    # Then it holds every data file of the module, byte for byte
    with zipfile.ZipFile(built) as archive:
        shipped = {n: archive.read(n) for n in archive.namelist() if n.startswith("labeling_pipeline/data/")}
        archive.extractall(tmp_path / "unzipped")
    assert shipped == {
        f"labeling_pipeline/data/{path.name}": path.read_bytes()
        for path in sorted(MODULE_DATA.glob("*.json"))
    }
    # When the function's code is imported from the unzipped package alone, as Lambda imports it
    probe = (
        "import json; from labeling_pipeline import facts, handlers; "
        "print(json.dumps([str(facts.DATA_DIR), len(facts.TASK_TYPES), facts.POLLS_PER_JOB]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path / "unzipped")},
        capture_output=True,
        text=True,
        check=True,
    )
    # Then it reads the facts from the package's own data directory
    data_dir, task_types, polls = json.loads(result.stdout)
    assert Path(data_dir) == tmp_path / "unzipped/labeling_pipeline/data"
    assert (task_types, polls) == (len(facts.TASK_TYPES), facts.POLLS_PER_JOB)
