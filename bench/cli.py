"""``make bench``: run the benchmark sections, print one table, write the same figures as JSON."""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.common import REPO, Figure, SectionResult, emulator, hardware, point_sdk_at, quiet_handlers

SECTIONS = ("drain", "features", "coldstart", "infra")
MIB = 1024 * 1024


@dataclass(frozen=True)
class Sizes:
    drain_items: int
    drain_small: int
    batch_capacity: int  # the module's default max_objects_per_job (the per-job maximum of the task type)
    earlier_capacity: int  # the module's earlier default, one job of 1,000 per run: the backlog's counterpart
    write_items: int
    round_trip_items: int
    round_trip_ms: float
    import_repeats: int
    scale_items: int = 100_000


FULL = Sizes(
    drain_items=10_000,
    drain_small=1_000,
    batch_capacity=100_000,
    earlier_capacity=1_000,
    write_items=10_000,
    round_trip_items=1_000,
    round_trip_ms=10.0,
    import_repeats=5,
)
QUICK = Sizes(
    drain_items=40,
    drain_small=20,
    batch_capacity=100_000,
    earlier_capacity=20,
    write_items=30,
    round_trip_items=10,
    round_trip_ms=5.0,
    import_repeats=1,
)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--out", type=Path, default=REPO / "reports" / "bench.json", help="JSON file to write"
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes, no infrastructure (checks the bench runs)"
    )
    parser.add_argument(
        "--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--drain-items", type=int, help="queued uploads to drain (default 10000)")
    parser.add_argument(
        "--write-items", type=int, help="labels to write to the Feature Store (default 10000)"
    )
    parser.add_argument(
        "--round-trip-ms", type=float, help="simulated network round trip per request (default 10)"
    )
    parser.add_argument(
        "--lambda-python", help="interpreter for the import times (default: python3.13 if it runs)"
    )
    parser.add_argument("--infra-timeout", type=float, default=2700.0, help="seconds allowed per tofu step")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    for name in ("drain_items", "write_items"):
        value = getattr(args, name)
        if value is not None and value < 2:
            parser.error(f"--{name.replace('_', '-')} must be at least 2")
    return args


