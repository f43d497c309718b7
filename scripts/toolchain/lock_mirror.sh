#!/usr/bin/env bash
# Offline path: adds the mirror's checksum of each provider, for this platform, to a lock file that git
# tracks. The connected path commits lock files with the registry's checksums (README, "Lock files");
# those stay, so the file still serves the connected path, and init accepts the locally built provider.
# Nothing to do on the connected path or without a tracked lock file.
# Usage: lock_mirror.sh DIR   (make sets TF, and TOOLCHAIN_MIRROR on the offline path)
set -euo pipefail
dir=${1:?usage: lock_mirror.sh DIR}
tf=${TF:?TF names the Terraform or OpenTofu CLI; run this through make}
[[ -n "${TOOLCHAIN_MIRROR:-}" ]] || exit 0
git -C "$dir" ls-files --error-unmatch .terraform.lock.hcl >/dev/null 2>&1 || exit 0
platform=$("$tf" version -json | python3 -c 'import json, sys; print(json.load(sys.stdin)["platform"])')
"$tf" -chdir="$dir" get >/dev/null # `providers lock` reads the modules' requirements too
"$tf" -chdir="$dir" providers lock -fs-mirror="$TOOLCHAIN_MIRROR" -platform="$platform" >/dev/null
