import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { openDatabase } from '../../apps/api/src/database/embedded-postgres';
import { processTreeCpuSeconds } from './server-cpu';

export interface BenchDatabase {
  url: string;
  /** What the benchmark runs on, for the report. */
  description: string;
  /** Stops the embedded server (or drops what was created on DATABASE_URL); safe to call twice. */
  release(): Promise<void>;
  /** CPU seconds the embedded server has used so far (Linux); undefined on DATABASE_URL, whose server may serve others too. */
  serverCpuSeconds(): number | undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Without DATABASE_URL: a throw-away embedded PostgreSQL started exactly as the service starts it
 * (same settings, so fsync and synchronous_commit are the service's), in a fresh temporary DATA_DIR.
 * With DATABASE_URL: a fresh database on that server, or a fresh schema if the role cannot create one.
 */
export async function openBenchDatabase(log: (message: string) => void): Promise<BenchDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) return openOnExternal(external, log);

  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  // mkdtemp makes it 0700; as root, embedded-postgres runs the server as a `postgres` user that must reach DATA_DIR/postgres.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  let released = false;
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  // The service's settings for the embedded server, EMBEDDED_PG_SETTINGS included when set (to measure others).
  const { EMBEDDED_PG_SETTINGS } = process.env;
  let handle;
  try {
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port), ...(EMBEDDED_PG_SETTINGS === undefined ? {} : { EMBEDDED_PG_SETTINGS }) };
    handle = await openDatabase(loadConfig(env), log);
  } catch (error) {
    removeDir();
    throw error;
  }
  const { url, stop } = handle;
  const postmasterPid = (): number | undefined => {
    try {
      return Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    url,
    description: `embedded PostgreSQL (service settings${EMBEDDED_PG_SETTINGS === undefined ? '' : `, EMBEDDED_PG_SETTINGS=${EMBEDDED_PG_SETTINGS}`}) on 127.0.0.1:${port}, data in ${dataDir}`,
    serverCpuSeconds: () => {
      const pid = postmasterPid();
      return pid === undefined ? undefined : processTreeCpuSeconds(pid);
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await stop();
      } finally {
        removeDir();
      }
    },
  };
}

async function openOnExternal(external: string, log: (message: string) => void): Promise<BenchDatabase> {
  const name = `ledger_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new Client({ connectionString: external });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    log(`created database ${name} on DATABASE_URL`);
    const url = new URL(external);
    url.pathname = `/${name}`;
    let released = false;
    return {
      url: url.toString(),
      description: `database ${name} created on DATABASE_URL`,
      serverCpuSeconds: () => undefined,
      async release() {
        if (released) return;
        released = true;
        const client = new Client({ connectionString: external });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
    };
  } catch (error) {
    if ((error as { code?: string }).code !== '42501') throw error; // only "permission denied" falls back to a schema
    await admin.query(`CREATE SCHEMA ${name}`);
    log(`no CREATEDB privilege: created schema ${name} on DATABASE_URL`);
    const url = new URL(external);
    url.searchParams.set('options', `-c search_path=${name}`);
    let released = false;
    return {
      url: url.toString(),
      description: `schema ${name} created on DATABASE_URL (advisory locks and NOTIFY channel are shared with that database)`,
      serverCpuSeconds: () => undefined,
      async release() {
        if (released) return;
        released = true;
        const client = new Client({ connectionString: external });
        await client.connect();
        try {
          await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  } finally {
    await admin.end();
  }
}

/** Ctrl-C or SIGTERM mid-run still stops the throw-away PostgreSQL (after whatever `cleanup` closes first). */
export function cleanUpOnSignal(cleanup: () => Promise<unknown>): void {
  const stop = (signal: NodeJS.Signals) => {
    console.error(`${signal}: stopping PostgreSQL`);
    void cleanup()
      .catch(() => undefined)
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * VACUUM ANALYZE of one table, or of the whole database: a database that has run a while has been vacuumed.
 * `checkpoint`: then also write the dirty buffers out, so that a checkpoint of the bulk load does not run
 * under what is measured next; returns whether the role was allowed to.
 */
export async function vacuumAnalyze(url: string, table?: string, options: { checkpoint?: boolean } = {}): Promise<{ checkpointed: boolean }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(table ? `VACUUM ANALYZE ${table}` : 'VACUUM ANALYZE');
    if (!options.checkpoint) return { checkpointed: false };
    // Superusers and pg_checkpoint members only; on a DATABASE_URL without them it is skipped.
    return await client.query('CHECKPOINT').then(
      () => ({ checkpointed: true }),
      () => ({ checkpointed: false }),
    );
  } finally {
    await client.end();
  }
}