def _sizes(args: argparse.Namespace) -> Sizes:
    sizes = QUICK if args.quick else FULL
    if args.drain_items:
        small = max(1, min(sizes.drain_small, args.drain_items // 10))
        earlier = min(1_000, max(1, args.drain_items // 10))
        sizes = replace(sizes, drain_items=args.drain_items, drain_small=small, earlier_capacity=earlier)
    if args.write_items:
        sizes = replace(
            sizes,
            write_items=args.write_items,
            round_trip_items=min(sizes.round_trip_items, args.write_items),
        )
    if args.round_trip_ms is not None:
        sizes = replace(sizes, round_trip_ms=args.round_trip_ms)
    return sizes


def _mib(value: int | None) -> float | None:
    return None if value is None else round(value / MIB, 2)


# --- sections ------------------------------------------------------------------------------------


def drain_section(url: str, sizes: Sizes) -> SectionResult:
    from bench import drain  # noqa: PLC0415 - needs the paths and environment set up by main()
    from bench.deployment import Deployment  # noqa: PLC0415

    title = "Draining the queue"
    result = SectionResult(title)
    deployment = Deployment.create(url)
    started = time.perf_counter()
    events = drain.queued_upload_events(deployment, sizes.drain_items)
    upload_seconds = time.perf_counter() - started
    big, small, capacity = sizes.drain_items, sizes.drain_small, sizes.batch_capacity
    runs = {
        "ours_backlog": drain.drain_ours(deployment, events, capacity, trace_memory=False),
        "receive_only": drain.drain_receive_only(deployment, events),
        "ours_backlog_traced": drain.drain_ours(deployment, events, capacity, trace_memory=True),
        "naive_one_batch": drain.drain_naive(deployment, events, big, trace_memory=True),
        "ours_small": drain.drain_ours(deployment, events[:small], small, trace_memory=True),
        "naive_small": drain.drain_naive(deployment, events[:small], small, trace_memory=True),
        "earlier_default_batches": drain.drain_ours(
            deployment, events, sizes.earlier_capacity, trace_memory=False
        ),
    }
    result.details = {
        "method": drain.__doc__,
        "set_up_upload_seconds": round(upload_seconds, 1),
        "runs": {name: run.to_json() for name, run in runs.items()},
    }
    lost = [
        name
        for name, run in runs.items()
        if name != "receive_only" and (run.claimed != run.items or run.left_on_queue)
    ]
    if lost:
        result.error = f"runs that did not claim every item exactly once: {', '.join(lost)}"
    ours, traced, naive = runs["ours_backlog"], runs["ours_backlog_traced"], runs["naive_one_batch"]
    floor, earlier, ours_small = runs["receive_only"], runs["earlier_default_batches"], runs["ours_small"]
    sqs_calls, ledger_requests = ours.per_item("sqs"), ours.per_item("dynamodb")
    work, floor_work = ours.seconds / big, floor.seconds / big
    growth = (traced.peak_bytes or 0) / max(1, ours_small.peak_bytes or 1)
    result.figures = [
        Figure(
            title,
            f"Scheduled runs until a backlog of {big:,} uploads is in labeling jobs",
            "runs",
            ours.runs_with_items,
            earlier.runs_with_items,
            f"{sizes.earlier_capacity:,} per run (earlier default)",
            "1",
            ours.runs_with_items == 1,
            f"max_objects_per_job {capacity:,} (module default: the per-job maximum); one claim-batch "
            "invocation per run",
        ),
        Figure(
            title,
            f"Wall time of that run's claim, {big:,} items",
            "s",
            round(ours.seconds, 1),
            round(earlier.seconds, 1),
            f"all {earlier.runs_with_items} runs of {sizes.earlier_capacity:,}",
            note=f"{ours.runs_with_items} invocation(s); {big / ours.seconds:.0f} items/s (emulator)",
        ),
        Figure(
            title,
            f"SQS API calls per item, {big:,} queued uploads",
            "calls/item",
            round(sqs_calls, 4),
            round(naive.per_item("sqs"), 4),
            "receive 1, delete 1",
            "<= 0.21",
            sqs_calls <= 0.21,
            f"ours: {ours.calls['sqs']}; naive: {naive.calls['sqs']}",
        ),
        Figure(
            title,
            f"Claim work time per item against a receive-and-delete-only drain, {big:,} items",
            "ms/item",
            round(1000 * work, 3),
            round(1000 * floor_work, 3),
            "receive + delete only (loses items)",
            "<= 2x",
            work <= 2 * floor_work,
            f"x{work / floor_work:.2f}; naive claim {1000 * naive.seconds / big:.2f} ms/item (traced)",
        ),
        Figure(
            title,
            f"DynamoDB requests per item, {big:,} items",
            "requests/item",
            round(ledger_requests, 4),
            round(naive.per_item("dynamodb"), 4),
            "one conditional put per item",
            "<= 0.1",
            ledger_requests <= 0.1,
            f"ours: {ours.calls['dynamodb']}",
        ),
        Figure(
            title,
            f"Peak memory of claim_batch, one batch of {small:,}",
            "MiB",
            _mib(ours_small.peak_bytes),
            _mib(runs["naive_small"].peak_bytes),
            "one by one",
        ),
        Figure(
            title,
            f"Peak memory of claim_batch, the backlog of {big:,} in one batch",
            "MiB",
            _mib(traced.peak_bytes),
            _mib(naive.peak_bytes),
            "one by one",
            "no growth with N",
            growth <= 1.5,
            f"x{growth:.1f} for {big // max(1, small)}x the items",
        ),
    ]
    return result


def features_section(url: str, sizes: Sizes) -> SectionResult:
    from bench import features  # noqa: PLC0415
    from bench.deployment import Deployment  # noqa: PLC0415

    title = "Writing labels to the Feature Store"
    result = SectionResult(title)
    deployment = Deployment.create(url)
    runs = {
        "ours": features.write_labels(deployment, "ours", sizes.write_items, 16),
        "sequential": features.write_labels(deployment, "sequential", sizes.write_items, 1),
        "ours_round_trip": features.write_labels(
            deployment, "ours-rtt", sizes.round_trip_items, 16, sizes.round_trip_ms
        ),
        "sequential_round_trip": features.write_labels(
            deployment, "sequential-rtt", sizes.round_trip_items, 1, sizes.round_trip_ms
        ),
    }
    ours, sequential = runs["ours"], runs["sequential"]
    plan = features.scale_plan(ours, sizes.scale_items)
    result.details = {
        "method": features.__doc__,
        "runs": {name: run.to_json() for name, run in runs.items()},
        "scale_to_100000": plan,
        "cpu": features.cpu_summary(ours, sequential),
        "cpu_round_trip": features.cpu_summary(runs["ours_round_trip"], runs["sequential_round_trip"]),
    }
    wrong = [name for name, run in runs.items() if run.written != run.items or run.puts != run.items]
    if wrong:
        result.error = f"runs that did not write every record exactly once: {', '.join(wrong)}"
    speedup = ours.records_per_second / sequential.records_per_second
    rtt_ours, rtt_seq = runs["ours_round_trip"], runs["sequential_round_trip"]
    rtt_speedup = rtt_ours.records_per_second / rtt_seq.records_per_second
    longest, limit = plan["longest_write_features_invocation_seconds"], plan["write_features_timeout_seconds"]
    result.figures = [
        Figure(
            title,
            f"Records written per second, {sizes.write_items:,} labels",
            "records/s",
            round(ours.records_per_second, 1),
            round(sequential.records_per_second, 1),
            "sequential",
            ">= 5x sequential",
            speedup >= 5,
            f"x{speedup:.1f}; {features.cpu_note(ours, sequential)}",
        ),
        Figure(
            title,
            f"Records/s, {sizes.round_trip_ms:g} ms round trip per call, {sizes.round_trip_items:,} labels",
            "records/s",
            round(rtt_ours.records_per_second, 1),
            round(rtt_seq.records_per_second, 1),
            "sequential",
            ">= 5x sequential",
            rtt_speedup >= 5,
            (
                f"x{rtt_speedup:.1f}; the round trip is added to every request of both writers; "
                f"{features.cpu_note(rtt_ours, rtt_seq)}"
            ),
        ),
        Figure(
            title,
            f"Requests per record written, {sizes.write_items:,} labels",
            "requests/record",
            round(ours.requests / ours.written, 4),
            round(sequential.requests / sequential.written, 4),
            "sequential (same ledger batching)",
            "<= 1.1",
            ours.requests <= 1.1 * ours.written,
            "PutRecord, plus the ledger's BatchGetItem and TransactWriteItems per 100 records; a ledger "
            "update per record made it 2",
        ),
        Figure(
            title,
            f"Longest write_features invocation ({plan['chunk_size']} records per chunk)",
            "s",
            longest,
            round(sequential.write_seconds, 1),
            f"all {sizes.write_items:,} sequentially in one",
            f"<< {limit} s (Lambda timeout)",
            longest * 10 < (limit or 0),
            features.scale_note(plan),
        ),
    ]
    return result


def coldstart_section(sizes: Sizes, lambda_python: str | None) -> SectionResult:
    from bench import coldstart  # noqa: PLC0415

    title = "Cold start"
    result = SectionResult(title)
    package_dir = REPO / "build" / "lambda"
    if not (package_dir / "labeling_pipeline.zip").is_file():
        result.error = f"no Lambda packages in {package_dir.relative_to(REPO)}: run `make package` first"
        return result
    python = coldstart.interpreter(lambda_python)
    imports = coldstart.measure_imports(package_dir, sizes.import_repeats, python)
    packages = coldstart.measure_packages(package_dir)
    result.details = {"method": coldstart.__doc__, "imports": imports, "packages": packages}
    for entry in imports:
        ours = entry["import_ms_median"]
        result.figures.append(
            Figure(
                title,
                f"Import {entry['module']} (Python {entry['python']})",
                "ms",
                ours,
                entry["naive_import_ms_median"],
                "clients created at import",
                f"< {coldstart.IMPORT_TARGET_MS:.0f} ms",
                ours < coldstart.IMPORT_TARGET_MS,
                (
                    f"median of {entry['repeats']}; boto3 alone {entry['boto3_import_ms_median']} ms; "
                    f"with .pyc shipped {entry['precompiled_import_ms_median']} ms"
                ),
            )
        )
    for entry in packages:
        size = entry["bytes"]
        result.figures.append(
            Figure(
                title,
                f"Package {entry['package']}",
                "MiB",
                round(size / MIB, 3),
                round(entry["bundled_bytes"] / MIB, 2) if "bundled_bytes" in entry else None,
                "boto3 + Powertools bundled" if "bundled_bytes" in entry else "",
                "< 5 MiB, no boto3",
                size < coldstart.SIZE_TARGET_BYTES and not entry["boto3_packaged"],
                f"{entry['files']} files, {entry['unzipped_bytes'] / MIB:.1f} MiB unzipped",
            )
        )
    return result


def infra_section(workspace: Path, timeout: float) -> SectionResult:
    from bench import infra  # noqa: PLC0415

    title = "Infrastructure (envs/local)"
    result = SectionResult(title)
    steps = infra.run(workspace, timeout)
    result.details = {"method": infra.__doc__, "steps": [step.to_json() for step in steps]}
    failed = next((step for step in steps if not step.ok), None)
    if failed is not None:
        result.error = f"{failed.name} failed after {failed.seconds:.0f} s:\n{failed.tail}"
    by_name = {step.name: step for step in steps}
    for name in ("plan from empty", "apply from empty", "second plan", "destroy"):
        step = by_name.get(name)
        available = step is not None and step.ok
        note = step.summary if step is not None and step.ok else "not available (see the error below)"
        target = "No changes." if name == "second plan" else ""
        met = (
            (step.summary.startswith("No changes"))
            if (available and step and name == "second plan")
            else None
        )
        result.figures.append(
            Figure(
                title,
                name.capitalize(),
                "s",
                round(step.seconds, 1) if available and step else None,
                target=target,
                met=met,
                note=note,
            )
        )
    return result


def _timed(name: str, run: Callable[[], SectionResult]) -> SectionResult:
    started = time.perf_counter()
    try:
        result = run()
    except Exception as error:
        result = SectionResult(name, error=f"{type(error).__name__}: {error}")
        result.details["traceback"] = traceback.format_exc()
    result.seconds = time.perf_counter() - started
    return result


# --- output --------------------------------------------------------------------------------------


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if value == 0 or abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:g}"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{min(digits, 4)}f}"


def render(report: dict[str, Any], console: Console) -> None:
    machine = report["hardware"]
    table = Table(
        title="Labeling pipeline benchmarks (local emulator)",
        caption=(
            f"{machine['cpu_cores']} cores ({machine['cpu_model']}), {machine['memory_gib']} GiB memory, "
            f"load {machine['load_average'][0]} at start, Python {machine['python']}; "
            f"{'--quick: ' if report['quick'] else ''}{report['sizes']['drain_items']:,} queued uploads, "
            f"{report['sizes']['write_items']:,} labels"
        ),
        show_lines=False,
    )
    for column, justify in (
        ("Section", "left"),
        ("Figure", "left"),
        ("Ours", "right"),
        ("Naive", "right"),
        ("Naive is", "left"),
        ("Target", "left"),
        ("Met", "center"),
    ):
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    previous = None
    for figure in report["figures"]:
        section = figure["section"] if figure["section"] != previous else ""
        previous = figure["section"]
        met = {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[figure["met"]]
        unit = f" {figure['unit']}" if figure["ours"] is not None else ""
        naive_unit = f" {figure['unit']}" if figure["naive"] is not None else ""
        table.add_row(
            section,
            figure["name"],
            _number(figure["ours"]) + unit,
            _number(figure["naive"]) + naive_unit,
            figure["naive_label"],
            figure["target"],
            met,
        )
    console.print(table)
    for number, figure in enumerate((f for f in report["figures"] if f["note"]), start=1):
        console.print(f"  [dim]{number}. {figure['name']}: {figure['note']}[/]")
    for section in report["sections"].values():
        if section["error"]:
            console.print(f"[red]{section['name']}: {section['error']}[/]")


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sizes = _sizes(args)
    wanted = args.only.split(",")
    # A log or CI output is not a terminal: give the table room instead of rich's 80-column default.
    console = Console() if sys.stdout.isatty() else Console(width=170)
    quiet_handlers()
    report: dict[str, Any] = {
        "schema": 1,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "quick": args.quick,
        "hardware": hardware(),
        "sizes": vars(sizes),
        "sections": {},
    }
    sections: dict[str, SectionResult] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        workspace = Path(temporary)
        if "drain" in wanted or "features" in wanted:
            with emulator(workspace / "emulator") as running:
                point_sdk_at(running.url)
                report["emulator"] = {"url": running.url, "start_seconds": round(running.start_seconds, 2)}
                if "drain" in wanted:
                    console.print(f"[bold]draining {sizes.drain_items:,} queued uploads...[/]")
                    sections["drain"] = _timed(
                        "Draining the queue", lambda: drain_section(running.url, sizes)
                    )
                if "features" in wanted:
                    console.print(f"[bold]writing {sizes.write_items:,} labels...[/]")
                    sections["features"] = _timed(
                        "Writing labels to the Feature Store", lambda: features_section(running.url, sizes)
                    )
        if "coldstart" in wanted:
            console.print("[bold]measuring cold starts...[/]")
            sections["coldstart"] = _timed("Cold start", lambda: coldstart_section(sizes, args.lambda_python))
        if "infra" in wanted and not args.quick:
            console.print("[bold]planning and applying envs/local...[/]")
            sections["infra"] = _timed(
                "Infrastructure (envs/local)", lambda: infra_section(workspace, args.infra_timeout)
            )
        elif "infra" in wanted:
            sections["infra"] = SectionResult("Infrastructure (envs/local)", error="skipped with --quick")
    report["sections"] = {name: section.to_json() for name, section in sections.items()}
    report["figures"] = [figure for section in report["sections"].values() for figure in section["figures"]]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    render(report, console)
    console.print(f"figures written to {args.out}")
    failed = [s for s in sections.values() if s.error and s.error != "skipped with --quick"]
    return 1 if any(not s.figures for s in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
