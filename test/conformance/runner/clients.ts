// Where each integration client is installed and how it is invoked, in JSON mode (upload and
// read back one corpus file) or scenario mode (`-scenario NAME`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ownScenarioClient, type ClientId } from '../client-limits.ts';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const cache = process.env.QUIVER_CACHE ?? path.join(repo, '.cache');

const goBinary = () => path.join(cache, 'go', 'bin', 'arrow-flight-integration-client');
const javaClasspathFile = () => path.join(cache, 'conformance', 'java-classpath.txt');
// Our scenario clients on the same libraries, for the scenarios the Arrow project's clients lack
// (client-limits.ts OWN_SCENARIO_CLIENTS), built by setup.sh.
export const goScenarioBinary = () => path.join(cache, 'conformance', 'go-scenarios', 'quiver-go-scenario-client');
const javaScenarioDir = () => path.join(cache, 'conformance', 'java-scenarios');

let javaFound: boolean | undefined;
const java = () => (javaFound ??= spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0);

export function installed(id: ClientId): boolean {
  switch (id) {
    case 'go': return fs.existsSync(goBinary());
    case 'java': return fs.existsSync(javaClasspathFile()) && java();
    case 'go-readback':
      return fs.existsSync(goBinary()) && pyarrowFlight();
    case 'python': return pyarrowFlight();
    // quiver's own client needs nothing beyond the npm packages.
    case 'ts': return true;
  }
}

/** Whether the client that plays this scenario in column `id` is there (ours or the Arrow project's). */
export function scenarioClientInstalled(id: ClientId, scenario: string): boolean {
  if (!ownScenarioClient(id, scenario)) return installed(id);
  switch (id) {
    case 'go': return fs.existsSync(goScenarioBinary());
    case 'java': return fs.existsSync(path.join(javaScenarioDir(), 'classes')) && fs.existsSync(path.join(javaScenarioDir(), 'java-classpath.txt')) && java();
    default: return installed(id);
  }
}

/** How our Java scenario client is started (`-list` or `-host … -scenario …` follow). */
export function javaScenarioCommand(): string[] {
  const cp = `${path.join(javaScenarioDir(), 'classes')}${path.delimiter}${fs.readFileSync(path.join(javaScenarioDir(), 'java-classpath.txt'), 'utf8').trim()}`;
  // Arrow Java's memory module reads java.nio.Buffer.address reflectively: open it on JDK 17.
  // C1 only: a short-lived client spends most of its time starting, not in hot loops.
  return ['java', '--add-opens=java.base/java.nio=ALL-UNNAMED', '-XX:-UsePerfData', '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx256m',
    '-cp', cp, 'quiver.conformance.scenarios.ScenarioClient'];
}

const python = () => process.env.PYTHON ?? 'python3';
let pyarrowFlightFound: boolean | undefined;
function pyarrowFlight(): boolean {
  pyarrowFlightFound ??= spawnSync(python(), ['-c', 'import pyarrow.flight'], { stdio: 'ignore' }).status === 0;
  return pyarrowFlightFound;
}

/**
 * What a client run does: upload and check one corpus file, play one scenario, or (pyarrow and
 * quiver/client, which cannot read the integration JSON) upload and check the .stream twins of
 * a list of cases, given as a JSON file [{name, stream}], one JSON result line per case.
 */
export type ClientTask = { json: string; stream: string } | { scenario: string } | { streams: string };

/** The command line of one client (flags as each client's main() parses them). */
export function clientCommand(id: ClientId, port: number, task: ClientTask): string[] {
  const where = ['-host', '127.0.0.1', '-port', String(port)];
  if ('streams' in task && id !== 'python' && id !== 'ts') throw new Error(`${id} reads the integration JSON, not streams`);
  switch (id) {
    case 'python':
      if ('json' in task) throw new Error('pyarrow cannot read the integration JSON: give it the .stream files');
      return 'scenario' in task
        ? [python(), path.join(repo, 'test/conformance/runner/py_scenario_client.py'), ...where, '-scenario', task.scenario]
        : [python(), path.join(repo, 'test/conformance/runner/py_stream_client.py'), ...where, '-cases', task.streams];
    case 'ts':
      if ('json' in task) throw new Error('arrow-js cannot read the integration JSON: give it the .stream files');
      return 'scenario' in task
        ? [process.execPath, '--import', 'tsx', path.join(repo, 'test/conformance/runner/ts-scenario-client.ts'), ...where, '-scenario', task.scenario]
        : [process.execPath, '--import', 'tsx', path.join(repo, 'test/conformance/runner/ts-stream-client.ts'), ...where, '-cases', task.streams];
    // arrow-go main.go: flags -host, -port, -path, -scenario. Our Go scenario client takes the same.
    case 'go':
      if ('scenario' in task && ownScenarioClient('go', task.scenario)) return [goScenarioBinary(), ...where, '-scenario', task.scenario];
      return [goBinary(), '-host', '127.0.0.1', '-port', String(port), ...('scenario' in task ? ['-scenario', task.scenario] : ['-path', (task as { json: string }).json])];
    // Runs right after the arrow-go client, against the same server and table (JSON mode only).
    case 'go-readback':
      if (!('json' in task)) throw new Error('the read-back check has no scenario mode');
      return [process.env.PYTHON ?? 'python3', path.join(repo, 'test/conformance/runner/readback.py'), '127.0.0.1', String(port), task.json, task.stream];
    case 'java': {
      if ('scenario' in task && ownScenarioClient('java', task.scenario)) return [...javaScenarioCommand(), ...where, '-scenario', task.scenario];
      // IntegrationTestClient (commons-cli): -host, -port, -j/--json FILE, -scenario NAME.
      // Arrow 6's memory module reads java.nio.Buffer.address reflectively: open it on JDK 17.
      // CONFLICT_APPEND lets a struct keep two children of one name (generated_duplicate_fieldnames);
      // the default (CONFLICT_REPLACE) collapses them and JsonFileReader then fails with "fields and
      // children are not the same size". Arrow's archery runner passes the same JVM options.
      const cp = fs.readFileSync(javaClasspathFile(), 'utf8').trim();
      return ['java', '--add-opens=java.base/java.nio=ALL-UNNAMED', '-Darrow.struct.conflict.policy=CONFLICT_APPEND',
        '-Dio.netty.tryReflectionSetAccessible=true', '-XX:-UsePerfData', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn', '-Xmx512m', '-XX:+UseSerialGC', '-cp', cp,
        'org.apache.arrow.flight.example.integration.IntegrationTestClient',
        '-host', '127.0.0.1', '-port', String(port), ...('scenario' in task ? ['-scenario', task.scenario] : ['-j', (task as { json: string }).json])];
    }
  }
}
