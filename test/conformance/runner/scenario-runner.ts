// Scenario mode (issue 5 item 2): each client runs `-scenario NAME` against the scenario server
// (test/conformance/scenario-server), a fresh one per client run, so no scenario sees another's
// state. Results use the JSON-mode shape, with the case named "scenario/NAME".
import path from 'node:path';
import { SCENARIO_CANNOT_RUN, ownScenarioClient, type ClientId } from '../client-limits.ts';
import { clientCommand, repo } from './clients.ts';
import { run, startServer } from './processes.ts';
import type { CaseResult } from './results.ts';

export const scenarioCase = (name: string) => `scenario/${name}`;

export interface ScenarioRun {
  client: ClientId;
  scenario: string;
  timeoutMs: number;
  describeFailure(id: ClientId, output: string): string;
}

/** Why a client cannot run a scenario, or undefined when it can. */
export function scenarioLimit(client: ClientId, scenario: string): string | undefined {
  return (SCENARIO_CANNOT_RUN[client] as Record<string, string | undefined> | undefined)?.[scenario];
}

export async function runScenario(o: ScenarioRun): Promise<CaseResult> {
  const name = scenarioCase(o.scenario);
  const limit = scenarioLimit(o.client, o.scenario);
  if (limit) return { case: name, client: o.client, outcome: 'cannot-run', reason: limit };
  const serverCmd = [process.execPath, '--import', 'tsx', path.join(repo, 'test/conformance/scenario-server/main.ts'), '--scenario', o.scenario];
  let server;
  try {
    server = await startServer('scenario server', serverCmd, repo);
  } catch (e) {
    return { case: name, client: o.client, outcome: 'fail', reason: `scenario server did not start: ${(e as Error).message.split('\n')[0]}` };
  }
  const t0 = Date.now();
  const cmd = clientCommand(o.client, server.port, { scenario: o.scenario });
  const p = await run(cmd, o.timeoutMs);
  const seconds = Math.round((Date.now() - t0) / 100) / 10;
  const serverLog = await server.stop();
  const via = ownScenarioClient(o.client, o.scenario);
  if (!p.timedOut && p.code === 0) return { case: name, client: o.client, outcome: 'pass', seconds, via };
  const shown = cmd.map((a) => (a.length > 120 ? a.slice(0, 60) + '…' : a)).join(' ');
  return {
    case: name, client: o.client, outcome: 'fail', seconds, via,
    reason: p.timedOut ? `timed out after ${o.timeoutMs / 1000} s` : o.describeFailure(o.client, p.output),
    output: `$ ${shown}\n${p.output}`.slice(-8000),
    serverLog: serverLog.slice(-4000),
  };
}
