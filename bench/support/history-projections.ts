import type { EventStore } from '@ledger/event-store';
import { ProjectionCheckpoint, ProjectionManager, type Projection } from '@ledger/read-models';
import { DataSource } from 'typeorm';
import { clock, int, msSince, rss, type Clock } from './stats';

/** The read-model database as AppModule configures it: schema from the entities, pool of 20. */
export async function readModelDataSource(url: string, projections: Projection[]): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities: [ProjectionCheckpoint, ...projections.flatMap((p) => p.entities as never[])],
    synchronize: true,
    extra: { max: 20 },
  });
  return dataSource.initialize();
}

export interface CatchUp {
  /** Clock started just before the runners. */
  started: Clock;
  /** Seconds until every projection stood at the head. */
  seconds: number;
  /** Seconds until each projection reached the head (they run side by side, as in the service). */
  perProjection: Record<string, number>;
}

/** Runs the service's ProjectionManager (default runner options) from its checkpoints until every projection reaches `head`. */
export async function catchUp(
  store: EventStore,
  dataSource: DataSource,
  projections: Projection[],
  head: number,
  log: (line: string) => void,
): Promise<CatchUp> {
  const manager = new ProjectionManager(store, dataSource, projections, {
    onError: (name, error) => log(`  projection ${name} failed a batch: ${String(error)}`),
  });
  const perProjection: Record<string, number> = {};
  const started = clock();
  await manager.start();
  try {
    let lastLog = started.start;
    for (;;) {
      const statuses = manager.status();
      for (const s of statuses) if (s.position >= head && perProjection[s.name] === undefined) perProjection[s.name] = msSince(started.start) / 1000;
      if (statuses.every((s) => s.position >= head)) break;
      const failing = statuses.find((s) => s.state === 'failing');
      if (failing) throw new Error(`projection ${failing.name} is failing at ${failing.position}: ${failing.lastError}`);
      if (msSince(lastLog) >= 10_000) {
        lastLog = process.hrtime.bigint();
        const seconds = msSince(started.start) / 1000;
        log(
          `  catch-up ${seconds.toFixed(0)} s: ${statuses.map((s) => `${s.name} ${int(s.position)} (${int(s.position / seconds)} events/s)`).join(', ')}; RSS ${rss()}`,
        );
      }
      await manager.waitFor(head, 1000).catch(() => undefined);
    }
    return { started, seconds: msSince(started.start) / 1000, perProjection };
  } finally {
    await manager.stop();
  }
}
