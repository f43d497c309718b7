"""`make setup`'s choice between the connected path (the user's CLI and the public registry) and the
offline path (the source build and its mirror), with fake CLIs on a PATH of their own and a registry
probe pointed at a local server or a closed port: no internet needed, none used."""

from __future__ import annotations

import json
import os

from tests.toolchain.fakes import Machine, offline_record


def test_a_supported_cli_whose_registry_answers_takes_the_connected_path(
    machine: Machine, registry: str
) -> None:
    # Given Terraform 1.11.4 on the PATH and a registry that answers
    terraform = machine.fake("terraform", "Terraform v1.11.4")

    # When setup chooses
    result = machine.choose("setup", "--registry-url", registry)

    # Then it takes the connected path with that CLI, leaves the CLI configuration alone, and says so once
    assert result.returncode == 0, result.stderr
    assert machine.record() == {"TOOLCHAIN_PATH": "connected", "TOOLCHAIN_TF": str(terraform)}
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("toolchain: connected path: terraform 1.11.4")


def test_an_unreachable_registry_takes_the_offline_path_with_the_mirror(
    machine: Machine, closed_port: str
) -> None:
    # Given OpenTofu 1.12.6 and Go on the PATH, and a registry that refuses connections
    machine.fake("tofu", "OpenTofu v1.12.6")
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup chooses
    result = machine.choose("setup", "--registry-url", closed_port)

    # Then it takes the offline path: the source build's tofu with the mirror's CLI configuration
    assert result.returncode == 0, result.stderr
    assert machine.record() == offline_record(machine)
    assert result.stdout.startswith("toolchain: offline path: OpenTofu 1.12.6 with hashicorp/aws")
    assert "tofu 1.12.6" in result.stdout
    assert "did not answer" in result.stdout
    assert result.stdout.count("\n") == 1


def test_a_cli_older_than_supported_is_passed_over_for_the_offline_path(
    machine: Machine, registry: str
) -> None:
    # Given Terraform 1.5.7 (older than supported) and Go, with a registry that answers
    machine.fake("terraform", "Terraform v1.5.7")
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup chooses
    result = machine.choose("setup", "--registry-url", registry)

    # Then the old CLI is not used: offline path, and the line says why
    assert result.returncode == 0, result.stderr
    assert machine.record() == offline_record(machine)
    assert "terraform 1.5.7" in result.stdout
    assert "outside the supported range >= 1.11.0, < 2.0.0" in result.stdout


def test_a_newer_major_version_is_not_supported(machine: Machine, registry: str) -> None:
    # Given only OpenTofu 2.0.0, with a registry that answers, and no Go
    machine.fake("tofu", "OpenTofu v2.0.0")

    # When setup chooses
    result = machine.choose("setup", "--registry-url", registry)

    # Then neither path works
    assert result.returncode == 1
    assert "tofu 2.0.0" in result.stderr
    assert "outside the supported range" in result.stderr


def test_no_cli_and_no_go_stops_with_one_line_saying_what_to_install(machine: Machine, registry: str) -> None:
    # Given a machine with neither Terraform, OpenTofu nor Go
    machine.bin.mkdir()

    # When setup chooses
    result = machine.choose("setup", "--registry-url", registry)

    # Then it fails with one line naming what to install, and records nothing
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        "error: install Terraform >= 1.11.0, < 2.0.0 or OpenTofu >= 1.12.0, < 2.0.0 with access to the "
        "public registry, or Go 1.26+ to build the offline toolchain"
    )
    assert "no terraform on the PATH" in result.stderr
    assert "no go on the PATH" in result.stderr
    assert not (machine.cache / "toolchain.env").exists()


def test_an_old_go_cannot_build_the_offline_toolchain(machine: Machine, closed_port: str) -> None:
    # Given Go 1.22 only and no reachable registry
    machine.fake("go", "go version go1.22.3 linux/amd64")

    # When setup chooses
    result = machine.choose("setup", "--registry-url", closed_port)

    # Then it stops and says the Go is too old
    assert result.returncode == 1
    assert "go 1.22 is too old" in result.stderr


def test_toolchain_source_forces_the_offline_path_even_when_the_registry_answers(
    machine: Machine, registry: str
) -> None:
    # Given a supported CLI whose registry answers, and Go
    machine.fake("terraform", "Terraform v1.11.4")
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup is asked for the source build (TOOLCHAIN=source)
    result = machine.choose("setup", "--toolchain", "source", "--registry-url", registry)

    # Then it takes the offline path and says it was asked to
    assert result.returncode == 0, result.stderr
    assert machine.record() == offline_record(machine)
    assert result.stdout.endswith("because TOOLCHAIN=source\n")


def test_tf_picks_the_cli_even_when_another_kind_comes_first(machine: Machine, registry: str) -> None:
    # Given both OpenTofu and Terraform on the PATH, with a registry that answers
    machine.fake("tofu", "OpenTofu v1.12.6")
    terraform = machine.fake("terraform", "Terraform v1.11.4")

    # When setup is given TF=terraform
    result = machine.choose("setup", "--tf", "terraform", "--registry-url", registry)

    # Then Terraform is chosen
    assert result.returncode == 0, result.stderr
    assert machine.record()["TOOLCHAIN_TF"] == str(terraform)


