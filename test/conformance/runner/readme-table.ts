// The conformance table as it stands in docs/conformance.md: every corpus case and scenario x
// client, pass / FAIL / n/a, each reason once as a numbered note, and a note on every cell whose
// client is our own on the column's library rather than the Arrow project's client. Nothing in it depends on timing
// or the machine, so `--check` can demand that the page shows exactly what a run found.
import type { Outcome, RunReport } from './results.ts';

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
