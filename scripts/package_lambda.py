"""Build the Lambda deployment packages: one zip per package under lambda/, plus a Powertools layer.

Zips are deterministic (sorted entries, fixed timestamps and modes), so an unchanged source tree
gives the same `source_code_hash` and `tofu plan` stays empty. boto3 is not packaged: the Lambda
runtime provides it. The layer is built once per pinned version for the Lambda runtime's platform
(manylinux x86_64, CPython 3.13) and cached outside the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
LAYER_NAME = "powertools-layer.zip"
LAYER_PACKAGES = ("aws-lambda-powertools",)
LAMBDA_PYTHON_VERSION = "3.13"
LAMBDA_PLATFORM = "manylinux2014_x86_64"
RUNTIME_PROVIDED = (
    "boto3*",
    "botocore*",
    "s3transfer*",
    "urllib3*",
    "dateutil",
    "python_dateutil*",
    "six*",
    "jmespath*",
)
SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}


def source_files(root: Path) -> Iterator[Path]:
    """Every file under root that belongs in a package, in a stable order."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and not SKIPPED_PARTS.intersection(path.parts) and path.suffix != ".pyc":
            yield path


def write_zip(destination: Path, entries: Iterable[tuple[str, Path]]) -> None:
    """Write entries (archive name, file) with fixed metadata; replace destination atomically."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    partial.replace(destination)


#: Data files a function package reads at import, kept where their other reader lives: the labeling
#: pipeline's facts are the Terraform module's data (modules/labeling_pipeline/data), shipped in the
#: package as labeling_pipeline/data/.
PACKAGE_DATA = {"labeling_pipeline": Path(__file__).resolve().parents[1] / "modules/labeling_pipeline/data"}


def package_function(package_dir: Path, out_dir: Path) -> Path:
    """Zip one function package with the package directory at the archive root, with its data files."""
    destination = out_dir / f"{package_dir.name}.zip"
    entries = [(path.relative_to(package_dir.parent).as_posix(), path) for path in source_files(package_dir)]
    data_dir = PACKAGE_DATA.get(package_dir.name)
    if data_dir is not None:
        entries += [
            (f"{package_dir.name}/data/{path.name}", path) for path in sorted(data_dir.glob("*.json"))
        ]
    write_zip(destination, entries)
    return destination


def pinned_versions(requirements: Path, names: Iterable[str]) -> list[str]:
    """The `name==version` pins for names, as requirements.txt locks them."""
    wanted = {name.lower() for name in names}
    pins = []
    for line in requirements.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line)
        if match and match.group(1).lower().replace("_", "-") in wanted:
            pins.append(f"{match.group(1)}=={match.group(2)}")
    missing = wanted - {pin.split("==")[0].lower().replace("_", "-") for pin in pins}
    if missing:
        raise SystemExit(f"error: {requirements} pins none of: {', '.join(sorted(missing))}")
    return sorted(pins)


def build_layer(pins: list[str], cache_dir: Path) -> Path:
    """Install the pinned layer packages for the Lambda runtime into a cached layer zip."""
    key = hashlib.sha256("\n".join([*pins, LAMBDA_PYTHON_VERSION, LAMBDA_PLATFORM]).encode()).hexdigest()[:12]
    cached = cache_dir / f"powertools-layer-{key}.zip"
    if cached.exists():
        return cached
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "python"
        command = [
            sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
            "--target", str(target), "--platform", LAMBDA_PLATFORM, "--implementation", "cp",
            "--python-version", LAMBDA_PYTHON_VERSION, "--only-binary=:all:", *pins,
        ]  # fmt: skip
        subprocess.run(command, check=True)  # noqa: S603 - fixed arguments, pinned packages
        # The runtime provides boto3/botocore; shipping a second copy only slows cold starts.
        for pattern in RUNTIME_PROVIDED:
            for path in target.glob(pattern):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        entries = [(f"python/{p.relative_to(target).as_posix()}", p) for p in source_files(target)]
        write_zip(cached, entries)
    return cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=Path("lambda"), help="directory of function packages")
    parser.add_argument("--out", type=Path, default=Path("build/lambda"), help="where the zips go")
    parser.add_argument("--requirements", type=Path, default=Path("requirements.txt"))
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "gt-labeling" / "layers",
    )
    args = parser.parse_args(argv)

    packages = sorted(p for p in args.source.iterdir() if (p / "__init__.py").is_file())
    if not packages:
        raise SystemExit(f"error: no Python packages (directories with __init__.py) under {args.source}")
    for package in packages:
        built = package_function(package, args.out)
        print(f"packaged {built} ({built.stat().st_size / 1024:.1f} KiB)")
    args.cache_dir.mkdir(parents=True, exist_ok=True)
    layer = build_layer(pinned_versions(args.requirements, LAYER_PACKAGES), args.cache_dir)
    shutil.copyfile(layer, args.out / LAYER_NAME)
    print(f"packaged {args.out / LAYER_NAME} ({layer.stat().st_size / 1024:.1f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
