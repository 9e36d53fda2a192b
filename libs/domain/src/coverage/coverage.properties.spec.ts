import fc from 'fast-check';
import { addDays, fromDayNumber, IsoDate, toDayNumber } from '../dates';
import type { PersonEvent } from '../person/events';
import { evolvePerson, evolvePersonMany, replayPerson } from '../person/state';
import { PERSON_CATEGORIES } from '../policy/types';
import { ev } from '../testing/person-fixtures';
import { coverageAsOf, coverageTimeline } from '.';

const H = '410327';
const dateBetween = (from: IsoDate, to: IsoDate) => fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map(fromDayNumber);

/** Random but policy-valid histories: Henan resident years 2023-2026, employee months, reversals, lapses, categories. */
const history: fc.Arbitrary<PersonEvent[]> = fc
  .record({
    birth: fc.oneof(dateBetween('1960-01-01', '2000-12-31'), dateBetween('2023-01-01', '2025-06-30')),
    residentEnd: fc.option(dateBetween('2023-06-01', '2026-12-31'), { nil: undefined }),
    resident: fc.array(
      fc.record({
        year: fc.integer({ min: 2023, max: 2026 }),
        paidOn: dateBetween('2022-09-01', '2026-12-31'),
        amountFen: fc.constantFrom(35000, 38000, 40000, 20000, 18000),
        makeUp: fc.boolean(),
        reversed: fc.boolean(),
      }),
      { maxLength: 6 },
    ),
    employee: fc.array(
      fc.record({
        month: fc.integer({ min: 0, max: 47 }).map((i) => `${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`),
        makeUp: fc.boolean(),
        part: fc.constantFrom('both', 'individual', 'unit') as fc.Arbitrary<'both' | 'individual' | 'unit'>,
        reversed: fc.boolean(),
      }),
      { maxLength: 14 },
    ),
    deferral: fc.option(fc.integer({ min: 0, max: 44 }), { nil: undefined }),
    categories: fc.array(fc.record({ category: fc.constantFrom(...PERSON_CATEGORIES), from: dateBetween('2022-01-01', '2026-12-31') }), { maxLength: 2 }),
    lapses: fc.array(fc.integer({ min: 2023, max: 2026 }), { maxLength: 2 }),
    viaTransfer: fc.boolean(),
  })
  .map((h) => {
    const events: PersonEvent[] = [
      ev.registered(h.birth),
      ev.enrolled('e1', 'resident', H, '2022-09-01', h.viaTransfer ? { via: 'transfer' } : {}),
      ev.enrolled('w1', 'employee', H, '2023-01-01', { employerId: 'acme' }),
    ];
    if (h.residentEnd) events.push(ev.ended('e1', h.residentEnd, 'moved_to_employee'));
    h.resident.forEach((r, i) => {
      events.push(ev.residentPaid(`r${i}`, 'e1', H, r.year, r.amountFen, r.paidOn, { kind: r.makeUp ? 'make_up' : 'regular' }));
      if (r.reversed) events.push(ev.reversed(`r${i}`));
    });
    h.employee.forEach((m, i) => {
      events.push(ev.employeePaid(`m${i}`, 'w1', H, m.month, `${m.month}-20`, { kind: m.makeUp ? 'make_up' : 'regular', part: m.part }));
      if (m.reversed) events.push(ev.reversed(`m${i}`));
    });
    if (h.deferral !== undefined) {
      const months = [0, 1, 2].map((k) => h.deferral! + k).map((i) => `${2023 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
      events.push(ev.deferred('d1', 'acme', months));
    }
    h.categories.forEach((c) => events.push(ev.categories([c.category], c.from)));
    h.lapses.forEach((y) => events.push(ev.lapse('resident', H, String(y), `${y - 1}-12-31`)));
    return events;
  });

/** Dates where answers can change: every period edge and its neighbours, plus fixed probes. */
function probeDates(events: PersonEvent[]): IsoDate[] {
  const timeline = coverageTimeline(replayPerson(events));
  const edges = timeline.flatMap((p) => [addDays(p.from, -1), p.from, p.to, addDays(p.to, 1)]);
  return [...new Set([...edges, '2023-01-01', '2024-02-29', '2024-12-31', '2025-01-01', '2026-06-15'])].sort();
}

const permutation = <T>(xs: T[]) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length });
const config = { numRuns: 150 };

describe('coverage properties (fast-check)', () => {
  test('replaying the same events gives the same state, also after a JSON round trip', () => {
    fc.assert(
      fc.property(history, (events) => {
        const a = replayPerson(events);
        expect(replayPerson(events)).toEqual(a);
        const stored = JSON.parse(JSON.stringify(a));
        expect(coverageTimeline(stored)).toEqual(coverageTimeline(a));
      }),
      config,
    );
  });

  test('any arrival order of the same events gives the same timeline and answers', () => {
    fc.assert(
      fc.property(
        history.chain((events) => fc.tuple(fc.constant(events), permutation(events))),
        ([events, shuffled]) => {
          const a = replayPerson(events);
          const b = replayPerson(shuffled);
          expect(coverageTimeline(b)).toEqual(coverageTimeline(a));
          for (const d of probeDates(events).slice(0, 12)) expect(coverageAsOf(b, d)).toEqual(coverageAsOf(a, d));
        },
      ),
      config,
    );
  });

  test('timeline periods are sorted, well-formed and never overlap', () => {
    fc.assert(
      fc.property(history, (events) => {
        const t = coverageTimeline(replayPerson(events));
        for (const p of t) expect(p.from <= p.to).toBe(true);
        for (let i = 1; i < t.length; i++) expect(t[i - 1]!.to < t[i]!.from).toBe(true);
      }),
      config,
    );
  });

  test('cover never starts inside a waiting period', () => {
    fc.assert(
      fc.property(history, (events) => {
        const t = coverageTimeline(replayPerson(events));
        const waits = t.filter((p) => p.status === 'waiting');
        for (const c of t.filter((p) => p.status === 'covered')) {
          for (const w of waits) expect(c.from >= w.from && c.from <= w.to).toBe(false);
        }
      }),
      config,
    );
  });

  test('coverageAsOf agrees with coverageTimeline on every date where either could change', () => {
    fc.assert(
      fc.property(history, dateBetween('2022-06-01', '2027-06-30'), (events, extra) => {
        const state = replayPerson(events);
        const t = coverageTimeline(state);
        for (const d of [...probeDates(events), extra]) {
          const p = t.find((x) => x.from <= d && d <= x.to);
          const a = coverageAsOf(state, d);
          expect(a.status).toBe(p?.status ?? 'not_covered');
          expect(a.scheme).toBe(p && p.status !== 'not_covered' ? p.scheme : null);
          if (a.status === 'covered') expect([a.coveredFrom, a.coveredTo]).toEqual([p!.from, p!.to]);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a contribution is counted once however often it is delivered', () => {
    fc.assert(
      fc.property(
        history.chain((events) => fc.tuple(fc.constant(events), fc.array(fc.integer({ min: 0, max: events.length - 1 }), { maxLength: 8 }))),
        ([events, repeats]) => {
          const noisy = [...events, ...repeats.map((i) => events[i]!)];
          const a = replayPerson(events);
          const b = replayPerson(noisy);
          expect(b).toEqual(a);
          for (const d of ['2023-06-30', '2024-06-30', '2025-06-30', '2026-06-30']) expect(coverageAsOf(b, d).arrearsFen).toBe(coverageAsOf(a, d).arrearsFen);
        },
      ),
      config,
    );
  });

  test('paying is never worse: adding a full centralized payment never removes cover (004 五)', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 2024, max: 2026 }), (events, year) => {
        const before = coverageTimeline(replayPerson(events));
        const after = replayPerson([...events, ev.residentPaid('extra', 'e1', H, year, 40000, `${year - 1}-10-01`)]);
        const coveredBefore = before.filter((p) => p.status === 'covered');
        for (const p of coveredBefore) {
          expect(coverageAsOf(after, p.from).status).toBe('covered');
        }
      }),
      { numRuns: 60 },
    );
  });

  test('folding many events at once equals folding them one by one, and never changes the state it starts from', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const member of Object.values(value)) deepFreeze(member);
      }
      return value;
    };
    fc.assert(
      fc.property(history, fc.integer({ min: 0, max: 40 }), (events, cut) => {
        const split = Math.min(cut, events.length);
        const start = deepFreeze(replayPerson(events.slice(0, split)));
        const meta = (i: number) => ({ recordedAt: '2026-01-01T00:00:00.000Z', position: i + 1 });
        let oneByOne = start;
        events.slice(split).forEach((event, i) => (oneByOne = evolvePerson(oneByOne, event, meta(i))));
        const atOnce = evolvePersonMany(
          start,
          events.slice(split).map((event, i) => ({ event, meta: meta(i) })),
        );
        expect(atOnce).toEqual(oneByOne);
        expect(coverageTimeline(atOnce)).toEqual(coverageTimeline(oneByOne));
      }),
      { numRuns: 60 },
    );
  });
});
