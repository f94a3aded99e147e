// The conformance table as it stands in docs/conformance.md: every corpus case and scenario x
// client, pass / FAIL / n/a, each reason once as a numbered note, and a note on every cell whose
// client is our own on the column's library rather than the Arrow project's client. Nothing in it depends on timing
// or the machine, so `--check` can demand that the page shows exactly what a run found.
import type { ClientId } from '../client-limits.ts';
import type { CaseResult, Outcome, RunReport } from './results.ts';

/** How each outcome reads in the tables. */
export const mark: Record<Outcome, string> = { pass: 'pass', fail: 'FAIL', 'cannot-run': 'n/a', 'not-installed': 'not installed' };

export const README_BEGIN = '<!-- conformance:begin -->';
export const README_END = '<!-- conformance:end -->';

export function readmeSection(r: RunReport): string {
  const notes: string[] = [];
  const note = (reason: string) => {
    const text = reason.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
    let i = notes.indexOf(text);
    if (i < 0) i = notes.push(text) - 1;
    return `[${i + 1}]`;
  };
  const ids = r.clients.map((c) => c.id);
  const lines = [
    `| case | ${r.clients.map((c) => c.title).join(' | ')} |`,
    `|---|${ids.map(() => '---').join('|')}|`,
  ];
  for (const name of r.cases) {
    const cells = ids.map((id) => {
      const res = r.results.find((x) => x.case === name && x.client === id);
      if (!res) return '-';
      const cell = res.outcome === 'pass' ? 'pass' : `${mark[res.outcome]} ${note(res.reason ?? '')}`;
      // Cells whose client is ours (on the column's library) say so: the others are the Arrow project's.
      return res.via ? `${cell} ${note(`client: ${res.via}`)}` : cell;
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const count = (id: string, outcome: string) => r.results.filter((x) => x.client === id && x.outcome === outcome).length;
  const ours = (id: string) => {
    const n = r.results.filter((x) => x.client === id && x.via && x.outcome === 'pass').length;
    return n ? ` (${n} of them through our client)` : '';
  };
  const totals = r.clients.map((c) => `${c.title} ${count(c.id, 'pass')} pass${ours(c.id)}, ${count(c.id, 'fail')} fail, ${count(c.id, 'cannot-run')} n/a`);
  return [
    lines.join('\n'),
    '',
    `Totals: ${totals.join('; ')}. "-": the client has no such mode.`,
    '',
    ...notes.map((n, i) => `${i + 1}. ${n}`),
  ].join('\n');
}

/** The page with the text between the markers replaced (markers added at the end if absent). */
export function replaceReadmeSection(readme: string, section: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  const block = `${README_BEGIN}\n${section}\n${README_END}`;
  if (begin < 0 || end < begin) return `${readme.trimEnd()}\n\n${block}\n`;
  return readme.slice(0, begin) + block + readme.slice(end + README_END.length);
}

/**
 * The results the page's table shows, read back from it (the inverse of readmeSection), so that a
 * partial run can rewrite only its own cells: `titles` are the column titles, `cases` the rows.
 */
export function parseReadmeSection(readme: string, clients: readonly { id: ClientId; title: string }[]): { ids: ClientId[]; cases: string[]; results: CaseResult[] } | null {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) return null;
  const lines = readme.slice(begin + README_BEGIN.length, end).split('\n');
  const cellsOf = (line: string) => line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
  const head = lines.find((l) => l.startsWith('| case |'));
  if (!head) return null;
  const ids = cellsOf(head).slice(1).map((title) => {
    const c = clients.find((k) => k.title === title);
    if (!c) throw new Error(`docs/conformance.md's table has a column "${title}" that no client has`);
    return c.id;
  });
  const notes = new Map<number, string>();
  for (const l of lines) {
    const m = /^(\d+)\. (.*)$/.exec(l);
    if (m) notes.set(Number(m[1]), m[2]!.replace(/\\\|/g, '|'));
  }
  const byMark = new Map(Object.entries(mark).map(([outcome, text]) => [text, outcome as Outcome]));
  const cases: string[] = [];
  const results: CaseResult[] = [];
  for (const l of lines) {
    if (!l.startsWith('| ') || l === head) continue;
    const [name, ...cells] = cellsOf(l);
    cases.push(name!);
    cells.forEach((cell, i) => {
      if (cell === '-') return;
      const m = /^(pass|FAIL|n\/a|not installed)((?: \[\d+\])*)$/.exec(cell);
      if (!m) throw new Error(`cannot read the cell "${cell}" of row ${name} in docs/conformance.md`);
      const texts = [...m[2]!.matchAll(/\[(\d+)\]/g)].map((n) => notes.get(Number(n[1])) ?? '');
      const via = texts.find((t) => t.startsWith('client: '));
      const reason = texts.find((t) => !t.startsWith('client: '));
      results.push({
        case: name!, client: ids[i]!, outcome: byMark.get(m[1]!)!,
        ...(reason !== undefined ? { reason } : {}), ...(via !== undefined ? { via: via.slice('client: '.length) } : {}),
      });
    });
  }
  return { ids, cases, results };
}

/**
 * The report a partial run means for the whole table: the page's results, with every cell this
 * run covered replaced by what it found; new rows go after the corpus rows (scenarios) or among them.
 */
export function mergeIntoTable(readme: string, r: RunReport, clients: readonly { id: ClientId; title: string; origin: string }[], scenarioOrder: readonly string[]): RunReport {
  const shown = parseReadmeSection(readme, clients);
  if (!shown) return r;
  const ran = new Set(r.results.map((x) => `${x.case}\u0000${x.client}`));
  const results = [...shown.results.filter((x) => !ran.has(`${x.case}\u0000${x.client}`)), ...r.results];
  const isScenario = (c: string) => c.startsWith('scenario/');
  const rank = (c: string) => { const i = scenarioOrder.indexOf(c.slice('scenario/'.length)); return i < 0 ? scenarioOrder.length : i; };
  const all = [...new Set([...shown.cases, ...r.cases])];
  const cases = [...all.filter((c) => !isScenario(c)), ...all.filter(isScenario).sort((a, b) => rank(a) - rank(b))];
  const columns = shown.ids.map((id) => clients.find((c) => c.id === id)!);
  return { ...r, clients: columns.map((c) => ({ ...c, installed: true })), cases, results };
}
