// quiver/server: the package's server entry point. It exports only the embedded server for test
// suites; the server's assembly (QuiverServer, storage, coordination) stays internal.
export { startServer, type StartServerOptions, type StartedServer } from './start-server.ts';
export type { ServerConfig } from './config.ts';
export type { ParquetCompression } from '../storage/parquet-codec.ts';
export type { LogFormat, LogLevel } from './logger.ts';
export type { Logger } from '../flight/context.ts';
