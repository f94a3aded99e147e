#!/usr/bin/env bash
# Installs the Arrow project's Flight integration clients from the package registries, cached
# under $QUIVER_CACHE (default: <repo>/.cache), so that reruns cost nothing:
#
#   go    arrow-go's arrow-flight-integration-client, `go install`ed through the Go module proxy
#         -> $QUIVER_CACHE/go/bin/arrow-flight-integration-client
#   java  Arrow Java's IntegrationTestClient, resolved from Maven Central with
#         test/conformance/java/pom.xml -> $QUIVER_CACHE/conformance/java-classpath.txt
#
# and, for the scenarios those two lack (client-limits.ts OWN_SCENARIO_CLIENTS), our scenario
# clients on the same libraries, rebuilt only when their sources change:
#
#   go    test/conformance/go-scenarios (arrow-go's flight package, same version), go build
#         -> $QUIVER_CACHE/conformance/go-scenarios/quiver-go-scenario-client
#   java  test/conformance/java-scenarios (Arrow Java flight-core 18.3.0 from Maven Central), javac
#         -> $QUIVER_CACHE/conformance/java-scenarios/{classes,java-classpath.txt}
#
# Usage: scripts/conformance/setup.sh [go] [java]      (no argument: both)
# A client whose toolchain (go, or java + mvn) is missing is reported and skipped; the runner
# then marks that client's cases as not run.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${QUIVER_CACHE:-$root/.cache}"
mkdir -p "$cache/conformance"

# Pinned versions: bump deliberately (the results table records them).
ARROW_GO_VERSION="${ARROW_GO_VERSION:-v18.8.0}"
ARROW_GO_CMD="github.com/apache/arrow-go/v18/arrow/internal/flight_integration/cmd/arrow-flight-integration-client"

want=("$@")
[ ${#want[@]} -eq 0 ] && want=(go java)
status=0

log() { printf 'conformance setup: %s\n' "$*" >&2; }
# One hash over the given files: the cache key of a build.
sources_sum() { cat "$@" | sha256sum | cut -d' ' -f1; }
# True when every entry of a classpath file exists (a cleaned Maven repository invalidates it).
classpath_present() { [ -s "$1" ] && tr ':' '\n' < "$1" | while read -r jar; do [ -e "$jar" ] || exit 1; done; }

setup_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not found: skipping the arrow-go client"; return 1; fi
  export GOPATH="$cache/go/path" GOMODCACHE="$cache/go/mod" GOBIN="$cache/go/bin" GOCACHE="$cache/go/build"
  export GOFLAGS="-modcacherw" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
  local stamp="$cache/go/bin/.arrow-flight-integration-client.version"
  if [ -x "$GOBIN/arrow-flight-integration-client" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ARROW_GO_VERSION" ]; then
    log "arrow-go client $ARROW_GO_VERSION: cached"; return 0
  fi
  log "go install $ARROW_GO_CMD@$ARROW_GO_VERSION"
  (cd "$cache" && go install "$ARROW_GO_CMD@$ARROW_GO_VERSION")
  echo "$ARROW_GO_VERSION" > "$stamp"
}

setup_go_scenarios() {
  local src="$root/test/conformance/go-scenarios" dir="$cache/conformance/go-scenarios"
  local bin="$dir/quiver-go-scenario-client" stamp="$dir/sources.sha256"
  local sum; sum="$(sources_sum "$src"/go.mod "$src"/go.sum "$src"/*.go)"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then log "Go scenario client: cached"; return 0; fi
  log "building the Go scenario client (go build)"
  mkdir -p "$dir"
  (cd "$src" && go build -o "$bin" .)
  echo "$sum" > "$stamp"
}

setup_java_scenarios() {
  if ! command -v javac >/dev/null 2>&1; then log "javac not found: skipping the Java scenario client"; return 1; fi
  local src="$root/test/conformance/java-scenarios" dir="$cache/conformance/java-scenarios"
  local cp="$dir/java-classpath.txt" cp_stamp="$dir/java-classpath.pom.sha256"
  local classes="$dir/classes" classes_stamp="$dir/classes.sha256"
  mkdir -p "$dir"
  local pom_sum; pom_sum="$(sources_sum "$src/pom.xml")"
  if [ "$(cat "$cp_stamp" 2>/dev/null)" = "$pom_sum" ] && classpath_present "$cp"; then
    log "Java scenario client classpath: cached"
  else
    log "resolving Arrow Java flight-core for the Java scenario client from Maven Central"
    mvn -B -q -Dstyle.color=never -Djansi.force=false -f "$src/pom.xml" -Dmaven.repo.local="$cache/m2/repository" \
      dependency:build-classpath -Dmdep.outputFile="$cp"
    echo "$pom_sum" > "$cp_stamp"
  fi
  local java_files; mapfile -t java_files < <(find "$src/src" -name '*.java' | sort)
  local sum; sum="$(sources_sum "$src/pom.xml" "${java_files[@]}")"
  if [ -d "$classes" ] && [ "$(cat "$classes_stamp" 2>/dev/null)" = "$sum" ]; then log "Java scenario client: cached"; return 0; fi
  log "compiling the Java scenario client (javac)"
  rm -rf "$classes"
  javac --release 17 -nowarn -encoding UTF-8 -d "$classes" -cp "$(cat "$cp")" "${java_files[@]}"
  echo "$sum" > "$classes_stamp"
}

setup_java() {
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "java or mvn not found: skipping the Arrow Java client"; return 1
  fi
  local pom="$root/test/conformance/java/pom.xml"
  local cp="$cache/conformance/java-classpath.txt"
  local stamp="$cache/conformance/java-classpath.pom.sha256"
  local sum; sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [ -s "$cp" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] && \
     tr ':' '\n' < "$cp" | while read -r jar; do [ -f "$jar" ] || exit 1; done; then
    log "Arrow Java client: cached"; return 0
  fi
  log "resolving the Arrow Java client from Maven Central"
  mvn -B -q -Dstyle.color=never -f "$pom" -Dmaven.repo.local="$cache/m2/repository" \
    dependency:build-classpath -Dmdep.outputFile="$cp"
  echo "$sum" > "$stamp"
}

for w in "${want[@]}"; do
  case "$w" in
    go) setup_go || status=1; command -v go >/dev/null 2>&1 && { setup_go_scenarios || status=1; } ;;
    java) setup_java || status=1; command -v mvn >/dev/null 2>&1 && { setup_java_scenarios || status=1; } ;;
    *) log "unknown client: $w"; exit 2 ;;
  esac
done
exit $status
