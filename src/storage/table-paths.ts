// Which paths relative to a table directory name a file of the table, checked wherever a path read
// back from a manifest or from coordination state is joined to the directory: apart from the
// layout (layout.ts) so that the manifest decoder can check its data file paths too.
import { QuiverError } from '../errors.ts';

/** The subdirectories of a table directory, each holding files written once. */
export const TABLE_SUBDIRS = ['data', 'manifests'] as const;
export type TableSubdir = (typeof TABLE_SUBDIRS)[number];

/**
 * `rel` when it names one file directly inside one of `subdirs` of a table directory; DATA_LOSS
 * naming `what` otherwise (a damaged or planted record), before anything is read or deleted.
 */
export function tablePath(rel: string, subdirs: readonly TableSubdir[], what: string): string {
  const slash = rel.indexOf('/');
  const sub = rel.slice(0, slash);
  const name = rel.slice(slash + 1);
  const ok = slash > 0 && (subdirs as readonly string[]).includes(sub) && name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
  if (!ok) throw new QuiverError('DATA_LOSS', `${what} is named ${JSON.stringify(rel)}, which is not a file of its ${subdirs.map((d) => `${d}/`).join(' or ')} directory; refused before anything was read or deleted`, { retriable: false });
  return rel;
}
