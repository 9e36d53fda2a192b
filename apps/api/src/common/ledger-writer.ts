import { Inject, Injectable } from '@nestjs/common';
import { newEventId, EVENT_STORE, type AppendResult, type EventStore, type ExpectedRevision } from '@ledger/event-store';
import { ProjectionLagError, ProjectionManager } from '@ledger/read-models';
import { actorLabel, type Actor } from '../auth/token.service';
import { APP_CONFIG } from './tokens';
import type { AppConfig } from '../config/app-config';

export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** The event or request that caused this command; the correlation id when it is the first step. */
  causationId?: string;
  reason?: string;
}

export interface DomainEventLike {
  type: string;
  data: unknown;
}

export interface WriteResult extends AppendResult {
  /** False when the read models had not caught up within READ_YOUR_WRITES_TIMEOUT_MS. */
  projected: boolean;
}

/** Appends a command's events with who/why/correlation metadata, then waits for the read models (read-your-writes). */
@Injectable()
export class LedgerWriter {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly projections: ProjectionManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async append(streamName: string, events: DomainEventLike[], expectedRevision: ExpectedRevision, context: CommandContext): Promise<WriteResult> {
    const result = await this.store.appendToStream(
      streamName,
      events.map((e) => ({
        eventId: newEventId(),
        type: e.type,
        data: e.data,
        metadata: {
          correlationId: context.correlationId,
          causationId: context.causationId ?? context.correlationId,
          actor: actorLabel(context.actor),
          actorName: context.actor.name,
          ...(context.reason ? { reason: context.reason } : {}),
        },
      })),
      { expectedRevision },
    );
    return { ...result, projected: await this.caughtUp(result.position) };
  }

  async caughtUp(position: number): Promise<boolean> {
    try {
      await this.projections.waitFor(position, this.config.readYourWritesTimeoutMs);
      return true;
    } catch (error) {
      if (error instanceof ProjectionLagError) return false;
      throw error;
    }
  }
}
