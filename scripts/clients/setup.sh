#!/usr/bin/env bash
# Builds the client-library test programs of test/clients, cached under $QUIVER_CACHE (default
# <repo>/.cache) and rebuilt only when their sources change:
#
#   go      test/clients/go (arrow-go's Flight client), modules through the Go module proxy
#           -> $QUIVER_CACHE/clients/go/quiver-go-client
#   java    test/clients/java (Arrow Java's flight-core from Maven Central), compiled with javac
#           -> $QUIVER_CACHE/clients/java/classes and java-classpath.txt
#   python  pyarrow (installed by scripts/setup.mjs --test): only checked here
#
# Usage: scripts/clients/setup.sh [go] [java] [python]      (no argument: all)
# A client whose toolchain is missing is reported and skipped (exit 1); the driver marks its
# checks as not run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${QUIVER_CACHE:-$root/.cache}"
out="$cache/clients"
mkdir -p "$out"

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(go java python)
status=0

log() { printf 'clients setup: %s\n' "$*" >&2; }
# shellcheck source=../lib/cached-builds.sh
. "$root/scripts/lib/cached-builds.sh"

setup_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not found: skipping the arrow-go client"; return 1; fi
  go_env
  build_go "the arrow-go client" "$root/test/clients/go" "$out/go/quiver-go-client"
}

setup_java() {
  if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "javac or mvn not found: skipping the Arrow Java client"; return 1
  fi
  build_java "the Arrow Java client" "$root/test/clients/java" "$out/java"
}

setup_python() {
  local python="${PYTHON:-python3}"
  if ! "$python" -c 'import pyarrow.flight' 2>/dev/null; then
    log "pyarrow.flight not importable: run node scripts/setup.mjs --test"; return 1
  fi
  log "pyarrow $("$python" -c 'import pyarrow; print(pyarrow.__version__)'): installed"
}

for w in "${want[@]}"; do
  started=$SECONDS
  case "$w" in
    go) setup_go || status=1 ;;
    java) setup_java || status=1 ;;
    python) setup_python || status=1 ;;
    *) log "unknown client: $w"; exit 2 ;;
  esac
  log "$w: $((SECONDS - started)) s"
done
exit $status
