#!/usr/bin/env bash
# Builds the tools of the offline path from the Go module proxy into a cache outside the
# repository: OpenTofu and the Terraform AWS provider, served from a filesystem mirror through a CLI
# config file, plus the lint tools (tflint, terraform-config-inspect). Idempotent: a tool whose binary
# for the pinned version exists is not rebuilt.
#
# Usage: build.sh CACHE_DIR [chosen|lint]
#   chosen (default): what the path recorded by choose.py needs: everything on the offline path,
#                     nothing on the connected path (the user's CLI fetches the provider itself).
#   lint:             only tflint and terraform-config-inspect (`make lint` and `make docs` need them).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${1:?usage: build.sh CACHE_DIR [chosen|lint]}
what=${2:-chosen}
bin="$cache/bin"
mirror="$cache/providers"

log() { printf '[toolchain] %s\n' "$*" >&2; }

if [[ "$what" == chosen ]]; then
  chosen=$(sed -n 's/^TOOLCHAIN_PATH=//p' "$cache/toolchain.env" 2>/dev/null || true)
  case "$chosen" in
    connected) exit 0 ;;
    offline) what=all ;;
    *) log "ERROR: no toolchain chosen in $cache/toolchain.env; run 'make setup'"; exit 1 ;;
  esac
fi
[[ "$what" == all || "$what" == lint ]] || { log "usage: build.sh CACHE_DIR [chosen|lint]"; exit 2; }
mkdir -p "$bin" "$cache/logs"
export GOFLAGS="-buildvcs=false -trimpath"
export CGO_ENABLED=0

require_go() {
  command -v go >/dev/null && return
  log "ERROR: 'go' is not installed; install Go $GO_MIN_VERSION+ (it builds the tools), or put tflint and terraform-config-inspect on the PATH"
  exit 1
}

timed_build() { # name, log file, command...
  local name=$1 logf=$2
  shift 2
  require_go
  local start=$SECONDS
  log "building $name (first build on a machine takes minutes; later runs reuse the cache)"
  # GNU time reports the build's peak memory; a machine without it builds all the same.
  local timer=()
  [[ -x /usr/bin/time ]] && timer=(/usr/bin/time -v)
  if ! "${timer[@]}" "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    log "ERROR: building $name failed; full log: $logf"
    exit 1
  fi
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d MiB", $2/1024}' "$logf")
  log "built $name in $((SECONDS - start)) s (peak RSS of the go command: ${rss:-n/a})"
}

module_dir() { # module@version -> extracted directory in the module cache
  go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])'
}

build_offline_toolchain() {
  require_go
  mkdir -p "$mirror"
  local os arch
  os=$(go env GOOS)
  arch=$(go env GOARCH)

  # --- OpenTofu -------------------------------------------------------------------------------
  tofu_bin="$bin/tofu-$OPENTOFU_VERSION"
  if [[ ! -x "$tofu_bin" ]]; then
    # OpenTofu's go.mod has a replace directive, so `go install module@version` refuses it:
    # build from the downloaded module as the main module instead.
    src=$(module_dir "github.com/opentofu/opentofu@$OPENTOFU_MODULE_VERSION")
    ( cd "$src" && timed_build "OpenTofu $OPENTOFU_VERSION" "$cache/logs/tofu.log" \
        go build -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
        -o "$tofu_bin.tmp" ./cmd/tofu )
    mv "$tofu_bin.tmp" "$tofu_bin"
  fi
  ln -sf "tofu-$OPENTOFU_VERSION" "$bin/tofu"

  # --- hashicorp/aws provider -------------------------------------------------------------------
  aws_dir="$mirror/registry.terraform.io/hashicorp/aws/$AWS_PROVIDER_VERSION/${os}_${arch}"
  aws_bin="$aws_dir/terraform-provider-aws_v${AWS_PROVIDER_VERSION}_x5"
  if [[ ! -x "$aws_bin" ]]; then
    mkdir -p "$aws_dir"
    src=$(module_dir "github.com/hashicorp/terraform-provider-aws@$AWS_PROVIDER_MODULE_VERSION")
    ( cd "$src" && timed_build "terraform-provider-aws $AWS_PROVIDER_VERSION" "$cache/logs/aws.log" \
        go build -ldflags "-s -w -X github.com/hashicorp/terraform-provider-aws/version.ProviderVersion=$AWS_PROVIDER_VERSION" \
        -o "$aws_bin.tmp" . )
    mv "$aws_bin.tmp" "$aws_bin"
  fi
  # OpenTofu resolves hashicorp/* against registry.opentofu.org; serve the same binary there.
  tofu_aws_dir="$mirror/registry.opentofu.org/hashicorp/aws/$AWS_PROVIDER_VERSION/${os}_${arch}"
  mkdir -p "$tofu_aws_dir"
  ln -sf "$aws_bin" "$tofu_aws_dir/$(basename "$aws_bin")"
}

# With `lint`, a tool already on the PATH (say, installed by a CI setup action) is used as it is.
wanted() { [[ "$what" == all ]] || ! command -v "$1" >/dev/null; }

build_lint_tools() {
  # --- tflint ---------------------------------------------------------------------------------
  tflint_bin="$bin/tflint-$TFLINT_VERSION"
  if wanted tflint; then
    if [[ ! -x "$tflint_bin" ]]; then
      GOBIN="$cache/gobin" timed_build "tflint $TFLINT_VERSION" "$cache/logs/tflint.log" \
        go install -ldflags "-s -w" "github.com/terraform-linters/tflint@v$TFLINT_VERSION"
      mv "$cache/gobin/tflint" "$tflint_bin"
    fi
    ln -sf "tflint-$TFLINT_VERSION" "$bin/tflint"
  fi

  # --- terraform-config-inspect (reads module inputs/outputs for scripts/tfdocs.py) --------------
  inspect_bin="$bin/terraform-config-inspect-$TF_CONFIG_INSPECT_VERSION"
  if wanted terraform-config-inspect; then
    if [[ ! -x "$inspect_bin" ]]; then
      GOBIN="$cache/gobin" timed_build "terraform-config-inspect" "$cache/logs/inspect.log" \
        go install -ldflags "-s -w" "github.com/hashicorp/terraform-config-inspect@$TF_CONFIG_INSPECT_VERSION"
      mv "$cache/gobin/terraform-config-inspect" "$inspect_bin"
    fi
    ln -sf "terraform-config-inspect-$TF_CONFIG_INSPECT_VERSION" "$bin/terraform-config-inspect"
  fi
}

# --- CLI configuration: providers come only from the mirror -------------------------------------
write_cli_config() {
  cat >"$cache/tofu.rc" <<RC
# Written by scripts/toolchain/build.sh. Serves locally built providers; nothing is downloaded.
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*", "registry.opentofu.org/hashicorp/*"]
  }
}
plugin_cache_dir = "$cache/plugin-cache"
RC
  mkdir -p "$cache/plugin-cache"
}

if [[ "$what" == all ]]; then
  build_offline_toolchain
  write_cli_config
fi
build_lint_tools
log "toolchain ready in $cache ($(du -sh "$cache" | cut -f1))"
