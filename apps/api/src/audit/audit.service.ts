import { Inject, Injectable } from '@nestjs/common';
import { personStreamId } from '@ledger/domain';
import { newEventId, EVENT_STORE, verifyStore, type EventStore, type HeadAnchor, type StoredEvent, type VerifyReport } from '@ledger/event-store';
import { DataSource } from 'typeorm';
import { actorLabel, type Actor } from '../auth/token.service';
import { APP_CONFIG } from '../common/tokens';
import type { AppConfig } from '../config/app-config';
import { AuditEventLog } from './audit-event-log.entity';

export const DISCLOSURE_STREAM = 'audit-disclosures';
const PAGE = 1000;

export interface EventFilter {
  from?: string;
  to?: string;
  types?: string[];
}

/** The report in one line, for the endpoint and the command line. */
export function verifySummary(report: VerifyReport): string {
  const keys = report.reservations;
  const chain = report.firstBreak
    ? `chain broken at position ${report.firstBreak.position}: ${report.firstBreak.kind} — ${report.firstBreak.detail}; ${report.verified} events verified before it`
    : `verified ${report.verified} events, head hash ${report.headHash}`;
  if (!keys) return chain;
  if (keys.mismatch) return `${chain}; payment keys do not agree with the events: ${keys.mismatch.detail}`;
  const unrecorded = keys.unrecorded ? ` (${keys.unrecorded} taken before writes recorded their keys: only their write's presence was checked)` : '';
  return `${chain}; ${keys.checked} payment keys agree with the events${unrecorded}`;
}

@Injectable()
export class AuditService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  verify(anchors: HeadAnchor[] = []): Promise<VerifyReport> {
    return verifyStore(this.store, { anchors, densePositions: this.config.eventStore === 'postgres' });
  }

  async personEvents(personId: string): Promise<StoredEvent[]> {
    return this.store.readStream(personStreamId(personId));
  }

  async *personEventPages(personId: string): AsyncGenerator<StoredEvent[]> {
    let from = 0;
    for (;;) {
      const page = await this.store.readStream(personStreamId(personId), { fromRevision: from, maxCount: PAGE });
      if (page.length) yield page;
      if (page.length < PAGE) return;
      from = page[page.length - 1].revision + 1;
    }
  }

  /**
   * Events recorded in [from, to] of the given types. The audit log narrows the position range;
   * the events themselves come from the store, a page at a time.
   */
  async *eventPages(filter: EventFilter): AsyncGenerator<StoredEvent[]> {
    const log = this.dataSource.getRepository(AuditEventLog).createQueryBuilder('l').select('min(l.position)', 'first').addSelect('max(l.position)', 'last');
    if (filter.from) log.andWhere('l.recordedAt >= :from', { from: filter.from });
    if (filter.to) log.andWhere('l.recordedAt <= :to', { to: filter.to });
    const bounds = await log.getRawOne<{ first: string | null; last: string | null }>();
    if (!bounds?.first || !bounds.last) return;
    const last = Number(bounds.last);
    let position = Number(bounds.first) - 1;
    const fromMs = filter.from ? Date.parse(filter.from) : -Infinity;
    const toMs = filter.to ? Date.parse(filter.to) : Infinity;
    while (position < last) {
      const page = await this.store.readAll({ fromPosition: position, maxCount: PAGE });
      if (page.length === 0) return;
      position = page[page.length - 1].position;
      const chosen = page.filter((e) => {
        if (e.position > last) return false;
        const at = Date.parse(e.metadata.recordedAt);
        return at >= fromMs && at <= toMs && (!filter.types?.length || filter.types.includes(e.type));
      });
      if (chosen.length) yield chosen;
    }
  }

  correlation(correlationId: string): Promise<AuditEventLog[]> {
    return this.dataSource
      .getRepository(AuditEventLog)
      .find({ where: [{ correlationId }, { causationId: correlationId }], order: { position: 'ASC' }, take: 10_000 });
  }

  /** Seeing whole ID numbers is itself a fact on the ledger: who, why, and what they asked for. */
  async recordDisclosure(actor: Actor, correlationId: string, reason: string, scope: Record<string, unknown>): Promise<void> {
    await this.store.appendToStream(DISCLOSURE_STREAM, [
      {
        eventId: newEventId(),
        type: 'IdNumbersDisclosed',
        data: { reason, scope, disclosedTo: actor.name },
        metadata: { correlationId, causationId: correlationId, actor: actorLabel(actor), actorName: actor.name, reason },
      },
    ]);
  }
}
