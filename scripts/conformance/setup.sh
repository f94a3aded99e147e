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
# shellcheck source=../lib/cached-builds.sh
. "$root/scripts/lib/cached-builds.sh"

setup_go() {
  if ! command -v go >/dev/null 2>&1; then log "go not found: skipping the arrow-go client"; return 1; fi
  go_env
  local stamp="$cache/go/bin/.arrow-flight-integration-client.version"
  if [ -x "$GOBIN/arrow-flight-integration-client" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$ARROW_GO_VERSION" ]; then
    log "arrow-go client $ARROW_GO_VERSION: cached"; return 0
  fi
  log "go install $ARROW_GO_CMD@$ARROW_GO_VERSION"
  (cd "$cache" && go install "$ARROW_GO_CMD@$ARROW_GO_VERSION")
  echo "$ARROW_GO_VERSION" > "$stamp"
}

setup_go_scenarios() {
  go_env
  build_go "the Go scenario client" "$root/test/conformance/go-scenarios" "$cache/conformance/go-scenarios/quiver-go-scenario-client"
}

setup_java_scenarios() {
  if ! command -v javac >/dev/null 2>&1; then log "javac not found: skipping the Java scenario client"; return 1; fi
  build_java "the Java scenario client" "$root/test/conformance/java-scenarios" "$cache/conformance/java-scenarios"
}

setup_java() {
  if ! command -v java >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
    log "java or mvn not found: skipping the Arrow Java client"; return 1
  fi
  resolve_classpath "the Arrow Java integration client" "$root/test/conformance/java/pom.xml" "$cache/conformance/java-classpath.txt"
}

for w in "${want[@]}"; do
  case "$w" in
    go) setup_go || status=1; command -v go >/dev/null 2>&1 && { setup_go_scenarios || status=1; } ;;
    java) setup_java || status=1; command -v mvn >/dev/null 2>&1 && { setup_java_scenarios || status=1; } ;;
    *) log "unknown client: $w"; exit 2 ;;
  esac
done
exit $status
