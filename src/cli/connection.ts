// --server and credentials, shared by every client command; flags win over QUIVER_* variables.
import fs from 'node:fs';
import { FlightClient, parseLocation, type FlightClientOptions } from '../client/index.ts';
import { UsageError, optionHelp, type OptionSpec, type ParsedArgs } from './usage.ts';

export const DEFAULT_SERVER = 'grpc+tcp://localhost:8815';

export const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  server: { type: 'string', value: 'URI', help: `Flight server, grpc+tcp://host:port or grpc+tls://host:port (env QUIVER_SERVER; default ${DEFAULT_SERVER})` },
  user: { type: 'string', value: 'NAME', help: 'user for Basic authentication (env QUIVER_USER)' },
  password: { type: 'string', value: 'PASS', help: 'password for --user (env QUIVER_PASSWORD)' },
  token: { type: 'string', value: 'TOKEN', help: 'bearer token, instead of --user/--password (env QUIVER_TOKEN)' },
  'tls-ca': { type: 'string', value: 'FILE', help: 'PEM certificate authorities to trust for grpc+tls' },
  'tls-cert': { type: 'string', value: 'FILE', help: 'PEM client certificate, for mutual TLS' },
  'tls-key': { type: 'string', value: 'FILE', help: 'PEM key of --tls-cert' },
};

export const CONNECTION_HELP = optionHelp(CONNECTION_OPTIONS);

function pick(values: ParsedArgs['values'], name: string, env?: string): string | undefined {
  const v = values[name];
  if (typeof v === 'string') return v;
  const fromEnv = env ? process.env[env] : undefined;
  return fromEnv === '' ? undefined : fromEnv;
}

function readPem(flag: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`cannot read ${flag} ${file}: ${(e as Error).message}`);
  }
}

export function serverUri(values: ParsedArgs['values']): string {
  const raw = pick(values, 'server', 'QUIVER_SERVER') ?? DEFAULT_SERVER;
  const uri = raw.includes('://') ? raw : `grpc+tcp://${raw}`;
  try {
    parseLocation(uri);
  } catch (e) {
    throw new UsageError(`--server: ${(e as Error).message}`);
  }
  return uri;
}

/** A connected (and, with credentials, authenticated) client for the command's options. */
export async function connect(values: ParsedArgs['values']): Promise<FlightClient> {
  const uri = serverUri(values);
  const user = pick(values, 'user', 'QUIVER_USER');
  const password = pick(values, 'password', 'QUIVER_PASSWORD');
  const token = pick(values, 'token', 'QUIVER_TOKEN');
  if (user !== undefined && password === undefined) throw new UsageError('--user needs --password (or QUIVER_PASSWORD)');
  if (user === undefined && password !== undefined) throw new UsageError('--password needs --user (or QUIVER_USER)');
  const options: FlightClientOptions = {};
  if (user !== undefined) options.credentials = { username: user, password: password! };
  else if (token !== undefined) options.token = token;
  const ca = readPem('--tls-ca', pick(values, 'tls-ca'));
  const cert = readPem('--tls-cert', pick(values, 'tls-cert'));
  const key = readPem('--tls-key', pick(values, 'tls-key'));
  if (ca || cert || key) {
    if (!parseLocation(uri).tls) throw new UsageError(`--tls-* options need a grpc+tls:// server, not ${uri}`);
    if (Boolean(cert) !== Boolean(key)) throw new UsageError('mutual TLS needs both --tls-cert and --tls-key');
    options.tls = { ca, cert, key };
  }
  return FlightClient.connect(uri, options);
}

/** Runs `body` with a connected client and always closes it. */
export async function withClient<T>(values: ParsedArgs['values'], body: (client: FlightClient) => Promise<T>): Promise<T> {
  const client = await connect(values);
  try {
    return await body(client);
  } finally {
    client.close();
  }
}
