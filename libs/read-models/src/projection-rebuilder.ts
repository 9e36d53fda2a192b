import type { EventStore } from '@ledger/event-store';
import { DataSource } from 'typeorm';
import { ProjectionCheckpoint } from './checkpoint.entity';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';

export interface RebuildProgress {
  projection: string;
  position: number;
  target: number;
  eventsPerSecond: number;
}

export interface TableDifference {
  table: string;
  onlyLive: number;
  onlyRebuilt: number;
  /** A few differing rows from each side, as JSON. */
  samples: { live: unknown[]; rebuilt: unknown[] };
}

export interface RebuildReport {
  projection: string;
  fromPosition: number;
  position: number;
  seconds: number;
  differences: TableDifference[];
  swapped: boolean;
}

export interface RebuildOptions {
  /** Start over from position 0 instead of resuming an interrupted rebuild. */
  restart?: boolean;
  /** Replace the live tables with the rebuilt ones (only when asked). */
  swap?: boolean;
  onProgress?: (progress: RebuildProgress) => void;
  /** Stops the rebuild at its next checkpoint; run it again to resume. */
  signal?: AbortSignal;
  /** Events per shadow transaction (5,000): larger than live batches, since nobody waits on a rebuild's read-your-writes. */
  batchSize?: number;
}

