import { resolve } from 'node:path';
import { DEFAULT_BATCH_SIZE } from '@ledger/read-models';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface AppConfig {
  port: number;
  dataDir: string;
  /** Set: use this PostgreSQL. Unset: start the embedded one in `dataDir`. */
  databaseUrl?: string;
  embeddedPostgresPort: number;
  /** Server settings the embedded PostgreSQL starts with (`-c name=value` each); a server started by someone else keeps its own. */
  embeddedPostgresSettings: string[];
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreUrl?: string;
  logLevel: LogLevel;
  /** How long a write waits for the read models to catch up before answering 202. */
  readYourWritesTimeoutMs: number;
  /** Create demo clerk/auditor credentials on the first start of an empty ledger. */
  demoCredentials: boolean;
  /** Most events a projection applies in one transaction: larger catches up faster and holds more memory. */
  projectionBatchSize: number;
  /** Persons' states the intake hands to the persons projection (person-state-handoff.ts); 0: none, the projection reads them back. */
  personStateHandoffSize: number;
  /** Answer plain coverage reads in front of Express and Nest (coverage-fast-path.ts); off: every read goes through Nest. */
  coverageFastPath: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}=${raw} is not valid: expected an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!allowed.includes(raw as T)) throw new ConfigError(`${name}=${raw} is not valid: expected one of ${allowed.join(', ')}`);
  return raw as T;
}

function url(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${protocols.join(' or ')}`);
  return raw;
}

/**
 * The embedded server's settings. The defaults are for a ledger that writes far more than it deletes: shared_buffers
 * (PostgreSQL's own default is 128MB) keeps more of the event table's indexes in memory, and max_wal_size (1GB) spaces
 * out checkpoints, after each of which the first change to every page writes the whole page to the WAL again.
 */
export const EMBEDDED_PG_SETTINGS_DEFAULT = 'shared_buffers=512MB,max_wal_size=4GB';

function settings(env: NodeJS.ProcessEnv, name: string, fallback: string): string[] {
  const raw = env[name] === undefined ? fallback : env[name]!.trim();
  if (raw === '') return [];
  const pairs = raw.split(',').map((p) => p.trim());
  const bad = pairs.find((p) => !/^[a-z_][a-z0-9_.]*=[\w.:/+-]+$/.test(p));
  if (bad !== undefined) throw new ConfigError(`${name}: "${bad}" is not a setting; expected name=value pairs separated by commas, e.g. ${fallback}`);
  return pairs;
}

/** Reads and checks the environment once at start-up; a bad value stops the service with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const eventStore = oneOf(env, 'EVENT_STORE', ['postgres', 'eventstoredb'] as const, 'postgres');
  const eventStoreUrl = url(env, 'EVENTSTORE_URL', ['esdb:', 'esdb+discover:', 'kurrentdb:']);
  if (eventStore === 'eventstoredb' && !eventStoreUrl)
    throw new ConfigError('EVENT_STORE=eventstoredb needs EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false)');
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    dataDir: resolve(env.DATA_DIR || './.data'),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    embeddedPostgresPort: integer(env, 'EMBEDDED_PG_PORT', 54329, 1024, 65535),
    embeddedPostgresSettings: settings(env, 'EMBEDDED_PG_SETTINGS', EMBEDDED_PG_SETTINGS_DEFAULT),
    eventStore,
    eventStoreUrl,
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 0, 600_000),
    demoCredentials: oneOf(env, 'DEMO_CREDENTIALS', ['true', 'false'] as const, env.DATABASE_URL ? 'false' : 'true') === 'true',
    projectionBatchSize: integer(env, 'PROJECTION_BATCH_SIZE', DEFAULT_BATCH_SIZE, 1, 100_000),
    personStateHandoffSize: integer(env, 'PERSON_STATE_HANDOFF_SIZE', 10_000, 0, 1_000_000),
    coverageFastPath: oneOf(env, 'COVERAGE_FAST_PATH', ['true', 'false'] as const, 'true') === 'true',
  };
}
