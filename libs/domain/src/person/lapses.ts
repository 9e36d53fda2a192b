import { assertIsoDate, IsoDate, isLastDayOfMonth, monthOf } from '../dates';
import { POLICY_CATALOG } from '../policy/catalog';
import type { PolicyCatalog } from '../policy/types';
import { periodIsPaid } from './decide';
import { lapseIdFor, PersonEvent, Scheme } from './events';
import { enrollmentActiveOn, enrollmentViews } from './queries';
import type { PersonState } from './state';

/**
 * The pure part of the period-end job. At 31 December the next resident coverage year is
 * checked (its centralized window has closed); at every month end the employee month just
 * ending is. A period already lapsed or paid yields nothing, so reruns are harmless.
 */
export function lapsesDue(state: PersonState, periodEnd: IsoDate, catalog: PolicyCatalog = POLICY_CATALOG): PersonEvent[] {
  assertIsoDate(periodEnd, 'periodEnd');
  if (state.personId === null || !isLastDayOfMonth(periodEnd)) return [];
  const events: PersonEvent[] = [];
  const seen = new Set<string>();
  const add = (scheme: Scheme, regionCode: string, period: string) => {
    const lapseId = lapseIdFor(scheme, period);
    if (seen.has(lapseId) || state.lapses[lapseId] || periodIsPaid(state, scheme, period, catalog)) return;
    seen.add(lapseId);
    events.push({ type: 'LapseRecorded', data: { lapseId, scheme, regionCode, period, recordedFor: periodEnd } });
  };
  for (const e of enrollmentViews(state)) {
    if (!enrollmentActiveOn(e, periodEnd) || e.endReason === 'death') continue;
    if (e.scheme === 'resident' && periodEnd.endsWith('-12-31')) add('resident', e.regionCode, String(Number(periodEnd.slice(0, 4)) + 1));
    if (e.scheme === 'employee') add('employee', e.regionCode, monthOf(periodEnd));
  }
  return events;
}
