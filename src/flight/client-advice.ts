// What a Flight client should do about a storage error. Storage states facts in its own terms
// (a table is missing, a commit lost a race) and knows nothing of RPCs; here those facts get
// the next step a Flight client can take, named in the protocol's words. toStatus applies it to
// every error a handler ends with; a handler that knows better (the import action) says its own.
import { QuiverError, type ErrorFact } from '../errors.ts';

const ADVICE: { [K in ErrorFact['kind']]: string } = {
  'table-missing': '; ListFlights shows the tables there are',
  'version-missing': '; the history action lists the versions',
  'version-gone': '; call GetFlightInfo again',
  'no-version-as-of': '; choose a later instant or clear the session\'s quiver.as_of',
  'table-exists': '; use mode "append" or "overwrite", or drop it first',
  'schema-mismatch': '; use mode "overwrite" to replace the table with the new schema',
  'not-committed': ', send the stream again',
};

/** The error's message with the client's next step appended, when its fact has one. */
export function advisedMessage(e: QuiverError): string {
  return e.fact ? `${e.message}${ADVICE[e.fact.kind]}` : e.message;
}

/** The import action's own words for the facts a write's check states. */
export function importAdvice(e: unknown): unknown {
  if (!(e instanceof QuiverError) || !e.fact) return e;
  const { fact } = e;
  if (fact.kind === 'table-exists') return new QuiverError(e.code, `table ${JSON.stringify(fact.table)} already exists; import with mode "append" or "overwrite"`, { cause: e });
  if (fact.kind === 'schema-mismatch') return new QuiverError(e.code, `cannot import into table ${JSON.stringify(fact.table)}: ${fact.reason}`, { cause: e });
  return e;
}