def test_tf_with_the_offline_path_runs_the_named_cli_against_the_mirror(
    machine: Machine, closed_port: str
) -> None:
    # Given Terraform and Go, and no reachable registry
    terraform = machine.fake("terraform", "Terraform v1.11.4")
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup is given TF=terraform
    result = machine.choose("setup", "--tf", "terraform", "--registry-url", closed_port)

    # Then Terraform is kept, with the mirror's CLI configuration
    assert result.returncode == 0, result.stderr
    assert machine.record() == {**offline_record(machine), "TOOLCHAIN_TF": str(terraform)}


def test_tf_naming_a_missing_binary_stops_setup(machine: Machine, registry: str) -> None:
    # Given OpenTofu on the PATH but no Terraform
    machine.fake("tofu", "OpenTofu v1.12.6")

    # When setup is given TF=terraform
    result = machine.choose("setup", "--tf", "terraform", "--registry-url", registry)

    # Then it stops instead of silently using another CLI
    assert result.returncode == 1
    assert result.stderr == "error: TF=terraform is not an executable; install it or leave TF unset\n"


def test_a_binary_that_is_not_terraform_is_refused(machine: Machine, registry: str) -> None:
    # Given a `terraform` on the PATH that is something else
    machine.fake("terraform", "Usage: terraform-wrapper COMMAND")

    # When setup is given TF=terraform
    result = machine.choose("setup", "--tf", "terraform", "--registry-url", registry)

    # Then it says what the binary printed
    assert result.returncode == 1
    assert "is not Terraform or OpenTofu" in result.stderr
    assert "Usage: terraform-wrapper COMMAND" in result.stderr


def test_a_server_that_is_not_a_registry_does_not_count_as_one(machine: Machine, registry: str) -> None:
    # Given a supported CLI and Go, and a URL that answers with something other than a registry
    machine.fake("terraform", "Terraform v1.11.4")
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup probes it
    result = machine.choose("setup", "--registry-url", f"{registry}/captive-portal")

    # Then the registry is considered unreachable
    assert result.returncode == 0, result.stderr
    assert machine.record()["TOOLCHAIN_PATH"] == "offline"
    assert "answered without a provider registry" in result.stdout


def test_the_offline_builds_own_tofu_is_not_taken_for_the_users(machine: Machine, registry: str) -> None:
    # Given only the tofu of an earlier source build (in the cache) on the PATH, and Go
    cache_bin = machine.cache / "bin"
    machine.fake("tofu", "OpenTofu v1.12.6", directory=cache_bin)
    machine.fake("go", "go version go1.26.8 linux/amd64")

    # When setup chooses, with a registry that answers
    result = machine.choose("setup", "--registry-url", registry, path=f"{cache_bin}{os.pathsep}{machine.bin}")

    # Then it stays on the offline path (that tofu needs the mirror) and says no tofu of the user's was found
    assert result.returncode == 0, result.stderr
    assert machine.record() == offline_record(machine)
    assert "no tofu on the PATH" in result.stdout


def test_clis_lists_the_chosen_cli_first_then_the_other_kind(machine: Machine, closed_port: str) -> None:
    # Given the offline path chosen, its tofu built, and Terraform on the PATH
    machine.fake("go", "go version go1.26.8 linux/amd64")
    terraform = machine.fake("terraform", "Terraform v1.11.4")
    machine.choose("setup", "--registry-url", closed_port)
    tofu = machine.fake("tofu", "OpenTofu v1.12.6", directory=machine.cache / "bin")

    # When the tests ask which CLIs to run
    result = machine.choose("clis", "--json")

    # Then both run, the chosen one first, with the mirror's CLI configuration
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "clis": [{"kind": "tofu", "path": str(tofu)}, {"kind": "terraform", "path": str(terraform)}],
        "env": {"TF_CLI_CONFIG_FILE": str(machine.cache / "tofu.rc")},
    }
    assert result.stderr == ""


def test_clis_says_which_kind_is_not_tested_and_why(machine: Machine, registry: str) -> None:
    # Given the connected path with OpenTofu, and no Terraform on the PATH
    tofu = machine.fake("tofu", "OpenTofu v1.12.6")
    machine.choose("setup", "--registry-url", registry)

    # When the tests ask which CLIs to run
    result = machine.choose("clis")

    # Then only OpenTofu runs, and one note says Terraform is not tested and why
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{tofu}\n"
    assert result.stderr == "note: Terraform is not tested: no terraform on the PATH\n"


def test_clis_before_setup_says_to_run_it(machine: Machine) -> None:
    # Given a machine where setup never ran
    machine.bin.mkdir()

    # When the tests ask which CLIs to run
    result = machine.choose("clis")

    # Then they are told to run setup
    assert result.returncode == 1
    assert result.stderr == "error: no Terraform/OpenTofu has been chosen yet; run `make setup`\n"
