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
  apply(events: StoredEvent[], manager: EntityManager): Promise<void>;
}
