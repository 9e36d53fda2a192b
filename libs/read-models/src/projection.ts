import type { StoredEvent } from '@ledger/event-store';
import type { EntityManager, EntitySchema, MixedList } from 'typeorm';

/**
 * A read model kept by the projection runner. `apply` runs inside the transaction that also
 * moves the projection's checkpoint, so it must do all its writes through `manager`.
 */
export interface Projection {
  readonly name: string;
  /** Tables the projection owns: emptied on reset. */
  readonly tables: string[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  /**
   * The event types apply() acts on, when it ignores all others. A batch without any of them is not
   * applied: the runner only moves the projection's position (and writes the checkpoint now and then).
   */
  readonly eventTypes?: ReadonlySet<string>;
  apply(events: StoredEvent[], manager: EntityManager): Promise<void>;
}
