// `quiver users add|remove|list --file FILE`: edits a users file (--users-file of `quiver
// serve`) on this machine, hashing passwords with scrypt so that none is ever written in the
// clear. No server is involved; a running server reads the file when it starts.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ROLES, parseRole, readUsersFile, writeUsersFile, type UsersFile } from '../server/users-file.ts';
import { hashPassword } from '../server/users-passwords.ts';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from './usage.ts';

const HELP = `Usage: quiver users add NAME --role ROLE --file FILE [--password-stdin]
       quiver users remove NAME --file FILE
       quiver users list --file FILE

Edits the users file that \`quiver serve --users-file FILE\` reads. Roles: ${ROLES.join(' < ')}
(read: every read; write: also DoPut, ingest and SQL writes; admin: also drop, import,
maintenance, cluster-config and cache-clear). \`add\` asks for the password (twice on a
terminal; with --password-stdin, or when stdin is not a terminal, it reads the first line of
stdin), stores its scrypt hash, and replaces NAME's entry if there is one. A new file is created
with mode 0600. Servers read the file at start: restart them to apply a change.

Options:
  --role ROLE            ${ROLES.join(', ')} (add)
  --file FILE            the users file (env QUIVER_USERS_FILE)
  --password-stdin       read the password from stdin even on a terminal
  -h, --help             show this help

Exit codes: 0 success, 1 error, 2 usage error.`;

export async function users(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { role: { type: 'string' }, file: { type: 'string' }, 'password-stdin': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return EXIT_OK;
  }
  const [action, name, ...extra] = positionals;
  const file = values.file ?? process.env.QUIVER_USERS_FILE;
  try {
    if (!action || !['add', 'remove', 'list'].includes(action)) throw new UsageError('expected add, remove or list');
    if (extra.length > 0 || (action === 'list' ? name !== undefined : name === undefined)) throw new UsageError(`wrong arguments for ${action}`);
    if (!file) throw new UsageError('--file FILE is needed (or QUIVER_USERS_FILE)');
    const current: UsersFile = fs.existsSync(file) ? readUsersFile(file) : { format: file.endsWith('.json') ? 'json' : 'lines', users: [] };
    if (action === 'list') {
      for (const u of current.users) console.log(`${u.name}\t${u.role}`);
      return EXIT_OK;
    }
    if (action === 'remove') {
      if (!current.users.some((u) => u.name === name)) throw new Error(`${file} has no user ${JSON.stringify(name)}`);
      writeUsersFile(file, { ...current, users: current.users.filter((u) => u.name !== name) });
      console.log(`removed ${name} from ${file}`);
      return EXIT_OK;
    }
    if (values.role === undefined) throw new UsageError(`--role is needed: one of ${ROLES.join(', ')}`);
    let role;
    try {
      role = parseRole(values.role);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    if (name!.includes(':') || /\s/.test(name!)) throw new UsageError('a user name cannot contain ":" or spaces');
    const password = await readPassword(Boolean(values['password-stdin']));
    const entry = { name: name!, role, password: await hashPassword(password) };
    const others = current.users.filter((u) => u.name !== name);
    writeUsersFile(file, { ...current, users: [...others, entry] });
    console.log(`${others.length < current.users.length ? 'updated' : 'added'} ${name} (${role}) in ${file}`);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    console.error(`quiver users: ${(e as Error).message}`);
    return EXIT_FAILURE;
  }
}

function usage(message: string): number {
  console.error(`quiver users: ${message}\nRun \`quiver users --help\` for usage.`);
  return EXIT_USAGE;
}

async function readPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin || !process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
    if (!line) throw new Error('no password on stdin');
    return line;
  }
  const first = await prompt('password: ');
  const again = await prompt('again: ');
  if (first !== again) throw new Error('the passwords differ');
  if (!first) throw new Error('the password is empty');
  return first;
}

/** A line from the terminal, not echoed. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
        if (ch === '\u0003') return done(() => reject(new Error('cancelled')));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    const done = (settle: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      settle();
    };
    stdin.on('data', onData);
  });
}
