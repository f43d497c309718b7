"""Cold start: how long each Lambda handler module takes to import, and how big each package is.

The packages from ``build/lambda`` are extracted as Lambda lays them out: the function's zip, the
Powertools layer's ``python/`` directory, then only what the Python runtime itself provides (boto3,
botocore and their dependencies, linked from this host). The interpreter runs with ``-S`` so nothing else
from this machine's site-packages can be imported; it is the runtime's Python version when one is installed
here (``python3.13``), otherwise this one.

Naive counterparts: for import time, the same module plus what a first version does at import — create its
boto3 clients there (ours creates them on first use); for size, one zip that bundles the function with
Powertools and boto3 instead of relying on the layer and the runtime.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import REGION
from emulator.awslambda.runtime import RUNTIME_MODULES

LAYER = "powertools-layer.zip"
RUNTIME_PYTHON = "python3.13"
IMPORT_TARGET_MS = 300.0
SIZE_TARGET_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class HandlerModule:
    package: str  # zip name without .zip
    module: str
    services: tuple[str, ...]  # the boto3 clients it uses


HANDLER_MODULES = (
    HandlerModule(
        "labeling_pipeline",
        "labeling_pipeline.handlers",
        ("sqs", "dynamodb", "s3", "sagemaker", "sagemaker-featurestore-runtime", "stepfunctions"),
    ),
    HandlerModule("workforce_bootstrap", "workforce_bootstrap.handlers", ("cognito-idp", "sagemaker")),
)

_NOT_IMPORTED = r"[/\\](test|tests|idlelib|lib2to3|tkinter|turtledemo|ensurepip|site-packages)[/\\]"
_TIMER = """
import time
started = time.perf_counter()
{statement}
print(round((time.perf_counter() - started) * 1000, 2))
"""


def interpreter(preferred: str | None = None) -> str:
    """``preferred``, else the Lambda runtime's Python if one is installed and runs, else this one."""
    if preferred:
        return preferred
    found = shutil.which(RUNTIME_PYTHON)
    if found and subprocess.run([found, "-c", "pass"], capture_output=True, check=False).returncode == 0:  # noqa: S603
        return found
    return sys.executable


