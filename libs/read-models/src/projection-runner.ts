import type { EventStore, StoredEvent, Subscription } from '@ledger/event-store';
import type { DataSource, EntityManager } from 'typeorm';
import { AsyncSignal } from './async-signal';
import type { Projection } from './projection';

export type RunnerState = 'stopped' | 'running' | 'failing';

export interface ProjectionStatus {
  name: string;
  state: RunnerState;
  position: number;
  lastError?: string;
}

export interface ProjectionRunnerOptions {
  /** Most events applied in one transaction. */
  batchSize?: number;
  /** First retry delay after a failed batch; doubles up to 30 s. */
  retryDelayMs?: number;
  /** Longest time a position reached by skipping foreign batches stays unsaved under load (an idle runner saves it sooner). */
  checkpointEveryMs?: number;
  onError?: (projection: string, error: unknown) => void;
}

/**
 * Most events applied in one transaction unless told otherwise. Per batch: a transaction, a checkpoint, a read of
 * the persons it touches. At 1,000 these were a sixth of a from-scratch projection (BENCHMARKS.md); a live batch is
 * whatever arrived, far smaller.
 */
export const DEFAULT_BATCH_SIZE = 10_000;

/** How long a runner that skipped foreign batches waits for more events before saving its position. */
const IDLE_SAVE_MS = 200;

export class ProjectionLagError extends Error {
  override readonly name = 'ProjectionLagError';
  constructor(
    readonly position: number,
    readonly behind: string[],
  ) {
    super(`read models have not caught up with position ${position} (${behind.join(', ')})`);
  }
}

/**
 * Keeps one projection up to date from the all-stream. Each batch of events and the checkpoint
 * that follows it commit in one transaction: a crash before commit re-applies the batch from
 * the old checkpoint, a crash after commit never applies it again.
 */
