// What each Arrow integration client checks in JSON mode, and the corpus cases a client cannot
// run at all (a limit of the client, not of quiver). Every entry points at the client source that
// justifies it; test/conformance/README.md has the longer story.

export type ClientId = 'go' | 'java' | 'python' | 'ts' | 'go-readback';

export interface ClientInfo {
  id: ClientId;
  title: string;
  /** Where the client comes from and which version the harness runs. */
  origin: string;
}

export const CLIENTS: ClientInfo[] = [
  {
    id: 'go',
    title: 'arrow-go',
    origin: 'github.com/apache/arrow-go/v18 arrow/internal/flight_integration/cmd/arrow-flight-integration-client (go install, version pinned in scripts/conformance/setup.sh); for the scenarios in OWN_SCENARIO_CLIENTS.go, our client test/conformance/go-scenarios on the same arrow-go version\'s flight package',
  },
  {
    id: 'java',
    title: 'Arrow Java',
    origin: 'org.apache.arrow:flight-core:6.0.1 org.apache.arrow.flight.example.integration.IntegrationTestClient (Maven Central; see test/conformance/java/pom.xml); for the scenarios in OWN_SCENARIO_CLIENTS.java, our client test/conformance/java-scenarios on org.apache.arrow:flight-core:18.3.0 (and flight-sql:18.3.0 for the Flight SQL scenarios)',
  },
  {
    id: 'python',
    title: 'pyarrow',
    origin: 'pyarrow.flight (pip, installed by scripts/setup.mjs --test): test/conformance/runner/py_scenario_client.py in scenario mode; JSON mode is the corpus case\'s .stream through test/conformance/runner/py_stream_client.py (pyarrow cannot read the integration JSON)',
  },
  {
    id: 'ts',
    title: 'quiver/client (TypeScript)',
    origin: 'quiver\'s own client, src/client: test/conformance/runner/ts-scenario-client.ts in scenario mode; JSON mode is the corpus case\'s .stream through test/conformance/runner/ts-stream-client.ts (arrow-js cannot read the integration JSON)',
  },
  {
    id: 'go-readback',
    title: 'arrow-go read-back (harness)',
    origin: 'test/conformance/runner/readback.py: after the arrow-go client has uploaded, repeats the DoGet checks arrow-go\'s client makes but ignores (scenario.go consumeFlightLocation, whose error RunClient discards)',
  },
];

/**
 * Corpus cases (by "<dir>/<name>" without .json.gz) a client cannot run, with the reason.
 * pyarrow and quiver/client run each case from its .stream twin (see clients.ts); arrow-js
 * cannot hold some of them. For arrow-go and Java it is empty: both clients' JSON readers (arrow-go arrjson v18.8.0, Arrow Java 6.0.1 JsonFileReader with
 * -Darrow.struct.conflict.policy=CONFLICT_APPEND) load all 27 files of the corpus, and every case
 * passes once quiver's DoPut/DoGet follow the protocol (see README.md). Add an entry only with the
 * client source line that makes the case impossible for that client.
 */
const ARROW_JS_DUPLICATE_NAMES = 'arrow-js RecordBatch rebuilds its schema from field names (the RecordBatch constructor), so two top-level fields of one name but different types collapse to one type';

export const CANNOT_RUN: Record<ClientId, Record<string, string>> = {
  go: {},
  java: {},
  python: {},
  ts: {
    '1.0.0-littleendian/generated_duplicate_fieldnames': `${ARROW_JS_DUPLICATE_NAMES} (ints: Int8 and ints: Int32 both read as Int32)`,
    '1.0.0-littleendian/generated_union': `${ARROW_JS_DUPLICATE_NAMES} (the sparse and dense unions appear twice with different member types)`,
  },
  'go-readback': {},
};

/** Issue 5 item 2: the scenarios each client is run in (`-scenario NAME`) against the scenario server. */
export const SCENARIO_NAMES = [
  'auth:basic_proto',
  'middleware',
  'ordered',
  'expiration_time:do_get',
  'expiration_time:list_actions',
  'expiration_time:cancel_flight_info',
  'expiration_time:renew_flight_endpoint',
  'location:reuse_connection',
  'session_options',
  'poll_flight_info',
  'app_metadata_flight_info_endpoint',
  'do_exchange:echo',
  // Issue 15: Flight SQL, against fixed-answer Flight SQL servers (scenario-server/flight-sql*.ts).
  'flight_sql',
  'flight_sql:extension',
  'flight_sql:ingestion',
] as const;

const FLIGHT_SQL_SCENARIOS = ['flight_sql', 'flight_sql:extension', 'flight_sql:ingestion'] as const;

