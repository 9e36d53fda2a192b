import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { PersonRegisteredData } from '@ledger/domain';
import { EVENT_STORE, type EventStore, type StoredEvent, type Subscription } from '@ledger/event-store';
import { ProjectionLagError, ProjectionManager } from '@ledger/read-models';
import { PinoLogger } from 'nestjs-pino';
import { DataSource, MoreThan } from 'typeorm';
import type { CommandContext } from '../common/ledger-writer';
import { START_PROJECTIONS } from '../common/tokens';
import { PaymentIntake } from './payment-intake';
import { AgencyReceiptView } from './receipt-view.entity';
import { ReceiptProjection } from './receipt.projection';

const RELEASER = { kind: 'staff' as const, id: 'held-payment-releaser', name: 'held payment releaser', role: 'clerk' as const };
const PAGE = 500;

/**
 * Applies held payments when their person registers or enrolls: it follows PersonRegistered and
 * EnrolledInScheme live, and on start sweeps whatever is held (events it missed while down). It
 * runs in an HTTP service that runs the projections, not in operator commands: it waits on the
 * receipts read model, which only a service running the projections moves. A hold written after the
 * event it would have needed is caught by the intake itself, which looks again after writing the hold.
 */
@Injectable()
export class HeldPaymentReleaser implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: Subscription;
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
    this.loop = this.run().catch((error: unknown) => {
      if (!this.stopped) this.logger.error({ err: error }, 'held-payment releaser stopped');
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.subscription?.unsubscribe();
    // Bounded: a release in flight may be waiting on a projection; shutdown must not wait for it.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  }

  private async run(): Promise<void> {
    const head = await this.store.headPosition();
    const subscription = this.store.subscribeToAll({ fromPosition: head, filter: { eventTypePrefixes: ['PersonRegistered', 'EnrolledInScheme'] } });
    this.subscription = subscription;
    const sweep = this.sweep(head).catch((error: unknown) => {
      if (!this.stopped) this.logger.warn({ err: error }, 'held-payment sweep failed; the next start sweeps again');
    });
    for await (const event of subscription) {
      if (this.stopped) break;
      try {
        await this.onPersonEvent(event);
      } catch (error) {
        if (this.stopped) break;
        this.logger.warn({ err: error, position: event.position }, 'releasing held payments failed; the next start sweeps them again');
      }
    }
    await sweep;
  }

  private async receiptsAt(position: number, timeoutMs: number): Promise<void> {
    try {
      await this.projections.runner(new ReceiptProjection().name).waitFor(position, timeoutMs);
    } catch (error) {
      if (!(error instanceof ProjectionLagError)) throw error;
    }
  }

  private async onPersonEvent(event: StoredEvent): Promise<void> {
    if (!event.streamName.startsWith('person-')) return;
    const idNumber = event.type === 'PersonRegistered' ? (event.data as PersonRegisteredData).idNumber : await this.idNumberOf(event.streamName);
    if (!idNumber) return;
    // Holds written before this event must be visible before the query below.
    await this.receiptsAt(event.position, 30_000);
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

  private async sweep(head: number): Promise<void> {
    await this.receiptsAt(head, 120_000);
    const repo = this.dataSource.getRepository(AgencyReceiptView);
    const context: CommandContext = { actor: RELEASER, correlationId: `held-sweep-${new Date().toISOString()}`, reason: 'start-up sweep of held payments' };
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
