#!/usr/bin/env bash
# Runs one check in each given directory and fails if any fails. `validate` and `test` run with
# every CLI this machine has (scripts/toolchain/choose.py clis): the chosen one ($TF) first, then
# the other of Terraform and OpenTofu where a supported version of it is on the PATH.
# Usage: tf_each.sh validate|test|tflint DIR...
set -uo pipefail
action=${1:?usage: tf_each.sh validate|test|tflint DIR...}
shift
here=$(cd "$(dirname "$0")" && pwd)
clis=(none)
if [[ "$action" == validate || "$action" == test ]]; then
  notes=$(mktemp)
  if ! listed=$(python3 "$here/toolchain/choose.py" clis --cache "${CACHE_DIR:?set CACHE_DIR (make does)}" \
    ${TF:+--tf "$TF"} 2>"$notes"); then
    cat "$notes"
    exit 1
  fi
  mapfile -t clis <<<"$listed"
  # Said once per `make test`: which CLI was left out, and why.
  [[ "$action" == test ]] && cat "$notes"
  rm -f "$notes"
fi

failed=()
for cli in "${clis[@]}"; do
  name=$(basename "$cli")
  for dir in "$@"; do
    [[ -d "$dir" ]] || { echo "error: $dir does not exist"; failed+=("$dir"); continue; }
    log=$(mktemp)
    case "$action" in
      validate)
        ("$cli" -chdir="$dir" init -backend=false -input=false -no-color >"$log" 2>&1 &&
          "$cli" -chdir="$dir" validate -no-color >>"$log" 2>&1) ;;
      test)
        ("$cli" -chdir="$dir" init -backend=false -input=false -no-color >"$log" 2>&1 &&
          "$cli" -chdir="$dir" test -no-color >>"$log" 2>&1) ;;
      tflint)
        name=""
        (cd "$dir" && tflint --config "$(git rev-parse --show-toplevel)/.tflint.hcl" --no-color >"$log" 2>&1) ;;
      *) echo "error: unknown action '$action'"; exit 2 ;;
    esac
    status=$?
    summary=$(grep -E '^(Success|Success!|[0-9]+ passed|.*passed, [0-9]+ failed)' "$log" | tail -n 1)
    # A test run that skips anything has not tested what it claims to: fail it.
    if [[ $status -eq 0 && "$action" == test && "$summary" == *skipped* ]]; then
      status=1
    fi
    if [[ $status -eq 0 ]]; then
      echo "ok   ${name:+$name }$action $dir ${summary:+($summary)}"
    else
      echo "FAIL ${name:+$name }$action $dir"
      sed 's/^/     /' "$log"
      failed+=("${name:+$name }$dir")
    fi
    rm -f "$log"
  done
done
if ((${#failed[@]})); then
  echo "error: $action failed in: ${failed[*]}"
  exit 1
fi
