"""The whole product on the local AWS emulator, as a newcomer sees it (`make demo`).

Starts the emulator, applies envs/local (workforce + two pipelines), invites a demo worker with
scripts/invite.py, uploads the sample images and texts in scripts/demo_data, runs each pipeline's state
machine (the simulated labelers of the emulator answer), prints the Feature Store records, each
pipeline's dashboard and the labeling portal URL, then stops the emulator and clears envs/local's state
unless --keep is given.

Why not `destroy`: the emulator keeps every resource in memory, so stopping it removes them all at once,
where a destroy waits minutes on the provider's waiters (queues, buckets) for the same result. The state
that described those resources goes with them. `make destroy ENV=local` still destroys one by one.
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

from emulator.ctl import answers
from labeling_pipeline.model import SourceObject, record_id

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "scripts" / "demo_data"
ENV_DIR = REPO / "envs" / "local"
DEMO_WORKER = "demo.labeler@example.com"
EXECUTION_TIMEOUT_SECONDS = 300
# envs/local/backend.tf keeps the state in the environment's directory (path = "terraform.tfstate"); the
# CLI writes its backup and its lock file beside it.
LOCAL_STATE_FILES = ("terraform.tfstate", "terraform.tfstate.backup", ".terraform.tfstate.lock.info")


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


def emulator_url() -> str:
    return f"http://{os.environ.get('EMULATOR_HOST', '127.0.0.1')}:{os.environ.get('EMULATOR_PORT', '4566')}"


def emulator_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AWS_PROFILE"}
    env.update(
        AWS_ENDPOINT_URL=emulator_url(),
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",  # noqa: S106 - the local emulator accepts any key
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        # The demo's labelers answer at once; real workers take hours.
        EMULATOR_LABELING_DELAY_SECONDS="1",
    )
    return env


def terraform_cli() -> str:
    """The Terraform or OpenTofu CLI `make setup` chose; make passes it as TF."""
    cli = os.environ.get("TF")
    if not cli:
        raise SystemExit("error: TF names the Terraform or OpenTofu CLI; run the demo with `make demo`")
    return cli


def clear_local_state(env_dir: Path = ENV_DIR) -> list[str]:
    """Delete the environment's Terraform state files; returns the names of those that existed."""
    removed = []
    for name in LOCAL_STATE_FILES:
        path = env_dir / name
        if path.exists():
            path.unlink()
            removed.append(name)
    return removed


def clear_stale_state(url: str, env_dir: Path = ENV_DIR) -> None:
    """Clear state left by an emulator that has stopped since (`make demo KEEP=1`, `make emulator-down`).

    It names resources that no longer exist; the emulator about to start is empty, so the state must be too.
    """
    if not answers(url) and clear_local_state(env_dir):
        where = f"{env_dir.parent.name}/{env_dir.name}"
        console.print(f"  {where}: cleared the state of an emulator that no longer runs")


def stop_emulator_and_clear_state(
    env: dict[str, str], env_dir: Path = ENV_DIR, emulator_dir: Path | None = None
) -> None:
    """The demo's teardown: the resources die with the emulator, and the state describing them after.

    The state is kept when the emulator does not stop (``run`` exits first): it still describes what runs.
    ``emulator_dir``: the emulator's state directory, when not make's own (.emulator).
    """
    where = [f"EMULATOR_DIR={emulator_dir}"] if emulator_dir else []
    run("make", "-s", "emulator-down", *where, env=env)
    removed = clear_local_state(env_dir)
    console.print(f"  emulator stopped, local state cleared ({', '.join(removed) or 'there was none'})")


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


def show_dashboard(cloudwatch: Any, pipeline: dict[str, Any]) -> None:
    """Name the pipeline's dashboard and what it graphs, read back from CloudWatch."""
    name, url = pipeline["dashboard_name"], pipeline["dashboard_url"]
    if name is None:
        console.print("  no dashboard (dashboard.enabled = false)")
        return
    widgets = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets if "title" in w["properties"]]
    console.print(f"[bold]Dashboard {name}:[/] {', '.join(titles)}\n  {url}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", action="store_true", help="leave the emulator and the stack running")
    args = parser.parse_args(argv)
    env = emulator_env()
    os.environ.update(env)  # this process's AWS clients talk to the emulator too
    started = time.monotonic()

    clear_stale_state(emulator_url())
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
            show_dashboard(boto3.client("cloudwatch"), pipelines[name])
        console.print(f"[bold]Labeling portal:[/] {outputs['labeling_portal_url']}")
    finally:
        if args.keep:
            console.print(
                f"Kept: the emulator at {emulator_url()} and the state in envs/local "
                "(`make destroy ENV=local` destroys the stack, `make emulator-down` stops the emulator)."
            )
        else:
            with step("Stopping the emulator, which removes everything deployed (make demo KEEP=1 keeps it)"):
                stop_emulator_and_clear_state(env)
    console.print(f"[bold green]Demo finished in {time.monotonic() - started:.0f} s[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
