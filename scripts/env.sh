#!/usr/bin/env bash
# Runs `init` + plan/apply/destroy for one environment under envs/, with the Terraform or OpenTofu
# CLI named by $TF (make sets it to the one `make setup` chose).
# Usage: env.sh ENV plan|apply|destroy   (called by `make plan ENV=dev` and friends)
#   ENV=local talks to the local AWS emulator (started here if it is not running).
#   Other environments need AWS credentials and envs/ENV/backend.hcl (see backend.hcl.example).
set -euo pipefail
env_name=${1:?usage: env.sh ENV plan|apply|destroy}
action=${2:?usage: env.sh ENV plan|apply|destroy}
tf=${TF:?TF names the Terraform or OpenTofu CLI; run this through make (make plan ENV=...)}
repo=$(cd "$(dirname "$0")/.." && pwd)
dir="$repo/envs/$env_name"
[[ -d "$dir" ]] || { echo "error: no environment '$env_name' under envs/"; exit 1; }

init_args=(-input=false)
if [[ "$env_name" == local ]]; then
  make -s -C "$repo" emulator-up >/dev/null
  export AWS_ENDPOINT_URL="http://${EMULATOR_HOST:-127.0.0.1}:${EMULATOR_PORT:-4566}"
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
  unset AWS_PROFILE
else
  if [[ ! -f "$dir/backend.hcl" ]]; then
    echo "error: envs/$env_name/backend.hcl is missing; copy envs/$env_name/backend.hcl.example and name your state bucket"
    exit 1
  fi
  init_args+=(-backend-config=backend.hcl)
  if ! why=$(python3 "$repo/scripts/aws_identity.py" 2>&1 >/dev/null); then
    echo "error: no usable AWS credentials for '$env_name' ($why); configure a profile or AWS_* variables"
    exit 1
  fi
fi

"$repo/scripts/toolchain/lock_mirror.sh" "$dir"
"$tf" -chdir="$dir" init "${init_args[@]}" >/dev/null
case "$action" in
  plan) "$tf" -chdir="$dir" plan -input=false ;;
  apply) "$tf" -chdir="$dir" apply -input=false ${AUTO_APPROVE:+-auto-approve} ;;
  destroy) "$tf" -chdir="$dir" destroy -input=false ${AUTO_APPROVE:+-auto-approve} ;;
  *) echo "error: unknown action '$action' (plan, apply or destroy)"; exit 1 ;;
esac
