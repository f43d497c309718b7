"""Render the inputs/outputs reference of each module's README between terraform-docs markers.

terraform-docs cannot be built here (the Go module proxy does not serve it), so this renders the
same sections in the same Markdown shape from `terraform-config-inspect --json`.
`--check` fails, without writing, when a README is stale, so `make test` catches a forgotten update.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
REGISTRY_DOCS = "https://registry.terraform.io/providers/{source}/latest/docs/{kind}/{name}"


def inspect_module(module_dir: Path) -> dict[str, Any]:
    tool = shutil.which("terraform-config-inspect")
    if tool is None:
        raise SystemExit("error: terraform-config-inspect is not on PATH; run 'make setup'")
    result = subprocess.run([tool, "--json", str(module_dir)], check=True, capture_output=True, text=True)  # noqa: S603
    data: dict[str, Any] = json.loads(result.stdout)
    errors = data.get("diagnostics") or []
    if any(d.get("severity") == "error" for d in errors):
        raise SystemExit(f"error: {module_dir}: {errors}")
    return data


def cell(text: str) -> str:
    """Make text safe inside a Markdown table cell."""
    return text.strip().replace("|", "\\|").replace("\n", "<br/>") or "n/a"


def code(value: str) -> str:
    if "\n" in value:
        return "<pre>" + value.replace("|", "\\|").replace("\n", "<br/>") + "</pre>"
    return f"`{value}`"


def render_default(variable: dict[str, Any]) -> str:
    if variable.get("required"):
        return "n/a"
    return code(json.dumps(variable.get("default"), indent=2, sort_keys=True))


def resource_row(address: str, resource: dict[str, Any], sources: dict[str, str], kind: str) -> str:
    provider = resource["provider"]["name"]
    if provider == "terraform":
        return f"| [{address}](https://opentofu.org/docs/language/resources/terraform-data/) | resource |"
    source = sources.get(provider, f"hashicorp/{provider}")
    name = resource["type"].removeprefix(f"{provider}_")
    url = REGISTRY_DOCS.format(source=source, kind=kind, name=name)
    return f"| [{address}]({url}) | {'resource' if kind == 'resources' else 'data source'} |"


def render(data: dict[str, Any]) -> str:
    # "terraform" is the built-in provider of terraform_data: part of Terraform, not a requirement.
    required = data.get("required_providers") or {}
    providers = {name: spec for name, spec in required.items() if name != "terraform"}
    sources = {name: spec.get("source", f"hashicorp/{name}") for name, spec in providers.items()}
    lines = ["## Requirements", "", "| Name | Version |", "|------|---------|"]
    lines += [f"| terraform | {cell(', '.join(data.get('required_core') or []))} |"]
    lines += [
        f"| {name} | {cell(', '.join(spec.get('version_constraints') or []))} |"
        for name, spec in sorted(providers.items())
    ]
    modules = data.get("module_calls") or {}
    if modules:
        lines += ["", "## Modules", "", "| Name | Source |", "|------|--------|"]
        lines += [f"| {name} | {call['source']} |" for name, call in sorted(modules.items())]
    lines += ["", "## Resources", "", "| Name | Type |", "|------|------|"]
    lines += [
        resource_row(address, resource, sources, "resources")
        for address, resource in sorted((data.get("managed_resources") or {}).items())
    ]
    lines += [
        resource_row(address, resource, sources, "data-sources")
        for address, resource in sorted((data.get("data_resources") or {}).items())
    ]
    variables = sorted(
        (data.get("variables") or {}).values(), key=lambda v: (not v.get("required"), v["name"])
    )
    lines += ["", "## Inputs", "", "| Name | Description | Type | Default | Required |"]
    lines += ["|------|-------------|------|---------|:--------:|"]
    lines += [
        f"| {v['name']} | {cell(v.get('description') or '')} | {code(v.get('type') or 'any')} "
        f"| {render_default(v)} | {'yes' if v.get('required') else 'no'} |"
        for v in variables
    ]
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    lines += [
        f"| {o['name']} | {cell(o.get('description') or '')} |"
        for o in sorted((data.get("outputs") or {}).values(), key=lambda o: o["name"])
    ]
    return "\n".join(lines)


def updated_readme(readme: str, generated: str, path: Path) -> str:
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"error: {path} has no {BEGIN} ... {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{generated}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("modules", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="fail if a README is stale; write nothing")
    args = parser.parse_args(argv)
    stale = []
    for module in args.modules:
        readme_path = module / "README.md"
        if not readme_path.is_file():
            raise SystemExit(f"error: {readme_path} does not exist")
        readme = readme_path.read_text()
        wanted = updated_readme(readme, render(inspect_module(module)), readme_path)
        if wanted == readme:
            continue
        if args.check:
            stale.append(str(readme_path))
        else:
            readme_path.write_text(wanted)
            print(f"updated {readme_path}")
    if stale:
        print(f"error: stale module docs in {', '.join(stale)}; run 'make docs'", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
