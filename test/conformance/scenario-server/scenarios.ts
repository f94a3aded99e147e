// The scenarios this server plays, by the names the Arrow integration clients use.
import { appMetadataFlightInfoEndpoint } from './app-metadata.ts';
import { authBasicProto } from './auth-basic-proto.ts';
import { doExchangeEcho } from './do-exchange-echo.ts';
import { expirationTime } from './expiration-time.ts';
import { flightSql } from './flight-sql.ts';
import { flightSqlExtension } from './flight-sql-extension.ts';
import { flightSqlIngestion } from './flight-sql-ingestion.ts';
import { locationReuseConnection } from './location-reuse-connection.ts';
import { middleware } from './middleware.ts';
import { ordered } from './ordered.ts';
import { pollFlightInfo } from './poll-flight-info.ts';
import type { Scenario } from './scenario.ts';
import { sessionOptions } from './session-options.ts';

export const SCENARIOS: Record<string, Scenario> = {
  'auth:basic_proto': authBasicProto,
  middleware,
  ordered,
  'expiration_time:do_get': expirationTime,
  'expiration_time:list_actions': expirationTime,
  'expiration_time:cancel_flight_info': expirationTime,
  'expiration_time:renew_flight_endpoint': expirationTime,
  'location:reuse_connection': locationReuseConnection,
  session_options: sessionOptions,
  poll_flight_info: pollFlightInfo,
  app_metadata_flight_info_endpoint: appMetadataFlightInfoEndpoint,
  'do_exchange:echo': doExchangeEcho,
  flight_sql: flightSql,
  'flight_sql:extension': flightSqlExtension,
  'flight_sql:ingestion': flightSqlIngestion,
};
