// The layer check (`npm run check:layers`, part of `npm test`): the dependency direction of
// DESIGN.md ("Layers") as rules, so that a module importing across layers, or a cycle, fails the
// build instead of waiting for a reviewer. Type-only imports count: "knows nothing of" means the
// types too. test/tooling/layer-check.test.ts plants bad imports to prove each kind fails.
//
//   cli -> client, server;  server -> flight, sql, storage, coord;  client -> wire (and arrow);
//   flight, sql -> wire, storage, coord;  flight knows nothing of ZooKeeper;
//   storage knows nothing of gRPC;  coord knows nothing of Arrow;
//   object-store (bytes under keys, local or S3) knows no layer above it: storage and server use it;
//   shared leaves (errors.ts, logger.ts, table-names.ts, durable-files.ts, arrow/) import no layer;
//   src/generated is reached through src/wire only;  test/, bench/ and scripts/ stay apart.
const LAYERS = 'cli|client|server|flight|sql|storage|coord|wire|object-store';
const not = (...names) => `^src/(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', comment: 'a cycle makes two modules one: split out what both need (generated code excepted: descriptor.proto, which FlightSql.proto imports, is recursive)', from: { pathNot: '^src/generated/' }, to: { circular: true } },
    { name: 'cli-is-the-top', severity: 'error', comment: 'only the CLI (and bin/) may import src/cli', from: { path: '^src/', pathNot: '^src/cli/' }, to: { path: '^src/cli/' } },
    { name: 'server-is-assembly', severity: 'error', comment: 'src/server assembles the layers; only the CLI starts it', from: { path: '^src/', pathNot: '^src/(cli|server)/' }, to: { path: '^src/server/' } },
    { name: 'cli-through-client-or-server', severity: 'error', comment: 'cli -> client/server: the CLI reaches Flight, storage and coordination through them', from: { path: '^src/cli/' }, to: { path: not('flight', 'sql', 'storage', 'coord', 'wire', 'generated') } },
    { name: 'client-is-client-side', severity: 'error', comment: 'client -> wire: the client entry point carries no server code', from: { path: '^src/client/' }, to: { path: not('flight', 'sql', 'server', 'storage', 'coord', 'generated') } },
    { name: 'wire-is-shared', severity: 'error', comment: 'src/wire is what client and server share: no handlers, no storage', from: { path: '^src/wire/' }, to: { path: `^src/(${LAYERS})/`, pathNot: '^src/wire/' } },
    { name: 'flight-sql-below-server', severity: 'error', comment: 'flight and sql -> wire, storage, coord (not the client: shared code lives in src/wire)', from: { path: '^src/(flight|sql)/' }, to: { path: not('client') } },
    { name: 'flight-knows-no-zookeeper', severity: 'error', comment: 'the Flight layer talks to the Coordinator interface, never to ZooKeeper', from: { path: '^src/flight/' }, to: { path: ['^src/coord/zookeeper/', 'node-zookeeper-client'] } },
    { name: 'storage-knows-no-grpc', severity: 'error', comment: 'storage is tables on an object store: no gRPC, no Flight wire', from: { path: '^src/storage/' }, to: { path: ['@grpc/', '^src/(flight|wire|client|sql)/', '^src/generated/'] } },
    { name: 'coord-knows-no-arrow', severity: 'error', comment: 'coordination moves names, versions and locks, never Arrow data', from: { path: '^src/coord/' }, to: { path: ['apache-arrow', 'parquet-wasm', '^src/(arrow|flight|wire|client|sql|storage)/'] } },
    { name: 'object-store-knows-no-tables', severity: 'error', comment: 'src/object-store moves bytes under keys: it knows no tables, Arrow, gRPC or coordination (the shared leaves only)', from: { path: '^src/object-store/' }, to: { path: ['^src/(cli|client|server|flight|sql|storage|coord|wire|feed|arrow|generated)/', '@grpc/', 'apache-arrow', 'parquet-wasm', 'node-zookeeper-client'] } },
    { name: 'object-store-below-storage', severity: 'error', comment: 'tables reach the object store through src/storage (and src/server, which configures it; src/coord/bucket keeps its version log there)', from: { path: '^src/', pathNot: '^src/(object-store|storage|server|coord/bucket)/' }, to: { path: '^src/object-store/' } },
    { name: 'leaves-stay-leaves', severity: 'error', comment: 'shared leaf modules import no layer', from: { path: '^src/(errors|logger|table-names|durable-files)[.]ts$|^src/arrow/' }, to: { path: `^src/(${LAYERS}|generated)/` } },
    { name: 'generated-through-wire', severity: 'error', comment: 'generated code is reached through src/wire, which gives its types chosen names', from: { path: '^src/', pathNot: '^src/(wire|generated)/' }, to: { path: '^src/generated/' } },
    { name: 'src-stands-alone', severity: 'error', comment: 'the product never imports its tests, benchmarks or tooling', from: { path: '^src/' }, to: { path: '^(test|bench|scripts)/' } },
    { name: 'tests-not-scripts', severity: 'error', comment: 'scripts/ is generation and setup; test infrastructure lives under test/', from: { path: '^test/' }, to: { path: '^(scripts|bench)/' } },
    { name: 'scripts-not-tests', severity: 'error', comment: 'tooling does not depend on test code', from: { path: '^scripts/' }, to: { path: '^(test|bench)/' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
