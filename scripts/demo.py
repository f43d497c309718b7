"""The whole product on the local AWS emulator, as a newcomer sees it (`make demo`).

Starts the emulator, applies envs/local (workforce + two pipelines), invites a demo worker with
scripts/invite.py, uploads the sample images and texts in scripts/demo_data, runs each pipeline's state
machine (the simulated labelers of the emulator answer), prints the Feature Store records and the
labeling portal URL, and tears everything down unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "scripts" / "demo_data"
ENV_DIR = REPO / "envs" / "local"
DEMO_WORKER = "demo.labeler@example.com"
EXECUTION_TIMEOUT_SECONDS = 300

sys.path.insert(0, str(REPO / "lambda"))
from labeling_pipeline.model import SourceObject, record_id  # noqa: E402

console = Console()


@contextmanager
def step(title: str) -> Iterator[None]:
    started = time.monotonic()
    console.print(f"[bold cyan]>[/] {title} ...")
    yield
    console.print(f"  [green]done[/] in {time.monotonic() - started:.1f} s")


def run(*command: str, env: dict[str, str] | None = None, quiet: bool = True) -> str:
    result = subprocess.run(  # noqa: S603 - fixed commands of this repository
        command, cwd=REPO, env=env, text=True, capture_output=quiet, check=False
    )
    if result.returncode != 0:
        if quiet:
            console.print(result.stdout[-4000:], result.stderr[-4000:], markup=False)
        raise SystemExit(f"error: {' '.join(command)} failed with exit code {result.returncode}")
    return result.stdout if quiet else ""


def emulator_env() -> dict[str, str]:
    host = os.environ.get("EMULATOR_HOST", "127.0.0.1")
    port = os.environ.get("EMULATOR_PORT", "4566")
    env = {k: v for k, v in os.environ.items() if k != "AWS_PROFILE"}
    env.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",  # noqa: S106 - the local emulator accepts any key
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        # The demo's labelers answer at once; real workers take hours.
        MOTO_EXT_LABELING_DELAY_SECONDS="1",
    )
    return env


def terraform_cli() -> str:
    """The Terraform or OpenTofu CLI `make setup` chose; make passes it as TF."""
    cli = os.environ.get("TF")
    if not cli:
        raise SystemExit("error: TF names the Terraform or OpenTofu CLI; run the demo with `make demo`")
    return cli


def tofu_outputs(env: dict[str, str]) -> dict[str, Any]:
    raw = json.loads(run(terraform_cli(), f"-chdir={ENV_DIR}", "output", "-json", env=env))
    return {name: value["value"] for name, value in raw.items()}


def upload_samples(s3: Any, pipelines: dict[str, Any]) -> dict[str, list[tuple[str, int | None]]]:
    """Upload the sample data; returns per pipeline the (key, line) of every item sent."""
    labels = json.loads((DATA / "labels.json").read_text())
    sent: dict[str, list[tuple[str, int | None]]] = {"images": [], "reviews": []}
    images_bucket = pipelines["images"]["upload_bucket_name"]
    for path in sorted((DATA / "images").glob("*.png")):
        key = f"images/{path.name}"
        # The emulator's simulated labelers read the answer from the object's tags.
        tagging = urllib.parse.urlencode({"label": labels[key]})
        s3.put_object(
            Bucket=images_bucket, Key=key, Body=path.read_bytes(), ContentType="image/png", Tagging=tagging
        )
        sent["images"].append((key, None))
    text = (DATA / "reviews.txt").read_text()
    s3.put_object(
        Bucket=pipelines["reviews"]["upload_bucket_name"],
        Key="reviews/reviews.txt",
        Body=text.encode(),
        ContentType="text/plain",
    )
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    sent["reviews"] = [("reviews/reviews.txt", n) for n in lines]
    return sent


def run_pipeline(sfn: Any, state_machine_arn: str) -> dict[str, Any]:
    """Start one execution (the schedule would, every 5 minutes) and wait for its outcome."""
    execution = sfn.start_execution(stateMachineArn=state_machine_arn)
    deadline = time.monotonic() + EXECUTION_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            output = json.loads(described.get("output") or "{}")
            return {"status": described["status"], **output}
        time.sleep(1)
    raise SystemExit(f"error: {state_machine_arn} did not finish in {EXECUTION_TIMEOUT_SECONDS} s")


def feature_records(
    runtime: Any, group: str, bucket: str, items: list[tuple[str, int | None]]
) -> list[dict[str, str]]:
    identifiers = [record_id(SourceObject(bucket, key, None), line) for key, line in items]
    response = runtime.batch_get_record(
        Identifiers=[{"FeatureGroupName": group, "RecordIdentifiersValueAsString": identifiers}]
    )
    return [{f["FeatureName"]: f["ValueAsString"] for f in r["Record"]} for r in response["Records"]]


def print_records(title: str, bucket: str, records: list[dict[str, str]]) -> None:
    table = Table(title=title)
    for column in ("object", "line", "label", "confidence", "verification", "labeled at"):
        table.add_column(column, overflow="fold")
    prefix = f"s3://{bucket}/"
    for record in sorted(records, key=lambda r: (r["source_ref"], int(r.get("line_number") or 0))):
        line = record.get("line_number", "0")
        table.add_row(
            record["source_ref"].removeprefix(prefix),
            "" if line == "0" else line,
            record.get("label", ""),
            record.get("confidence", ""),
            record.get("verification_outcome", ""),
            record.get("labeled_at", ""),
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the emulator and the stack running")
    args = parser.parse_args(argv)
    env = emulator_env()
    os.environ.update(env)  # this process's AWS clients talk to the emulator too
    started = time.monotonic()

    with step("Starting the local AWS emulator"):
        run("make", "-s", "emulator-up", env=env)
    try:
        with step(f"Deploying envs/local (workforce, two pipelines) with {Path(terraform_cli()).name}"):
            run("scripts/env.sh", "local", "apply", env={**env, "AUTO_APPROVE": "1"})
        outputs = tofu_outputs(env)
        pipelines = outputs["pipelines"]
        with step(f"Inviting {DEMO_WORKER} to the labelers team with scripts/invite.py"):
            console.print(run(sys.executable, "scripts/invite.py", "--env", "local",
                              "--email", DEMO_WORKER, "--team", "labelers", env=env).rstrip())  # fmt: skip
        s3 = boto3.client("s3")
        with step("Uploading 4 sample images and a text file of 4 reviews"):
            sent = upload_samples(s3, pipelines)
        sfn = boto3.client("stepfunctions")
        runtime = boto3.client("sagemaker-featurestore-runtime")
        for name in ("images", "reviews"):
            with step(f"Running the '{name}' pipeline (labeling job, simulated labelers, Feature Store)"):
                outcome = run_pipeline(sfn, pipelines[name]["state_machine_arn"])
                console.print(f"  outcome: {outcome}")
            records = feature_records(
                runtime,
                pipelines[name]["feature_group_name"],
                pipelines[name]["upload_bucket_name"],
                sent[name],
            )
            print_records(
                f"Feature Group {pipelines[name]['feature_group_name']}",
                pipelines[name]["upload_bucket_name"],
                records,
            )
        console.print(f"[bold]Labeling portal:[/] {outputs['labeling_portal_url']}")
    finally:
        if not args.keep:
            with step("Tearing down (make demo KEEP=1 keeps everything)"):
                run("scripts/env.sh", "local", "destroy", env={**env, "AUTO_APPROVE": "1"})
                run("make", "-s", "emulator-down", env=env)
    console.print(f"[bold green]Demo finished in {time.monotonic() - started:.0f} s[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
