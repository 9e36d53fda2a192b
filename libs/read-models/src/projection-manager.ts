import type { EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import type { Projection } from './projection';
import { ProjectionLagError, ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus } from './projection-runner';

/** All projections of the service: started together, and awaited together for read-your-writes. */
export class ProjectionManager {
  readonly runners: ProjectionRunner[];

  constructor(store: EventStore, dataSource: DataSource, projections: Projection[], options: ProjectionRunnerOptions = {}) {
    this.runners = projections.map((p) => new ProjectionRunner(store, dataSource, p, options));
  }

  async start(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  runner(name: string): ProjectionRunner {
    const runner = this.runners.find((r) => r.projection.name === name);
    if (!runner) throw new Error(`unknown projection ${name}; known: ${this.runners.map((r) => r.projection.name).join(', ')}`);
    return runner;
  }

  async reset(names?: string[]): Promise<void> {
    const chosen = names?.length ? names.map((n) => this.runner(n)) : this.runners;
    for (const runner of chosen) await runner.reset();
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
