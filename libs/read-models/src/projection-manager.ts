import type { EventStore, StoredEvent, Subscription } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import type { Projection } from './projection';
import { ProjectionLagError, ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus } from './projection-runner';

/**
 * Something besides the projections that watches the shared reader's events (the held-payment releaser). It is
 * handed each event as read, after the projections, and must take it at once: a follower that held the reader back
 * would hold back the read models its own work waits for.
 */
export type EventFollower = (event: StoredEvent) => void;

/**
 * All projections of the service: started together, fed by ONE subscription (each event is read
 * and parsed once, not once per projection), and awaited together for read-your-writes. Each
 * projection keeps its own checkpoint and transaction; the reader starts at the lowest checkpoint
 * and every runner skips what it already has.
 */
export class ProjectionManager {
  readonly runners: ProjectionRunner[];
  private subscription?: Subscription;
  private reading?: Promise<void>;
  private readonly followers = new Set<EventFollower>();

  constructor(
    private readonly store: EventStore,
    dataSource: DataSource,
    projections: Projection[],
    options: ProjectionRunnerOptions = {},
  ) {
    this.runners = projections.map((p) => new ProjectionRunner(store, dataSource, p, options));
  }

  async start(): Promise<void> {
    if (this.subscription || this.runners.length === 0) return;
    const checkpoints = await Promise.all(this.runners.map((r) => r.startFed()));
    const subscription = this.store.subscribeToAll({ fromPosition: Math.min(...checkpoints) });
    this.subscription = subscription;
    this.reading = (async () => {
      for await (const event of subscription) {
        for (const runner of this.runners) {
          const full = runner.offer(event);
          if (full) await full;
        }
        for (const follow of this.followers) follow(event);
      }
    })();
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.unsubscribe();
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.reading;
    this.reading = undefined;
  }

  /**
   * Hands the follower every event the shared reader reads from now on (while the projections run), until the returned
   * function is called. After a stop or reset the reader starts again from the lowest checkpoint: events come again.
   */
  follow(follower: EventFollower): () => void {
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  runner(name: string): ProjectionRunner {
    const runner = this.runners.find((r) => r.projection.name === name);
    if (!runner) throw new Error(`unknown projection ${name}; known: ${this.runners.map((r) => r.projection.name).join(', ')}`);
    return runner;
  }

  /** Empties the chosen read models; if running, the shared reader restarts from the lowest checkpoint (0). */
  async reset(names?: string[]): Promise<void> {
    const chosen = names?.length ? names.map((n) => this.runner(n)) : this.runners;
    const wasRunning = this.subscription !== undefined;
    await this.stop();
    for (const runner of chosen) await runner.reset();
    if (wasRunning) await this.start();
  }

  async waitFor(position: number, timeoutMs = 5000): Promise<void> {
    const results = await Promise.allSettled(this.runners.map((r) => r.waitFor(position, timeoutMs)));
    const behind = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof ProjectionLagError ? r.reason.behind : []));
    if (behind.length) throw new ProjectionLagError(position, behind);
  }

  status(): ProjectionStatus[] {
    return this.runners.map((r) => r.status());
  }
}