export class RebuildInterrupted extends Error {
  override readonly name = 'RebuildInterrupted';
  constructor(readonly position: number) {
    super(`rebuild interrupted at position ${position}; run it again to resume`);
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Rebuilds a projection from position 0 into shadow tables (schema rebuild_<name>, same
 * definitions as the live tables) while the live ones keep serving, then compares them row by
 * row. The shadow checkpoint survives an interruption, so a second run resumes. Swapping moves
 * the rebuilt tables in and the old ones to retired_<name>, under the live checkpoint's row lock
 * so the live runner cannot slip an event in between.
 */
export class ProjectionRebuilder {
  constructor(
    private readonly store: EventStore,
    private readonly live: DataSource,
    private readonly databaseUrl: string,
  ) {}

  async rebuild(projection: Projection, options: RebuildOptions = {}): Promise<RebuildReport> {
    const started = Date.now();
    const shadow = `rebuild_${projection.name.replace(/\W/g, '_')}`;
    const tables = [...projection.tables, 'projection_checkpoints'];
    await this.live.query(`CREATE SCHEMA IF NOT EXISTS ${quote(shadow)}`);
    for (const table of tables) {
      await this.live.query(`CREATE TABLE IF NOT EXISTS ${quote(shadow)}.${quote(table)} (LIKE public.${quote(table)} INCLUDING ALL)`);
      // LIKE copies no storage parameters (a fillfactor), and the built table may replace the live one.
      const [{ storage }] = await this.live.query(`SELECT array_to_string(reloptions, ', ') AS storage FROM pg_class WHERE oid = $1::regclass`, [
        `public.${quote(table)}`,
      ]);
      if (storage) await this.live.query(`ALTER TABLE ${quote(shadow)}.${quote(table)} SET (${storage})`);
      if (options.restart) await this.live.query(`TRUNCATE ${quote(shadow)}.${quote(table)}`);
    }
    await this.dropSecondaryIndexes(shadow, projection.tables);
    const shadowSource = new DataSource({
      type: 'postgres',
      url: this.databaseUrl,
      entities: [ProjectionCheckpoint, ...(projection.entities as never[])],
      synchronize: false,
      extra: { max: 4, options: `-c search_path=${shadow}` },
    });
    await shadowSource.initialize();
    const runner = new ProjectionRunner(this.store, shadowSource, projection, { batchSize: options.batchSize ?? 5000 });
    try {
      const fromPosition = await this.checkpoint(shadowSource, projection.name);
      const target = Math.max(await this.store.headPosition(), await this.checkpoint(this.live, projection.name));
      await runner.start();
      // Stop between two batches at once; the committed shadow checkpoint is where the next run resumes.
      options.signal?.addEventListener('abort', () => void runner.stop(), { once: true });
      await this.follow(runner, projection.name, fromPosition, target, options);
      await this.createSecondaryIndexes(shadow, projection.tables);
      // Reported again: the rebuilt model is complete only with its indexes (progress bars and benchmarks end here).
      options.onProgress?.({ projection: projection.name, position: runner.status().position, target, eventsPerSecond: 0 });
      const differences = await this.settleAndCompare(runner, projection, shadow, options);
      let swapped = false;
      if (options.swap) {
        await this.swap(runner, projection, shadow, options);
        swapped = true;
      }
      return { projection: projection.name, fromPosition, position: runner.status().position, seconds: (Date.now() - started) / 1000, differences, swapped };
    } finally {
      await runner.stop();
      await shadowSource.destroy();
    }
  }

  private async follow(runner: ProjectionRunner, name: string, fromPosition: number, target: number, options: RebuildOptions): Promise<void> {
    const started = Date.now();
    while (runner.status().position < target) {
      if (options.signal?.aborted || runner.status().state === 'stopped') throw new RebuildInterrupted(runner.status().position);
      const status = runner.status();
      if (status.state === 'failing') throw new Error(`rebuild of ${name} failed at position ${status.position}: ${status.lastError}`);
      const seconds = (Date.now() - started) / 1000;
      options.onProgress?.({
        projection: name,
        position: status.position,
        target,
        eventsPerSecond: seconds > 0 ? (status.position - fromPosition) / seconds : 0,
      });
      await runner.waitFor(target, 250).catch(() => undefined);
    }
    options.onProgress?.({ projection: name, position: runner.status().position, target, eventsPerSecond: 0 });
  }

  /** The live read model keeps moving: compare at a moment when both stand at the same checkpoint. */
  private async settleAndCompare(runner: ProjectionRunner, projection: Projection, shadow: string, options: RebuildOptions): Promise<TableDifference[]> {
    for (let attempt = 0; ; attempt++) {
      const livePosition = await this.checkpoint(this.live, projection.name);
      await runner.waitFor(livePosition, 60_000);
      const differences = await this.live.transaction('REPEATABLE READ', async (manager) => {
        const [row]: Array<{ position: string }> = await manager.query('SELECT position FROM public.projection_checkpoints WHERE name = $1', [projection.name]);
        const [shadowRow]: Array<{ position: string }> = await manager.query(`SELECT position FROM ${quote(shadow)}.projection_checkpoints WHERE name = $1`, [
          projection.name,
        ]);
        if (Number(row?.position ?? 0) !== Number(shadowRow?.position ?? 0) && attempt < 5) return undefined;
        const found: TableDifference[] = [];
        for (const table of projection.tables) {
          const live = `public.${quote(table)}`;
          const rebuilt = `${quote(shadow)}.${quote(table)}`;
          // Rows are compared by their text form: json columns (opaque snapshots) have no equality operator,
          // and for every other type the text form is equal exactly when the values are.
          const only = async (a: string, b: string) => {
            const difference = `SELECT r::text AS t FROM ${a} r EXCEPT ALL SELECT r::text FROM ${b} r`;
            const [{ count }]: Array<{ count: string }> = await manager.query(`SELECT count(*) FROM (${difference}) d`);
            const samples: Array<{ row: unknown }> = await manager.query(
              `SELECT row_to_json(r) AS row FROM ${a} r WHERE r::text IN (SELECT t FROM (${difference}) d LIMIT 3) LIMIT 3`,
            );
            return { count: Number(count), samples: samples.map((s) => s.row) };
          };
          const onlyLive = await only(live, rebuilt);
          const onlyRebuilt = await only(rebuilt, live);
          if (onlyLive.count || onlyRebuilt.count) {
            found.push({ table, onlyLive: onlyLive.count, onlyRebuilt: onlyRebuilt.count, samples: { live: onlyLive.samples, rebuilt: onlyRebuilt.samples } });
          }
        }
        return found;
      });
      if (differences) return differences;
      if (options.signal?.aborted) throw new RebuildInterrupted(runner.status().position);
      // A runner that last skipped foreign events saves its position after a moment idle (ProjectionRunner): give it that moment.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async swap(runner: ProjectionRunner, projection: Projection, shadow: string, options: RebuildOptions): Promise<void> {
    const retired = `retired_${projection.name.replace(/\W/g, '_')}`;
    for (;;) {
      const livePosition = await this.checkpoint(this.live, projection.name);
      await runner.waitFor(livePosition, 60_000);
      await runner.stop();
      const done = await this.live.transaction(async (manager) => {
        // The live runner locks this row before applying a batch: holding it keeps the live tables still.
        await manager.query(`INSERT INTO public.projection_checkpoints (name, position, "updatedAt") VALUES ($1, 0, now()) ON CONFLICT (name) DO NOTHING`, [
          projection.name,
        ]);
        const [row]: Array<{ position: string }> = await manager.query('SELECT position FROM public.projection_checkpoints WHERE name = $1 FOR UPDATE', [
          projection.name,
        ]);
        const rebuiltAt = runner.status().position;
        if (Number(row.position) > rebuiltAt) return false;
        await manager.query(`DROP SCHEMA IF EXISTS ${quote(retired)} CASCADE`);
        await manager.query(`CREATE SCHEMA ${quote(retired)}`);
        for (const table of projection.tables) {
          await manager.query(`ALTER TABLE public.${quote(table)} SET SCHEMA ${quote(retired)}`);
          await manager.query(`ALTER TABLE ${quote(shadow)}.${quote(table)} SET SCHEMA public`);
        }
        await manager.query('UPDATE public.projection_checkpoints SET position = $2, "updatedAt" = now() WHERE name = $1', [projection.name, rebuiltAt]);
        await manager.query(`DROP SCHEMA ${quote(shadow)} CASCADE`);
        return true;
      });
      if (done) return;
      if (options.signal?.aborted) throw new RebuildInterrupted(runner.status().position);
      await runner.start();
    }
  }

  /**
   * Index maintenance row by row was most of a rebuild's cost (the audit log has five secondary
   * indexes): the shadow tables are filled without their non-unique indexes, which are built once
   * at the head. Unique ones stay, since projections upsert on them.
   */
  private async dropSecondaryIndexes(shadow: string, tables: string[]): Promise<void> {
    for (const index of await this.secondaryIndexes(shadow, tables)) await this.live.query(`DROP INDEX IF EXISTS ${quote(shadow)}.${quote(index.name)}`);
  }

  /** The live tables' non-unique indexes, built on the shadow tables under the same names (a swap then keeps them). */
  private async createSecondaryIndexes(shadow: string, tables: string[]): Promise<void> {
    const present = new Set((await this.secondaryIndexes(shadow, tables)).map((i) => i.name));
    for (const index of await this.secondaryIndexes('public', tables)) {
      if (present.has(index.name)) continue;
      const definition = index.definition.replace(/ ON public\./, ` ON ${quote(shadow)}.`);
      await this.live.query(definition);
    }
  }

  private async secondaryIndexes(schema: string, tables: string[]): Promise<Array<{ name: string; definition: string }>> {
    return this.live.query(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = ANY($2) AND NOT x.indisunique AND NOT x.indisprimary`,
      [schema, tables],
    );
  }

  private async checkpoint(source: DataSource, name: string): Promise<number> {
    const rows: Array<{ position: string }> = await source.query('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
    return rows.length ? Number(rows[0].position) : 0;
  }
}
