import fc from 'fast-check';
import { chinaDateOf, fromDayNumber, toDayNumber } from '../dates';
import { ev } from '../testing/person-fixtures';
import type { PersonEvent } from './events';
import { activeContributions, type ActiveContribution } from './queries';
import { replayPerson, type PersonState } from './state';

/** activeContributions as it was written before it read timestamps without Date.parse and copied with Object.assign. */
function referenceActiveContributions(state: PersonState): ActiveContribution[] {
  return Object.values(state.contributions)
    .filter((c) => !state.reversals[c.contributionId])
    .map((c) => ({ c: { ...c, paidOn: chinaDateOf(c.paidAt) }, at: Date.parse(c.paidAt) }))
    .sort((a, b) => a.at - b.at || (a.c.contributionId < b.c.contributionId ? -1 : a.c.contributionId > b.c.contributionId ? 1 : 0))
    .map((x) => x.c);
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The same few days written in many ways (offsets, fractions, Z), so that equal instants and cross-midnight dates are common. */
const paidAt = fc
  .record({
    day: fc.integer({ min: toDayNumber('2023-12-30'), max: toDayNumber('2024-01-02') }).map(fromDayNumber),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.constantFrom(0, 30, 59),
    fraction: fc.constantFrom('', '.5', '.123', '.123456'),
    offset: fc.constantFrom('+08:00', 'Z', '-05:00', '+09:30', '+00:00'),
  })
  .map((t) => `${t.day}T${pad(t.hour)}:${pad(t.minute)}:00${t.fraction}${t.offset}`);

const contributions = fc.uniqueArray(
  fc.record({ id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c10', 'c9'), paidAt, reversed: fc.boolean(), resident: fc.boolean() }),
  { selector: (c) => c.id, maxLength: 8 },
);

function stateOf(cs: { id: string; paidAt: string; reversed: boolean; resident: boolean }[]): PersonState {
  const events: PersonEvent[] = [ev.registered('1990-01-01'), ev.enrolled('e1', 'resident', '410327', '2023-09-01')];
  for (const c of cs) {
    const paid = c.resident
      ? ev.residentPaid(c.id, 'e1', '410327', 2024, 19000, '2023-12-30', { paidAt: c.paidAt, agencyReference: `ref-${c.id}` })
      : ev.employeePaid(c.id, 'e1', '410327', '2024-01', '2023-12-30', { paidAt: c.paidAt, part: 'unit' });
    events.push(paid);
    if (c.reversed) events.push(ev.reversed(c.id));
  }
  return replayPerson(events.map((event, i) => ({ event, meta: { recordedAt: '2024-02-01T00:00:00.000Z', position: i + 1 } })));
}

describe('person queries against their straightforward versions', () => {
  test('activeContributions: same contributions, fields in the same order, same payment order and China dates', () => {
    fc.assert(
      fc.property(contributions, (cs) => {
        const state = stateOf(cs);
        const expected = referenceActiveContributions(state);
        const actual = activeContributions(JSON.parse(JSON.stringify(state)) as PersonState);
        expect(actual).toEqual(expected);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        expect(activeContributions(state)).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });
});
