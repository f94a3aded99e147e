// The assertion the damaged-record tests share: DATA_LOSS, not retriable, naming where.
import assert from 'node:assert/strict';
import { QuiverError } from '../../src/errors.ts';

/** A DATA_LOSS QuiverError whose message names `where`. */
export const dataLossAt = (where: string) => (e: unknown) => {
  assert.ok(e instanceof QuiverError, `not a QuiverError: ${String(e)}`);
  assert.equal(e.code, 'DATA_LOSS', e.message);
  assert.equal(e.retriable, false);
  assert.ok(e.message.includes(where), `${JSON.stringify(e.message)} does not name ${where}`);
  return true;
};
