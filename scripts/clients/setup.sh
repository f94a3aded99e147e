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
# One hash over the given files: the cache key of a build.
sources_sum() { cat "$@" | sha256sum | cut -d' ' -f1; }

setup_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not found: skipping the arrow-go client"; return 1; fi
  export GOPATH="$cache/go/path" GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build"
  export GOFLAGS="-modcacherw" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  local src="$root/test/clients/go" bin="$out/go/quiver-go-client" stamp="$out/go/sources.sha256"
  local sum; sum="$(sources_sum "$src"/go.mod "$src"/go.sum "$src"/*.go)"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then log "arrow-go client: cached"; return 0; fi
  log "building the arrow-go client (go build)"
  mkdir -p "$out/go"
  (cd "$src" && go build -o "$bin" .)
  echo "$sum" > "$stamp"
}

setup_java() {
  if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "javac or mvn not found: skipping the Arrow Java client"; return 1
  fi
  local src="$root/test/clients/java" dir="$out/java"
  local cp="$dir/java-classpath.txt" cp_stamp="$dir/java-classpath.pom.sha256"
  local classes="$dir/classes" classes_stamp="$dir/classes.sha256"
  mkdir -p "$dir"
  local pom_sum; pom_sum="$(sources_sum "$src/pom.xml")"
  if [ -s "$cp" ] && [ "$(cat "$cp_stamp" 2>/dev/null)" = "$pom_sum" ] && \
     tr ':' '\n' < "$cp" | while read -r jar; do [ -f "$jar" ] || exit 1; done; then
    log "Arrow Java classpath: cached"
  else
    log "resolving Arrow Java flight-core from Maven Central"
    mvn -B -q -Dstyle.color=never -Djansi.force=false -f "$src/pom.xml" -Dmaven.repo.local="$cache/m2/repository" \
      dependency:build-classpath -Dmdep.outputFile="$cp"
    echo "$pom_sum" > "$cp_stamp"
  fi
  local java_files; mapfile -t java_files < <(find "$src/src" -name '*.java' | sort)
  local sum; sum="$(sources_sum "$src/pom.xml" "${java_files[@]}")"
  if [ -d "$classes" ] && [ "$(cat "$classes_stamp" 2>/dev/null)" = "$sum" ]; then log "Arrow Java client: cached"; return 0; fi
  log "compiling the Arrow Java client (javac)"
  rm -rf "$classes"
  javac --release 17 -nowarn -d "$classes" -cp "$(cat "$cp")" "${java_files[@]}"
  echo "$sum" > "$classes_stamp"
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