/**
 * Scenarios whose cell in a column comes from our own scenario client, written against that
 * column's library, because the Arrow project's client for it lacks the scenario: the published
 * Arrow Java client (flight-core 6.0.1, org.apache.arrow.flight.example.integration.Scenarios)
 * registers only auth:basic_proto and middleware, and the Java client that has the rest
 * (flight-integration-tests) is not on Maven Central; arrow-go v18.8.0's GetScenario
 * (arrow/internal/flight_integration/scenario.go:55-92) has no do_exchange:echo. Both clients make
 * the checks of Arrow Java main's scenario classes (SCENARIOS.md). `note` marks those cells in the
 * conformance table; each client's `-list` must name exactly these scenarios (checked by the wrapper).
 */
type ScenarioName = (typeof SCENARIO_NAMES)[number];

const JAVA_FLIGHT_SQL_CLIENT = 'our scenario client (test/conformance/java-scenarios) on Arrow Java flight-sql 18.3.0\'s FlightSqlClient from Maven Central, with the checks of Arrow Java main\'s FlightSql*Scenario classes: the Arrow project\'s published Java client (flight-core 6.0.1) has no Flight SQL scenarios, and its current one (flight-integration-tests) is not published';

export const OWN_SCENARIO_CLIENTS: Partial<Record<ClientId, {
  scenarios: readonly ScenarioName[];
  /** The cell note; `notes` overrides it for the scenarios it names (another library of the same project). */
  note: string;
  notes?: Partial<Record<ScenarioName, string>>;
}>> = {
  java: {
    scenarios: SCENARIO_NAMES.filter((s) => s !== 'auth:basic_proto' && s !== 'middleware'),
    note: 'our scenario client (test/conformance/java-scenarios) on Arrow Java flight-core 18.3.0 from Maven Central, with the checks of Arrow Java main\'s scenario classes: the Arrow project\'s published Java client (flight-core 6.0.1) has only auth:basic_proto and middleware, and its current one (flight-integration-tests) is not published',
    notes: Object.fromEntries(FLIGHT_SQL_SCENARIOS.map((s) => [s, JAVA_FLIGHT_SQL_CLIENT])),
  },
  go: {
    scenarios: ['do_exchange:echo'],
    note: 'our scenario client (test/conformance/go-scenarios) on arrow-go v18.8.0\'s flight package, with the checks of Arrow Java main\'s DoExchangeEchoScenario: arrow-go\'s integration client has no such scenario (GetScenario, arrow/internal/flight_integration/scenario.go:55-92)',
  },
};

/** Which of a column's clients runs a scenario: the Arrow project's, or ours on the same library. */
export function ownScenarioClient(client: ClientId, scenario: string): string | undefined {
  const own = OWN_SCENARIO_CLIENTS[client];
  if (!own || !(own.scenarios as readonly string[]).includes(scenario)) return undefined;
  return own.notes?.[scenario as ScenarioName] ?? own.note;
}

/** The clients that have a scenario mode (the read-back check only re-reads JSON-mode uploads). */
export const SCENARIO_CLIENTS: ClientId[] = ['go', 'java', 'python', 'ts'];

// Neither library has a Flight SQL client to play the flight_sql* scenarios with. Flight SQL from
// Python is the ADBC driver (test/interop/test_flight_sql.py runs it against the real server),
// whose API has no call for several of the scenario's requests (GetXdbcTypeInfo, the key calls,
// savepoints); quiver/client speaks Flight, not Flight SQL.
const PYARROW_NO_FLIGHT_SQL = 'pyarrow.flight has no Flight SQL client (the C++ arrow::flight::sql::FlightSqlClient is not bound in pyarrow); Python reaches Flight SQL through the ADBC driver, which cannot make the scenario\'s calls one by one';
const QUIVER_CLIENT_NO_FLIGHT_SQL = 'quiver/client has no Flight SQL API (no Any-packed commands, prepared statements or transactions): Flight SQL clients are ADBC, JDBC, arrow-go and Arrow Java';

/** Scenarios a client cannot run, with the client source that says so (SCENARIOS.md has more). */
export const SCENARIO_CANNOT_RUN: Partial<Record<ClientId, Partial<Record<(typeof SCENARIO_NAMES)[number], string>>>> = {
  // The scenarios the Arrow project's own Go and Java clients lack run our clients on their
  // libraries (OWN_SCENARIO_CLIENTS), so neither column has a scenario it cannot run.
  go: {},
  java: {},
  // Kept in step with CANNOT_EXPRESS in test/conformance/runner/py_scenario_client.py.
  python: {
    session_options: 'pyarrow.flight has no session option API (no SetSessionOptions/GetSessionOptions/CloseSession, no cookie middleware in Python): the C++ client\'s are not bound',
    poll_flight_info: 'pyarrow.flight.FlightClient has no poll_flight_info (the C++ PollFlightInfo is not bound)',
    ...Object.fromEntries(FLIGHT_SQL_SCENARIOS.map((s) => [s, PYARROW_NO_FLIGHT_SQL])),
  },
  ts: Object.fromEntries(FLIGHT_SQL_SCENARIOS.map((s) => [s, QUIVER_CLIENT_NO_FLIGHT_SQL])),
};

/** Clients whose JSON mode is one process over every case against one server (clients.ts). */
export const STREAM_CLIENTS: ClientId[] = ['python', 'ts'];