export class ProjectionRunner {
  private position = 0;
  private state: RunnerState = 'stopped';
  private lastError?: string;
  private subscription?: Subscription;
  private buffer: StoredEvent[] = [];
  /** Highest position queued by a shared reader (startFed/offer). */
  private queuedUpTo = 0;
  private readonly arrived = new AsyncSignal();
  private readonly drained = new AsyncSignal();
  private readonly advanced = new AsyncSignal();
  private loops?: Promise<unknown>;
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  private readonly checkpointEveryMs: number;
  /** When the first batch skipped since the checkpoint was last saved was skipped; null when nothing is unsaved. */
  private unsavedSince: number | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly dataSource: DataSource,
    readonly projection: Projection,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.checkpointEveryMs = options.checkpointEveryMs ?? 5000;
  }

  status(): ProjectionStatus {
    return { name: this.projection.name, state: this.state, position: this.position, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.position = await this.loadCheckpoint();
    this.state = 'running';
    this.buffer = [];
    const subscription = this.store.subscribeToAll({ fromPosition: this.position });
    this.subscription = subscription;
    this.loops = Promise.all([this.pump(subscription), this.applyLoop()]);
  }

  /**
   * Starts applying events that a shared reader offers (see ProjectionManager) instead of reading
   * the store itself. Returns the checkpoint the reader must start after, for this projection.
   */
  async startFed(): Promise<number> {
    if (this.state !== 'stopped') return this.queuedUpTo;
    this.position = await this.loadCheckpoint();
    this.queuedUpTo = this.position;
    this.state = 'running';
    this.buffer = [];
    this.loops = this.applyLoop();
    return this.position;
  }

  /**
   * Queues one event from the shared reader, skipping what this projection already has. Returns a promise, to be
   * awaited, only while the queue is full: the reader offers every event to every runner, and a promise per offer
   * was a tenth of the service's allocations in bench:ingest.
   */
  offer(event: StoredEvent): Promise<void> | undefined {
    if (this.isStopped() || event.position <= this.queuedUpTo) return undefined;
    this.buffer.push(event);
    this.queuedUpTo = event.position;
    this.arrived.notify();
    return this.queueFull() ? this.drain() : undefined;
  }

  /** Back-pressure: the reader stays at most four batches ahead of what is applied. */
  private queueFull(): boolean {
    return this.buffer.length >= this.batchSize * 4;
  }

  private async drain(): Promise<void> {
    while (this.queueFull() && !this.isStopped()) await this.drained.wait();
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    await this.subscription?.unsubscribe();
    this.arrived.notify();
    this.drained.notify();
    await this.loops;
    this.subscription = undefined;
    this.buffer = [];
  }

  /** Empties the projection's tables and its checkpoint; a later start rebuilds from position 0. */
  async reset(): Promise<void> {
    const wasRunning = this.state !== 'stopped';
    await this.stop();
    await this.dataSource.transaction(async (manager) => {
      for (const table of this.projection.tables) await manager.query(`TRUNCATE TABLE "${table}"`);
      await manager.query('DELETE FROM projection_checkpoints WHERE name = $1', [this.projection.name]);
    });
    this.position = 0;
    if (wasRunning) await this.start();
  }

  /** Resolves once every event up to `position` is applied; throws ProjectionLagError after the timeout. */
  async waitFor(position: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.position < position) {
      const left = deadline - Date.now();
      if (left <= 0) throw new ProjectionLagError(position, [`${this.projection.name} at ${this.position}`]);
      await this.advanced.wait(left);
    }
  }

  /** A method, not an inline comparison, because stop() changes the state while a loop awaits. */
  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private async pump(subscription: Subscription): Promise<void> {
    for await (const event of subscription) {
      if (this.isStopped()) break;
      this.buffer.push(event);
      this.arrived.notify();
      if (this.queueFull()) await this.drain();
    }
  }

  private async applyLoop(): Promise<void> {
    let delay = this.retryDelayMs;
    while (!this.isStopped()) {
      if (this.buffer.length === 0) {
        if (this.unsavedSince === null) await this.arrived.wait();
        else {
          await this.arrived.wait(IDLE_SAVE_MS);
          if (this.buffer.length === 0 && !this.isStopped()) await this.saveSkippedPosition();
        }
        // The reader offers a page event by event in microtasks; one macrotask later the whole page is
        // queued, so a batch is a page, not one event (a runner that skips foreign events woke per event).
        if (this.buffer.length < this.batchSize) await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      const batch = this.buffer.slice(0, this.batchSize);
      try {
        if (this.mustApply(batch)) {
          await this.applyBatch(batch);
          this.unsavedSince = null;
        } else this.unsavedSince ??= Date.now();
        this.buffer.splice(0, batch.length);
        this.position = batch[batch.length - 1].position;
        if (!this.isStopped()) this.state = 'running';
        this.lastError = undefined;
        delay = this.retryDelayMs;
        this.drained.notify();
        this.advanced.notify();
      } catch (error) {
        if (this.isStopped()) break;
        this.state = 'failing';
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.onError?.(this.projection.name, error);
        await this.arrived.wait(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /**
   * A batch of only foreign event types is skipped without a transaction (the projection would
   * write nothing), unless the checkpoint has not been saved for a while: then it is applied as
   * usual, which saves it, so a restart does not re-read a long stretch of foreign events.
   */
  private mustApply(batch: StoredEvent[]): boolean {
    const types = this.projection.eventTypes;
    if (!types || batch.some((e) => types.has(e.type))) return true;
    return this.unsavedSince !== null && Date.now() - this.unsavedSince >= this.checkpointEveryMs;
  }

  /**
   * The checkpoint row is locked first, so two processes running the same projection (the service
   * and an operator command) apply each event once: whatever the other already committed is skipped.
   */
  private async applyBatch(batch: StoredEvent[]): Promise<void> {
    const last = batch[batch.length - 1].position;
    await this.inCheckpointTransaction(async (manager, committed) => {
      const fresh = committed >= batch[0].position ? batch.filter((e) => e.position > committed) : batch;
      if (fresh.length) await this.projection.apply(fresh, manager);
      return last;
    });
  }

  /** Saves the position reached by skipping foreign batches; a failure only leaves it unsaved, to be saved later. */
  private async saveSkippedPosition(): Promise<void> {
    const reached = this.position;
    try {
      await this.inCheckpointTransaction(async () => reached);
      if (this.position === reached) this.unsavedSince = null;
    } catch (error) {
      this.options.onError?.(this.projection.name, error);
      await this.arrived.wait(this.retryDelayMs);
    }
  }

  /** Locks the checkpoint row, runs `work` with the committed position, and moves the checkpoint to what `work` returns (never back). */
  private async inCheckpointTransaction(work: (manager: EntityManager, committed: number) => Promise<number>): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // A read model is derived and its checkpoint commits with it: a crash can lose the last batches
      // only whole, checkpoint included, and they are applied again. So the commit need not wait for
      // the WAL flush (the events themselves are committed synchronously by the store). The setting
      // rides on the lock's statement: a batch is a handful of round trips, and each one counts.
      const lock = async (): Promise<Array<{ position: string }>> =>
        manager.query(`SELECT position, set_config('synchronous_commit', 'off', true) FROM projection_checkpoints WHERE name = $1 FOR UPDATE`, [
          this.projection.name,
        ]);
      let [row] = await lock();
      if (!row) {
        await manager.query(`INSERT INTO projection_checkpoints (name, position, "updatedAt") VALUES ($1, 0, now()) ON CONFLICT (name) DO NOTHING`, [
          this.projection.name,
        ]);
        [row] = await lock();
      }
      const committed = Number(row.position);
      const reached = await work(manager, committed);
      await manager.query(`UPDATE projection_checkpoints SET position = $2, "updatedAt" = now() WHERE name = $1`, [
        this.projection.name,
        Math.max(reached, committed),
      ]);
    });
  }

  private async loadCheckpoint(): Promise<number> {
    const rows: Array<{ position: string }> = await this.dataSource.query('SELECT position FROM projection_checkpoints WHERE name = $1', [
      this.projection.name,
    ]);
    return rows.length ? Number(rows[0].position) : 0;
  }
}
