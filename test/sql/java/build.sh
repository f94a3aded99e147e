#!/usr/bin/env bash
# Builds test/sql/java (Arrow's Flight SQL JDBC driver from Maven Central, and JdbcChecks compiled
# with javac) into $QUIVER_CACHE/sql-java (default <repo>/.cache), redone only when the pom or the
# sources change. Prints the classpath to run JdbcChecks with (classes first, then the driver).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cache="${QUIVER_CACHE:-$root/.cache}"
out="$cache/sql-java"
log() { printf 'sql-java setup: %s\n' "$*" >&2; }
# shellcheck source=../../../scripts/lib/cached-builds.sh
. "$root/scripts/lib/cached-builds.sh"

if ! command -v javac >/dev/null 2>&1 || ! command -v mvn >/dev/null 2>&1; then
  log "javac or mvn not found: the Flight SQL JDBC driver cannot be built"; exit 1
fi
build_java "the Flight SQL JDBC checks" "$root/test/sql/java" "$out" >&2
echo "$out/classes:$(cat "$out/java-classpath.txt")"
