// The README's code map and docs/design.md's layout are written by hand, so nothing else notices
// when a folder is added, moved or removed; and the pages link to each other by file and heading,
// which break silently when a section moves. These checks keep both true to the tree.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT_ROOT } from '../harness/quiver-process.ts';

const ROOTS = ['src', 'test', 'scripts', 'bench', 'docs'];

/** Folders `depth` levels or fewer under the roots, as `src/storage/`; caches and build output aside. */
function folders(depth: number): string[] {
  const out: string[] = [];
  const walk = (rel: string, level: number) => {
    for (const e of fs.readdirSync(path.join(PROJECT_ROOT, rel), { withFileTypes: true })) {
      if (!e.isDirectory() || /^[._]/.test(e.name) || e.name === 'node_modules' || e.name === 'target') continue;
      const child = `${rel}/${e.name}`;
      out.push(`${child}/`);
      if (level < depth) walk(child, level + 1);
    }
  };
  for (const r of ROOTS) walk(r, 1);
  return out.sort();
}

/** The first fenced block after the heading `## title` of a markdown file. */
function codeBlock(file: string, title: string): string {
  const text = fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8');
  const at = text.indexOf(`\n## ${title}\n`);
  assert.ok(at >= 0, `${file} has no "## ${title}" section`);
  const m = /\n```[^\n]*\n([\s\S]*?)\n```/.exec(text.slice(at));
  assert.ok(m, `${file}'s "${title}" section has no code block`);
  return m[1]!;
}

/** Every path the block names under proto/, bin/ or the roots (globs left out). */
function pathsNamed(block: string): string[] {
  const re = /(?<![\w/.-])((?:src|test|scripts|bench|docs|proto|bin)\/[\w./-]*)/g;
  return [...block.matchAll(re)].map((m) => m[1]!.replace(/[.,;:]+$/, '')).filter((p) => !p.includes('*'));
}

function checkMap(file: string, title: string, depth: number) {
  const named = pathsNamed(codeBlock(file, title));
  const missing = folders(depth).filter((f) => !named.includes(f));
  assert.deepEqual(missing, [], `${file}'s "${title}" does not name these folders: add them`);
  const absent = named.filter((p) => !fs.existsSync(path.join(PROJECT_ROOT, p)));
  assert.deepEqual(absent, [], `${file}'s "${title}" names paths that do not exist: remove or rename them`);
}

test("the README's code map names every folder one level under src, test, scripts, bench and docs", () => {
  checkMap('README.md', 'Code map', 1);
});

test("docs/design.md's layout names every folder two levels under src, test, scripts, bench and docs", () => {
  checkMap('docs/design.md', 'Layout of the code', 2);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

test('links between the README and docs/ pages reach a file and, when they name one, a heading', () => {
  const pages = ['README.md', ...fs.readdirSync(path.join(PROJECT_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const broken: string[] = [];
  for (const page of pages) {
    // Code blocks hold examples, not links.
    const text = fs.readFileSync(path.join(PROJECT_ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/.test(target!)) continue;
      const [file, hash] = target!.split('#') as [string, string | undefined];
      const resolved = file ? path.join(path.dirname(page), file) : page;
      if (!fs.existsSync(path.join(PROJECT_ROOT, resolved))) { broken.push(`${page}: ${target} (no such file)`); continue; }
      if (hash === undefined || !resolved.endsWith('.md')) continue;
      const headings = [...fs.readFileSync(path.join(PROJECT_ROOT, resolved), 'utf8').matchAll(/^#+ (.*)$/gm)].map((m) => anchor(m[1]!));
      if (!headings.includes(hash)) broken.push(`${page}: ${target} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});
