# Builds of the test programs in other languages, cached under $cache and redone only when
# their sources change. Sourced by scripts/clients/setup.sh and scripts/conformance/setup.sh,
# which define `cache` (the cache root) and `log`.

# One hash over the given files: the cache key of a build.
sources_sum() { cat "$@" | sha256sum | cut -d' ' -f1; }

# True when every entry of a classpath file exists (a cleaned Maven repository invalidates it).
classpath_present() { [ -s "$1" ] && tr ':' '\n' < "$1" | while read -r jar; do [ -e "$jar" ] || exit 1; done; }

# Go's caches inside $cache, and no toolchain download (GOTOOLCHAIN=local).
go_env() {
  export GOPATH="$cache/go/path" GOMODCACHE="$cache/go/mod" GOBIN="$cache/go/bin" GOCACHE="$cache/go/build"
  export GOFLAGS="-modcacherw" GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
}

# resolve_classpath LABEL POM CLASSPATH_FILE: Maven resolves POM's dependencies into $cache/m2
# and writes their classpath; redone when the POM changes or a jar has gone.
resolve_classpath() {
  local label="$1" pom="$2" cp="$3" stamp="$3.pom.sha256"
  local sum; sum="$(sources_sum "$pom")"
  if [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ] && classpath_present "$cp"; then log "$label classpath: cached"; return 0; fi
  log "resolving $label from Maven Central"
  mkdir -p "$(dirname "$cp")"
  mvn -B -q -Dstyle.color=never -Djansi.force=false -f "$pom" -Dmaven.repo.local="$cache/m2/repository" \
    dependency:build-classpath -Dmdep.outputFile="$cp"
  echo "$sum" > "$stamp"
}

# build_go LABEL SRC_DIR BINARY: go build of the module in SRC_DIR.
build_go() {
  local label="$1" src="$2" bin="$3" stamp="$(dirname "$3")/sources.sha256"
  local sum; sum="$(sources_sum "$src"/go.mod "$src"/go.sum "$src"/*.go)"
  if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then log "$label: cached"; return 0; fi
  log "building $label (go build)"
  mkdir -p "$(dirname "$bin")"
  (cd "$src" && go build -o "$bin" .)
  echo "$sum" > "$stamp"
}

# build_java LABEL SRC_DIR OUT_DIR: OUT_DIR/java-classpath.txt from SRC_DIR/pom.xml, and
# OUT_DIR/classes compiled by javac from SRC_DIR/src.
build_java() {
  local label="$1" src="$2" dir="$3"
  local classes="$dir/classes" stamp="$dir/classes.sha256" cp="$dir/java-classpath.txt"
  resolve_classpath "$label" "$src/pom.xml" "$cp"
  local java_files; mapfile -t java_files < <(find "$src/src" -name '*.java' | sort)
  local sum; sum="$(sources_sum "$src/pom.xml" "${java_files[@]}")"
  if [ -d "$classes" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then log "$label: cached"; return 0; fi
  log "compiling $label (javac)"
  rm -rf "$classes"
  javac --release 17 -nowarn -encoding UTF-8 -d "$classes" -cp "$(cat "$cp")" "${java_files[@]}"
  echo "$sum" > "$stamp"
}