def _module_source(name: str) -> Path:
    """The installed package directory (or single-file module) of ``name`` on this host."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{name} is not installed here; the Lambda runtime provides it")
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin


@dataclass(frozen=True)
class Runtime:
    """What the Lambda Python runtime provides: the standard library and boto3 with its dependencies
    (linked from this host), compiled to bytecode as AWS ships them."""

    python: str
    modules: Path
    bytecode: Path


@contextmanager
def lambda_runtime(python: str) -> Iterator[Runtime]:
    with tempfile.TemporaryDirectory(prefix="bench-runtime-") as temporary:
        root = Path(temporary)
        modules = root / "runtime"
        modules.mkdir()
        for name in RUNTIME_MODULES:
            source = _module_source(name)
            (modules / source.name).symlink_to(source)
        # Python looks up every .pyc (the standard library's too) under PYTHONPYCACHEPREFIX when it is set.
        _compile(python, [_stdlib(python), *sorted(modules.iterdir())], root / "bytecode")
        yield Runtime(python, modules, root / "bytecode")


@dataclass(frozen=True)
class Layout:
    """A function extracted as Lambda lays it out, with two bytecode caches: the runtime's only (our zips
    ship no .pyc, so Lambda compiles our code and the layer at every cold start), and everything compiled
    (what shipping .pyc files in the zips would give)."""

    task: Path
    layer: Path
    runtime: Runtime
    all_bytecode: Path

    @property
    def paths(self) -> list[Path]:
        return [self.task, self.layer, self.runtime.modules]


@contextmanager
def function_layout(package_dir: Path, package: str, runtime: Runtime) -> Iterator[Layout]:
    with tempfile.TemporaryDirectory(prefix="bench-function-") as temporary:
        root = Path(temporary)
        with zipfile.ZipFile(package_dir / f"{package}.zip") as archive:
            archive.extractall(root / "task")
        with zipfile.ZipFile(package_dir / LAYER) as archive:
            archive.extractall(root / "layer")
        layout = Layout(root / "task", root / "layer" / "python", runtime, root / "bytecode")
        shutil.copytree(runtime.bytecode, layout.all_bytecode)
        _compile(runtime.python, [layout.task, layout.layer], layout.all_bytecode)
        yield layout


def _stdlib(python: str) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['stdlib'])"
    found = subprocess.run([python, "-S", "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
    return Path(found.stdout.strip())


def _compile(python: str, paths: list[Path], cache: Path) -> None:
    """Compile ``paths`` (directories are walked; symbolic links given here are followed) into ``cache``."""
    subprocess.run(  # noqa: S603 - our own interpreter
        [python, "-S", "-m", "compileall", "-q", "-j", "0", "-x", _NOT_IMPORTED, *map(str, paths)],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPYCACHEPREFIX": str(cache)},
        capture_output=True,
        check=False,  # files that do not compile (test data, Python 2 leftovers) are never imported either
        timeout=900,
    )


def _run(
    python: str, paths: list[Path], code: str, *flags: str, bytecode: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join(str(p) for p in paths),
        # Lambda's file system is read-only: what is not compiled in the package is compiled at every start.
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "bench",
    }
    if bytecode is not None:
        environment["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [python, "-S", *flags, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )


def _import_ms(python: str, paths: list[Path], statement: str, repeats: int, bytecode: Path) -> list[float]:
    code = _TIMER.format(statement=statement)
    return [float(_run(python, paths, code, bytecode=bytecode).stdout.split()[-1]) for _ in range(repeats)]


def _top_imports(python: str, layout: Layout, module: str, count: int = 6) -> list[dict[str, Any]]:
    """The slowest imports of the handler module under ``-X importtime`` (cumulative milliseconds)."""
    stderr = _run(
        python, layout.paths, f"import {module}", "-X", "importtime", bytecode=layout.runtime.bytecode
    ).stderr
    rows = []
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # the statement's own imports, not their children
            rows.append({"module": match.group(4), "cumulative_ms": round(int(match.group(2)) / 1000, 1)})
    return sorted(rows, key=lambda row: -float(row["cumulative_ms"]))[:count]


def _naive_statement(handler: HandlerModule) -> str:
    clients = ", ".join(f"boto3.client({service!r})" for service in handler.services)
    return f"import {handler.module}\nimport boto3\nclients = [{clients}]"


def measure_imports(package_dir: Path, repeats: int, python: str) -> list[dict[str, Any]]:
    version = _run(python, [], "import platform; print(platform.python_version())").stdout.strip()
    results = []
    with lambda_runtime(python) as runtime:
        floor = _import_ms(python, [runtime.modules], "import boto3", repeats, runtime.bytecode)
        for handler in HANDLER_MODULES:
            with function_layout(package_dir, handler.package, runtime) as layout:
                statement = f"import {handler.module}"
                ours = _import_ms(python, layout.paths, statement, repeats, runtime.bytecode)
                naive = _import_ms(python, layout.paths, _naive_statement(handler), repeats, runtime.bytecode)
                compiled = _import_ms(python, layout.paths, statement, repeats, layout.all_bytecode)
                top = _top_imports(python, layout, handler.module)
            results.append(
                {
                    "module": handler.module,
                    "python": version,
                    "repeats": repeats,
                    "import_ms_median": round(statistics.median(ours), 1),
                    "import_ms_all": ours,
                    "naive_import_ms_median": round(statistics.median(naive), 1),
                    "naive_import_ms_all": naive,
                    "naive_clients": list(handler.services),
                    "precompiled_import_ms_median": round(statistics.median(compiled), 1),
                    "precompiled_import_ms_all": compiled,
                    "boto3_import_ms_median": round(statistics.median(floor), 1),
                    "slowest_imports": top,
                }
            )
    return results


def _zip_tree(archive: zipfile.ZipFile, directory: Path, prefix: str = "") -> None:
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, prefix + str(path.relative_to(directory)))


def bundled_size(package_dir: Path, package: str) -> int:
    """The size of one zip holding the function, Powertools and boto3 (what Lambda would need
    without the layer and without the runtime's boto3)."""
    with tempfile.TemporaryDirectory(prefix="bench-bundle-") as temporary:
        target = Path(temporary) / "bundle.zip"
        root = Path(temporary)
        with zipfile.ZipFile(package_dir / f"{package}.zip") as archive:
            archive.extractall(root / "task")
        with zipfile.ZipFile(package_dir / LAYER) as archive:
            archive.extractall(root / "layer")
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _zip_tree(archive, root / "task")
            _zip_tree(archive, root / "layer" / "python")
            for name in RUNTIME_MODULES:
                source = _module_source(name)
                if source.is_dir():
                    _zip_tree(archive, source, f"{source.name}/")
                else:
                    archive.write(source, source.name)
        return target.stat().st_size


def measure_packages(package_dir: Path) -> list[dict[str, Any]]:
    results = []
    for path in sorted(package_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            unzipped = sum(info.file_size for info in archive.infolist())
        tops = {name.split("/", 2)[1 if name.startswith("python/") else 0] for name in names if "/" in name}
        entry: dict[str, Any] = {
            "package": path.name,
            "bytes": path.stat().st_size,
            "unzipped_bytes": unzipped,
            "files": len(names),
            "boto3_packaged": bool(tops & {"boto3", "botocore"}),
        }
        if path.name != LAYER:
            entry["bundled_bytes"] = bundled_size(package_dir, path.stem)
        results.append(entry)
    return results
