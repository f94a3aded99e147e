// A statement quiver refuses because it does not parse at all is a syntax error, and says so with
// DuckDB's parser message: `SELEC 1` is not "SELEC statements are not supported". Our own
// classifier (statement-kind.ts) reads only leading keywords, so when it refuses a text, DuckDB's
// parser (nothing runs) decides whether the refusal is a syntax error or a real "not supported".
import type { DuckDBInstance } from '@duckdb/node-api';
import { QuiverError, invalidArgument } from '../../errors.ts';
import { SYNTAX_ERROR } from './query-tree.ts';
import { classifyStatement, type ClassifiedStatement } from './statement-kind.ts';

export async function classifyOrSyntaxError(instance: DuckDBInstance, sql: string): Promise<ClassifiedStatement> {
  try {
    return classifyStatement(sql);
  } catch (refusal) {
    if (!(refusal instanceof QuiverError) || refusal.code !== 'INVALID_ARGUMENT' || sql.trim() === '') throw refusal;
    const parserMessage = await parseError(instance, sql);
    if (parserMessage !== null) throw invalidArgument(`${SYNTAX_ERROR}: ${parserMessage}`);
    throw refusal;
  }
}

/** DuckDB's parser message for `sql`, or null when it parses. */
async function parseError(instance: DuckDBInstance, sql: string): Promise<string | null> {
  const con = await instance.connect();
  try {
    await con.extractStatements(sql);
    return null;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.replace(/^Failed to extract statements: /, '');
  } finally {
    con.closeSync();
  }
}
