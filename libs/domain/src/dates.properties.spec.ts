import fc from 'fast-check';
import { addDays, addMonths, addMonthsToMonth, chinaDateOf, daysInMonth, fromDayNumber, instantMs, isLeap, toDayNumber } from './dates';
import { DomainError } from './errors';

/**
 * dates.ts computes day numbers and China dates with integer arithmetic for speed. These are the
 * Date-based definitions it replaced; every answer, error or thrown RangeError included, must match them.
 */
const DAY_MS = 86_400_000;
const reference = {
  toDayNumber: (d: string) => Math.round(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS),
  fromDayNumber: (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10),
  addDays: (d: string, n: number) => reference.fromDayNumber(reference.toDayNumber(d) + n),
  daysInMonth: (year: number, month: number) => [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1],
  addMonthsToMonth: (m: string, n: number) => addMonths(`${m}-01`, n).slice(0, 7),
  chinaDateOf: (instant: string | Date) => {
    if (typeof instant === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(instant)) {
      const [y, m, d] = [Number(instant.slice(0, 4)), Number(instant.slice(5, 7)), Number(instant.slice(8, 10))];
      if (y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= reference.daysInMonth(y, m)!) return instant;
    }
    const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
    if (Number.isNaN(ms)) throw new DomainError('invalid_timestamp', 'not a valid instant', { value: String(instant) });
    return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
  },
};

/** What a call gave back or threw, in a form toEqual can compare (a DomainError by its type, code, message and details). */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (error) {
    if (error instanceof DomainError) return { domainError: { code: error.code, message: error.message, details: error.details } };
    return { thrown: error instanceof Error ? error.constructor.name : String(error) };
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const dayIn = (from: string, to: string) => fc.integer({ min: reference.toDayNumber(from), max: reference.toDayNumber(to) });
const year = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1900, max: 2200 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 9999 }) });

/** YYYY-MM-DD-like strings: mostly real dates, also month 0/13, day 0 and days past the month's end. */
const dateLike = fc.oneof(
  { weight: 3, arbitrary: dayIn('1900-01-01', '2200-12-31').map(reference.fromDayNumber) },
  {
    weight: 2,
    arbitrary: fc.tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 99 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9 +.e-]{10}$/) },
);

/** Timestamps near and inside the RFC 3339 shape: separators, out-of-range fields, fractions and offsets of every kind. */
const instantLike = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record({
        date: dateLike,
        separator: fc.constantFrom('T', 'T', 'T', 't', ' ', '_'),
        hour: fc.oneof(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 99 })),
        minute: fc.oneof(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })),
        second: fc.option(fc.oneof(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })), { nil: undefined, freq: 8 }),
        fraction: fc.option(fc.stringMatching(/^[0-9]{0,12}$/), { nil: undefined }),
        offset: fc.oneof(
          fc.constantFrom('+08:00', '+08:00', 'Z', 'Z', 'z', '', '+0800', '-00:00', '+24:00', '+08:60', 'GMT'),
          fc
            .tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
            .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
        ),
      })
      .map(
        (t) =>
          `${t.date}${t.separator}${pad(t.hour, 2)}:${pad(t.minute, 2)}` +
          `${t.second === undefined ? '' : `:${pad(t.second, 2)}`}${t.fraction === undefined ? '' : `.${t.fraction}`}${t.offset}`,
      ),
  },
  {
    weight: 2,
    arbitrary: fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 11, 31)), noInvalidDate: true }).map((d) => d.toISOString()),
  },
  {
    // A real instant written in a real offset, to the second, millisecond or microsecond.
    weight: 3,
    arbitrary: fc
      .tuple(
        fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2200, 11, 31)), noInvalidDate: true }),
        fc.oneof(fc.constant(480), fc.constant(0), fc.integer({ min: -1439, max: 1439 })),
        fc.constantFrom(19, 23, 26),
      )
      .map(([d, offset, length]) => {
        const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23).padEnd(26, '7').slice(0, length);
        const sign = offset < 0 ? '-' : '+';
        return `${local}${sign}${pad(Math.floor(Math.abs(offset) / 60), 2)}:${pad(Math.abs(offset) % 60, 2)}`;
      }),
  },
  { weight: 1, arbitrary: dateLike },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);

