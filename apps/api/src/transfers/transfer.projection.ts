import { evolveTransfer, initialTransferState, type TransferEvent } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import { In, type EntityManager } from 'typeorm';
import { TransferView } from './transfer-view.entity';

const TRANSFER_STREAM = 'transfer-';
const TRANSFER_TYPES = new Set(['TransferRequested', 'TransferOutConfirmed', 'TransferCompleted', 'TransferRejected', 'TransferCancelled']);

/** Folds each transfer stream into transfer_view (one read and one upsert per batch). */
export class TransferProjection implements Projection {
  readonly name = 'transfers';
  readonly eventTypes: ReadonlySet<string> = TRANSFER_TYPES;
  readonly tables = ['transfer_view'];
  readonly entities = [TransferView];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const byTransfer = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!e.streamName.startsWith(TRANSFER_STREAM) || !TRANSFER_TYPES.has(e.type)) continue;
      const transferId = e.streamName.slice(TRANSFER_STREAM.length);
      byTransfer.set(transferId, [...(byTransfer.get(transferId) ?? []), e]);
    }
    if (byTransfer.size === 0) return;
    const existing = await manager.findBy(TransferView, { transferId: In([...byTransfer.keys()]) });
    const rows = new Map(existing.map((row) => [row.transferId, row]));
    const changed: TransferView[] = [];
    for (const [transferId, transferEvents] of byTransfer) {
      let state = rows.get(transferId)?.state ?? initialTransferState;
      for (const e of transferEvents) state = evolveTransfer(state, { type: e.type, data: e.data } as TransferEvent);
      if (state.request === null) continue;
      const last = transferEvents[transferEvents.length - 1]!;
      changed.push(
        Object.assign(new TransferView(), {
          transferId,
          personId: state.request.personId,
          step: state.step,
          requestedOn: state.request.requestedOn,
          dueOn: state.dueOn,
          state,
          revision: last.revision,
          position: last.position,
        }),
      );
    }
    if (changed.length) await manager.upsert(TransferView, changed, ['transferId']);
  }
}
