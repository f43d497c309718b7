"""Every make target and script runs the CLI `make setup` recorded, and the module tests run with each
kind of CLI the machine has; shown with fake CLIs that print what they were asked and with what
CLI configuration."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.toolchain.fakes import REPO, Machine, offline_record

# Answers `version` as the real CLI does, `test` with Terraform's closing line, and echoes the rest
# with the CLI configuration it was given.
FAKE_CLI = """\
case "$*" in
  version*) echo "{product} v{version}"; echo "on linux_amd64"; echo "config=$TF_CLI_CONFIG_FILE" ;;
  *" test "*) echo "Success! 3 passed, 0 failed{extra}." ;;
  *) echo "{product} ran: $*" ;;
esac"""


def fake_cli(machine: Machine, name: str, directory: Path | None = None, extra: str = "") -> Path:
    product, version = ("OpenTofu", "1.12.6") if name == "tofu" else ("Terraform", "1.11.4")
    script = FAKE_CLI.format(product=product, version=version, extra=extra)
    return machine.fake(name, "", directory=directory, script=script)


def record(machine: Machine, values: dict[str, str]) -> None:
    machine.cache.mkdir(parents=True, exist_ok=True)
    (machine.cache / "toolchain.env").write_text("".join(f"{k}={v}\n" for k, v in values.items()))


def run(machine: Machine, *command: str) -> subprocess.CompletedProcess[str]:
    dropped = ("TF", "TF_CLI_CONFIG_FILE", "TOOLCHAIN_MIRROR", "MAKEFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PATH"] = f"{machine.bin}{os.pathsep}/usr/bin{os.pathsep}/bin"
    env["CACHE_DIR"] = str(machine.cache)
    return subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_make_runs_the_recorded_offline_cli_with_the_mirror_configuration(machine: Machine) -> None:
    # Given setup recorded the offline path (the cache's tofu and the mirror's CLI configuration)
    fake_cli(machine, "tofu", directory=machine.cache / "bin")
    machine.bin.mkdir()
    record(machine, offline_record(machine))

    # When a target runs the CLI
    result = run(machine, "make", "-s", "toolchain", f"CACHE_DIR={machine.cache}")

    # Then it is that tofu, given the mirror's CLI configuration
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OpenTofu v1.12.6" in result.stdout
    assert f"config={machine.cache / 'tofu.rc'}" in result.stdout


def test_make_leaves_the_cli_configuration_alone_on_the_connected_path(machine: Machine) -> None:
    # Given setup recorded the connected path with Terraform
    terraform = fake_cli(machine, "terraform")
    record(machine, {"TOOLCHAIN_PATH": "connected", "TOOLCHAIN_TF": str(terraform)})

    # When a target runs the CLI
    result = run(machine, "make", "-s", "toolchain", f"CACHE_DIR={machine.cache}")

    # Then it is Terraform, and no CLI configuration is forced on it
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Terraform v1.11.4" in result.stdout
    assert "config=\n" in result.stdout


def test_tf_on_the_command_line_overrides_the_recorded_cli(machine: Machine) -> None:
    # Given the offline path recorded with tofu, and Terraform on the PATH
    fake_cli(machine, "tofu", directory=machine.cache / "bin")
    fake_cli(machine, "terraform")
    record(machine, offline_record(machine))

    # When a target runs with TF=terraform
    result = run(machine, "make", "-s", "toolchain", "TF=terraform", f"CACHE_DIR={machine.cache}")

    # Then Terraform runs, with the mirror's CLI configuration (it serves Terraform's provider address too)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Terraform v1.11.4" in result.stdout
    assert f"config={machine.cache / 'tofu.rc'}" in result.stdout


def test_targets_stop_before_setup_with_one_line(machine: Machine) -> None:
    # Given a machine where setup never ran
    machine.bin.mkdir()

    # When a target needs the CLI
    result = run(machine, "make", "-s", "toolchain", f"CACHE_DIR={machine.cache}")

    # Then it says to run setup
    assert result.returncode != 0
    assert "error: no Terraform/OpenTofu chosen yet; run 'make setup' first" in result.stdout


def test_module_tests_run_with_both_clis_where_both_exist(machine: Machine, tmp_path: Path) -> None:
    # Given the offline path with tofu, and Terraform on the PATH
    fake_cli(machine, "tofu", directory=machine.cache / "bin")
    fake_cli(machine, "terraform")
    record(machine, offline_record(machine))
    module = tmp_path / "module"
    module.mkdir()

    # When the module tests run
    result = run(machine, "scripts/tf_each.sh", "test", str(module))

    # Then each CLI ran them, the chosen one first, and nothing is said to be missing
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"ok   tofu test {module} (Success! 3 passed, 0 failed.)",
        f"ok   terraform test {module} (Success! 3 passed, 0 failed.)",
    ]


def test_module_tests_say_once_which_cli_they_left_out(machine: Machine, tmp_path: Path) -> None:
    # Given the connected path with tofu, and no Terraform anywhere
    tofu = fake_cli(machine, "tofu")
    record(machine, {"TOOLCHAIN_PATH": "connected", "TOOLCHAIN_TF": str(tofu)})
    modules = [tmp_path / "a", tmp_path / "b"]
    for module in modules:
        module.mkdir()

    # When the module tests run
    result = run(machine, "scripts/tf_each.sh", "test", *map(str, modules))

    # Then they pass with tofu and say once that Terraform was not tested, and why
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Terraform is not tested") == 1
    assert "note: Terraform is not tested: no terraform on the PATH" in result.stdout
    assert result.stdout.count("ok   tofu test") == 2


def test_a_test_run_that_skipped_runs_fails(machine: Machine, tmp_path: Path) -> None:
    # Given a CLI whose test command passes but skipped runs
    tofu = fake_cli(machine, "tofu", extra=", 2 skipped")
    record(machine, {"TOOLCHAIN_PATH": "connected", "TOOLCHAIN_TF": str(tofu)})
    module = tmp_path / "module"
    module.mkdir()

    # When the module tests run
    result = run(machine, "scripts/tf_each.sh", "test", str(module))

    # Then the run fails: skipped runs were not tested
    assert result.returncode == 1
    assert f"FAIL tofu test {module}" in result.stdout


def test_the_connected_path_builds_nothing_and_needs_no_go(machine: Machine) -> None:
    # Given setup recorded the connected path, on a machine without Go
    terraform = fake_cli(machine, "terraform")
    record(machine, {"TOOLCHAIN_PATH": "connected", "TOOLCHAIN_TF": str(terraform)})

    # When setup's build step runs
    result = run(machine, "scripts/toolchain/build.sh", str(machine.cache))

    # Then it builds nothing and succeeds
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert not (machine.cache / "bin").exists()


def test_lint_tools_already_on_the_path_are_used_without_go(machine: Machine) -> None:
    # Given tflint and terraform-config-inspect on the PATH (as CI's setup actions install them), no Go
    machine.fake("tflint", "TFLint version 0.64.0")
    machine.fake("terraform-config-inspect", "")

    # When the lint tools are made ready
    result = run(machine, "scripts/toolchain/build.sh", str(machine.cache), "lint")

    # Then nothing is built
    assert result.returncode == 0, result.stderr
    assert "building" not in result.stderr
    assert list((machine.cache / "bin").iterdir()) == []


def test_missing_lint_tools_without_go_say_what_to_install(machine: Machine) -> None:
    # Given neither lint tool nor Go
    machine.bin.mkdir()

    # When the lint tools are made ready
    result = run(machine, "scripts/toolchain/build.sh", str(machine.cache), "lint")

    # Then one line says what to install
    assert result.returncode == 1
    assert result.stderr == (
        "[toolchain] ERROR: 'go' is not installed; install Go 1.26+ (it builds the tools), "
        "or put tflint and terraform-config-inspect on the PATH\n"
    )