describe('dates: integer arithmetic gives the same answers as the Date-based definitions', () => {
  test('toDayNumber over dates of 1900–2200, out-of-range fields, short years and arbitrary strings', () => {
    fc.assert(
      fc.property(dateLike, (d) => {
        expect(toDayNumber(d)).toBe(reference.toDayNumber(d));
      }),
      { numRuns: 5000 },
    );
  });

  test('fromDayNumber over 1900–2200, the whole 0000–9999 range, beyond it, fractions and NaN', () => {
    const dayNumber = fc.oneof(
      { weight: 4, arbitrary: dayIn('1900-01-01', '2200-12-31') },
      { weight: 2, arbitrary: fc.integer({ min: -800_000, max: 3_000_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(-719_529, -719_528, 2_932_896, 2_932_897, -25_568, -25_567, 84_005, 84_006, 100_000_000, 100_000_001) },
      { weight: 1, arbitrary: fc.double({ min: -1_000_000, max: 3_000_000 }) },
    );
    fc.assert(
      fc.property(dayNumber, (n) => {
        expect(outcome(() => fromDayNumber(n))).toEqual(outcome(() => reference.fromDayNumber(n)));
      }),
      { numRuns: 5000 },
    );
  });

  test('addDays from any date-like string by any whole number of days', () => {
    fc.assert(
      fc.property(dateLike, fc.integer({ min: -40_000, max: 40_000 }), (d, n) => {
        expect(outcome(() => addDays(d, n))).toEqual(outcome(() => reference.addDays(d, n)));
      }),
      { numRuns: 5000 },
    );
  });

  test('daysInMonth for every month of 0000–9999 and months out of range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: -1, max: 14 }), (y, m) => {
        expect(daysInMonth(y, m)).toBe(reference.daysInMonth(y, m));
      }),
    );
  });

  test('addMonthsToMonth over months of 0000–9999, odd shapes, arbitrary strings and fractional steps', () => {
    const monthLike = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(year, fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`) },
      { weight: 1, arbitrary: fc.tuple(year, fc.integer({ min: 0, max: 99 })).map(([y, m]) => `${pad(y, 4)}-${pad(m, 2)}`) },
      { weight: 1, arbitrary: dateLike },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    );
    const step = fc.oneof(fc.integer({ min: -30, max: 30 }), fc.integer({ min: -130_000, max: 130_000 }), fc.double({ min: -100, max: 100, noNaN: true }));
    fc.assert(
      fc.property(monthLike, step, (m, n) => {
        expect(outcome(() => addMonthsToMonth(m, n))).toEqual(outcome(() => reference.addMonthsToMonth(m, n)));
      }),
      { numRuns: 5000 },
    );
  });

  test('chinaDateOf over random instants and offsets, invalid strings included (the same DomainError)', () => {
    fc.assert(
      fc.property(instantLike, (s) => {
        expect(outcome(() => chinaDateOf(s))).toEqual(outcome(() => reference.chinaDateOf(s)));
      }),
      { numRuns: 20_000 },
    );
  });

  test('chinaDateOf of Date objects, valid and invalid', () => {
    const date = fc.oneof(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15) }), fc.constant(new Date(Number.NaN)));
    fc.assert(
      fc.property(date, (d) => {
        expect(outcome(() => chinaDateOf(d))).toEqual(outcome(() => reference.chinaDateOf(d)));
      }),
    );
  });

  test('instantMs is Date.parse', () => {
    fc.assert(
      fc.property(instantLike, (s) => {
        expect(instantMs(s)).toBe(Date.parse(s));
      }),
      { numRuns: 20_000 },
    );
  });

  test('the China date of an instant written in China time is its own date', () => {
    fc.assert(
      fc.property(dayIn('1900-01-01', '2200-12-31'), fc.integer({ min: 0, max: 86_399_999 }), (day, ms) => {
        const local = new Date(day * DAY_MS + ms).toISOString().slice(0, 23);
        expect(chinaDateOf(`${local}+08:00`)).toBe(local.slice(0, 10));
      }),
    );
  });
});
