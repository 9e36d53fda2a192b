import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PersonRegisteredData } from '@ledger/domain';
import { EVENT_STORE, type EventStore, type StoredEvent } from '@ledger/event-store';
import { AsyncSignal, ProjectionLagError, ProjectionManager } from '@ledger/read-models';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, MoreThan } from 'typeorm';
import type { CommandContext } from '../common/ledger-writer';
import { START_PROJECTIONS } from '../common/tokens';
import { PaymentIntake } from './payment-intake';
import { AgencyReceiptView } from './receipt-view.entity';
import { ReceiptProjection } from './receipt.projection';
import { ReleaseQueue } from './release-queue';

const RELEASER = { kind: 'staff' as const, id: 'held-payment-releaser', name: 'held payment releaser', role: 'clerk' as const };
const PAGE = 500;
/** Person events looked at together. */
const BATCH = 500;
/** Person events kept waiting at most; past that a sweep of every held payment stands for them (ReleaseQueue). */
const MAX_WAITING = 20 * BATCH;

/**
 * Applies held payments when their person registers or enrolls: it follows PersonRegistered and
 * EnrolledInScheme live, and on start sweeps whatever is held (events it missed while down), as it
 * does when more person events arrive at once than it keeps (a bulk registration while payments are held). It
 * runs in an HTTP service that runs the projections, not in operator commands: it waits on the
 * receipts read model, which only a service running the projections moves. A hold written after the
 * event it would have needed is caught by the intake itself, which looks again after writing the hold.
 *
 * It follows the projections' shared reader rather than subscribing itself: a second subscription
 * was a second read of the log after every append (7 ms of PostgreSQL per 1,000 payments in bench:ingest).
 */
@Injectable()
export class HeldPaymentReleaser implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly queue = new ReleaseQueue(MAX_WAITING);
  private readonly arrived = new AsyncSignal();
  private unfollow?: () => void;
  private loop?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    private readonly projections: ProjectionManager,
    private readonly intake: PaymentIntake,
    private readonly logger: PinoLogger,
    @Inject(START_PROJECTIONS) private readonly projectionsRun: boolean,
    @Optional() private readonly http?: HttpAdapterHost,
  ) {}

  /** Whether it follows person events and sweeps held payments in this process. */
  get running(): boolean {
    return this.loop !== undefined;
  }

  onApplicationBootstrap(): void {
    if (!this.http?.httpAdapter || !this.projectionsRun) return;
    // Following begins before the head is read (ReleaseQueue.startAt).
    this.unfollow = this.projections.follow((event) => {
      if (this.queue.take(event)) this.arrived.notify();
    });
    this.loop = this.run().catch((error: unknown) => {
      if (!this.stopped) this.logger.error({ err: error }, 'held-payment releaser stopped');
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.unfollow?.();
    this.arrived.notify();
    // Bounded: a release in flight may be waiting on a projection; shutdown must not wait for it.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private async run(): Promise<void> {
    this.queue.startAt(await this.store.headPosition());
    while (!this.stopped) {
      // Events are taken in batches: one look at the held queue answers for a whole batch when nothing is held, where a
      // look per event was a query per registration (3 % of the service's CPU in bench:ingest, which registers in bulk).
      const work = this.queue.next(BATCH);
      if (work === null) {
        await this.arrived.wait();
        // The reader hands over a page in microtasks: one macrotask later all of it is queued.
        await new Promise((resolve) => setImmediate(resolve));
      } else if ('sweepUpTo' in work) {
        await this.sweep(work.sweepUpTo).catch((error: unknown) => {
          if (!this.stopped) this.logger.warn({ err: error }, 'held-payment sweep failed; the next start sweeps again');
        });
      } else await this.onPersonEvents(work.events);
    }
  }

  private async onPersonEvents(events: StoredEvent[]): Promise<void> {
    try {
      // Holds written before these events must be visible before the look below.
      await this.receiptsAt(events[events.length - 1].position, 30_000);
      if (!(await this.anyHeld())) return;
    } catch (error) {
      if (this.stopped) return;
      this.logger.warn({ err: error, position: events[0].position }, 'releasing held payments failed; the next start sweeps them again');
      return;
    }
    for (const event of events) {
      if (this.stopped) return;
      try {
        await this.onPersonEvent(event);
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, position: event.position }, 'releasing held payments failed; the next start sweeps them again');
      }
    }
  }

  private async anyHeld(): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM agency_receipt_view WHERE status = 'held' LIMIT 1`);
    return rows.length > 0;
  }

  private async receiptsAt(position: number, timeoutMs: number): Promise<void> {
    try {
      await this.projections.runner(new ReceiptProjection().name).waitFor(position, timeoutMs);
    } catch (error) {
      if (!(error instanceof ProjectionLagError)) throw error;
    }
  }

  private async onPersonEvent(event: StoredEvent): Promise<void> {
    const idNumber = event.type === 'PersonRegistered' ? (event.data as PersonRegisteredData).idNumber : await this.idNumberOf(event.streamName);
    if (!idNumber) return;
    const held = await this.dataSource
      .getRepository(AgencyReceiptView)
      .find({ where: { idNumber, status: 'held' }, select: { agencyId: true, reference: true } });
    const context: CommandContext = {
      actor: RELEASER,
      correlationId: event.metadata.correlationId,
      causationId: event.eventId,
      reason: `person event ${event.type}`,
    };
    for (const r of held) await this.intake.release(r.agencyId, r.reference, context);
  }

  private async idNumberOf(stream: string): Promise<string | null> {
    const [first] = await this.store.readStream(stream, { maxCount: 1 });
    return first?.type === 'PersonRegistered' ? (first.data as PersonRegisteredData).idNumber : null;
  }

  /** Settles again every payment held once the receipts show position `upTo`: at start, and for events dropped when too many waited. */
  private async sweep(upTo: number): Promise<void> {
    await this.receiptsAt(upTo, 120_000);
    const repo = this.dataSource.getRepository(AgencyReceiptView);
    const context: CommandContext = {
      actor: RELEASER,
      correlationId: `held-sweep-${new Date().toISOString()}`,
      reason: `sweep of held payments at position ${upTo}`,
    };
    let after = '00000000-0000-0000-0000-000000000000';
    while (!this.stopped) {
      const page = await repo.find({
        where: { status: 'held', receiptId: MoreThan(after) },
        order: { receiptId: 'ASC' },
        take: PAGE,
        select: { receiptId: true, agencyId: true, reference: true },
      });
      if (page.length === 0) return;
      for (const r of page) if (!this.stopped) await this.intake.release(r.agencyId, r.reference, context);
      after = page[page.length - 1]!.receiptId;
    }
  }
}
