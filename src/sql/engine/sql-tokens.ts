// A small SQL tokenizer of our own: enough to classify a statement by its leading keywords, find
// the target table of CREATE TABLE AS / INSERT / DROP, split off the inner query, and rewrite the
// table references DuckDB's parser located. It understands what can hide a keyword or a ';'
// (quoted identifiers, string literals, dollar quoting, line and nested block comments); it never
// decides what SQL means: DuckDB's own parser does that.
import { invalidArgument } from '../../errors.ts';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  /** Source text of the token. */
  text: string;
  /** For words: the upper-cased keyword form; for quoted identifiers: the identifier itself. */
  value: string;
  /** Character offsets into the SQL text. */
  start: number;
  end: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      if (depth > 0) throw invalidArgument('SQL has an unterminated /* comment');
      continue;
    }
    const start = i;
    if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) throw invalidArgument('SQL has an unterminated quoted identifier');
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') (value += '"', (i += 2));
          else break;
        } else value += sql[i++];
      }
      i++;
      tokens.push({ kind: 'quoted', text: sql.slice(start, i), value, start, end: i });
      continue;
    }
    if (c === "'" || ((c === 'E' || c === 'e' || c === 'X' || c === 'x') && sql[i + 1] === "'")) {
      i = c === "'" ? i + 1 : i + 2;
      for (;;) {
        if (i >= n) throw invalidArgument('SQL has an unterminated string literal');
        if (sql[i] === '\\' && c !== "'" && (c === 'E' || c === 'e')) i += 2;
        else if (sql[i] === "'") {
          if (sql[i + 1] === "'") i += 2;
          else break;
        } else i++;
      }
      i++;
      tokens.push({ kind: 'string', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw invalidArgument('SQL has an unterminated $$ string');
        i = close + tag[0].length;
        tokens.push({ kind: 'string', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
        continue;
      }
    }
    if (WORD_START.test(c)) {
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      const text = sql.slice(start, i);
      tokens.push({ kind: 'word', text, value: text.toUpperCase(), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      while (i < n && /[0-9A-Za-z_.]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'number', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
      continue;
    }
    // Multi-character operators matter only as "not a keyword"; `=>` is kept whole for AT clauses.
    const two = sql.slice(i, i + 2);
    const len = ['=>', '::', '<=', '>=', '<>', '!=', '||', '->'].includes(two) ? 2 : 1;
    i += len;
    tokens.push({ kind: 'punct', text: sql.slice(start, i), value: sql.slice(start, i), start, end: i });
  }
  return tokens;
}

/** Is this token the keyword `kw` (an unquoted word)? */
export const isKeyword = (t: Token | undefined, kw: string) => t !== undefined && t.kind === 'word' && t.value === kw;

export const isPunct = (t: Token | undefined, p: string) => t !== undefined && t.kind === 'punct' && t.text === p;

/** An identifier's name: a quoted identifier as written between quotes, a bare one as written. */
export function identifierName(t: Token | undefined): string | null {
  if (t === undefined) return null;
  if (t.kind === 'quoted') return t.value;
  if (t.kind === 'word') return t.text;
  return null;
}

/** A double-quoted SQL identifier. */
export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A single-quoted SQL string literal. */
export const quoteLiteral = (s: string) => `'${s.replaceAll("'", "''")}'`;
