// Files are written once, with exclusive create, and fsynced before anything refers to them:
// a name that exists always holds complete contents.
import fs from 'node:fs/promises';
import path from 'node:path';

export async function writeNewFile(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await fs.open(file, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a file's contents, or a directory's entries (new files' names), durable. */
export async function syncPath(target: string): Promise<void> {
  const fh = await fs.open(target, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function ensureDirectory(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
}

export async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true, recursive: true }).catch(() => undefined);
}

export const isNotFound = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'ENOENT';
export const isAlreadyExists = (e: unknown) => (e as NodeJS.ErrnoException)?.code === 'EEXIST';

export function within(root: string, child: string): boolean {
  const rel = path.relative(root, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
