#!/usr/bin/env bash
# Runs one OpenTofu check in each given directory and fails if any fails.
# Usage: tf_each.sh validate|test|tflint DIR...
set -uo pipefail
action=${1:?usage: tf_each.sh validate|test|tflint DIR...}
shift
failed=()
for dir in "$@"; do
  [[ -d "$dir" ]] || { echo "error: $dir does not exist"; failed+=("$dir"); continue; }
  log=$(mktemp)
  case "$action" in
    validate)
      (tofu -chdir="$dir" init -backend=false -input=false -no-color >"$log" 2>&1 &&
        tofu -chdir="$dir" validate -no-color >>"$log" 2>&1) ;;
    test)
      (tofu -chdir="$dir" init -backend=false -input=false -no-color >"$log" 2>&1 &&
        tofu -chdir="$dir" test -no-color >>"$log" 2>&1) ;;
    tflint)
      (cd "$dir" && tflint --config "$(git rev-parse --show-toplevel)/.tflint.hcl" --no-color >"$log" 2>&1) ;;
    *) echo "error: unknown action '$action'"; exit 2 ;;
  esac
  status=$?
  if [[ $status -eq 0 ]]; then
    summary=$(grep -E '^(Success|Success!|[0-9]+ passed|.*passed, [0-9]+ failed)' "$log" | tail -n 1)
    echo "ok   $action $dir ${summary:+($summary)}"
  else
    echo "FAIL $action $dir"
    sed 's/^/     /' "$log"
    failed+=("$dir")
  fi
  rm -f "$log"
done
if ((${#failed[@]})); then
  echo "error: $action failed in: ${failed[*]}"
  exit 1
fi
