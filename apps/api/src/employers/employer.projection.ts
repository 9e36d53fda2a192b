import { evolveEmployer, initialEmployerState, isDeferralMadeUp, type EmployerEvent, type EmployerState } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Projection } from '@ledger/read-models';
import { In, type EntityManager } from 'typeorm';
import { EmployerView } from './employer-view.entity';

const EMPLOYER_STREAM = 'employer-';
const EMPLOYER_TYPES = new Set([
  'EmployerRegistered',
  'EmployerArrearsChanged',
  'DeferralGranted',
  'DeferralEnded',
  'DeferredContributionsMadeUp',
  'EmployeeDeparted',
  'EmployerDeregistered',
]);

export function earliestOutstandingMakeUp(state: EmployerState): string | null {
  const due = Object.values(state.deferrals)
    .filter((d) => !isDeferralMadeUp(d))
    .map((d) => d.makeUpDueOn)
    .sort();
  return due[0] ?? null;
}

/** Folds each employer stream into employer_view. */
export class EmployerProjection implements Projection {
  readonly name = 'employers';
  readonly eventTypes: ReadonlySet<string> = EMPLOYER_TYPES;
  readonly tables = ['employer_view'];
  readonly entities = [EmployerView];

  async apply(events: StoredEvent[], manager: EntityManager): Promise<void> {
    const byEmployer = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!e.streamName.startsWith(EMPLOYER_STREAM) || !EMPLOYER_TYPES.has(e.type)) continue;
      const employerId = e.streamName.slice(EMPLOYER_STREAM.length);
      byEmployer.set(employerId, [...(byEmployer.get(employerId) ?? []), e]);
    }
    if (byEmployer.size === 0) return;
    const existing = await manager.findBy(EmployerView, { employerId: In([...byEmployer.keys()]) });
    const rows = new Map(existing.map((row) => [row.employerId, row]));
    const changed: EmployerView[] = [];
    for (const [employerId, employerEvents] of byEmployer) {
      let state = rows.get(employerId)?.state ?? initialEmployerState;
      for (const e of employerEvents) state = evolveEmployer(state, { type: e.type, data: e.data } as EmployerEvent);
      if (state.profile === null) continue;
      const last = employerEvents[employerEvents.length - 1]!;
      changed.push(
        Object.assign(new EmployerView(), {
          employerId,
          name: state.profile.name,
          regionCode: state.profile.regionCode,
          state,
          makeUpDueOn: earliestOutstandingMakeUp(state),
          revision: last.revision,
          position: last.position,
        }),
      );
    }
    if (changed.length) await manager.upsert(EmployerView, changed, ['employerId']);
  }
}
