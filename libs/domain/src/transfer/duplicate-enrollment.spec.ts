import fc from 'fast-check';
import { addDays } from '../calendar/iso-date';
import { detectDuplicateEnrollment, EnrollmentPeriodLike } from './duplicate-enrollment';

const p = (from: string, to: string | null, regionCode = '410300', scheme = 'employee'): EnrollmentPeriodLike => ({
  from,
  to,
  regionCode,
  scheme,
});

describe('detectDuplicateEnrollment', () => {
  it('finds nothing when the new region starts the day after the old one ends', () => {
    expect(detectDuplicateEnrollment([p('2015-07-01', '2024-08-31')], [p('2024-09-01', null, '440100')])).toEqual([]);
  });

  it('reports a one-day overlap on the shared day', () => {
    const a = p('2015-07-01', '2024-09-01');
    const b = p('2024-09-01', null, '440100');
    expect(detectDuplicateEnrollment([a], [b])).toEqual([{ a, b, from: '2024-09-01', to: '2024-09-01' }]);
  });

  it('reports each overlapping pair with its overlap, in date order', () => {
    const employee = p('2020-01-01', '2022-12-31');
    const resident = p('2022-01-01', '2022-12-31', '440100', 'resident');
    const later = p('2019-06-01', '2020-03-31', '440100');
    expect(detectDuplicateEnrollment([employee], [resident, later])).toEqual([
      { a: employee, b: later, from: '2020-01-01', to: '2020-03-31' },
      { a: employee, b: resident, from: '2022-01-01', to: '2022-12-31' },
    ]);
  });

  it('gives an open overlap when both enrollments are still open', () => {
    const a = p('2023-01-01', null);
    const b = p('2024-01-01', null, '440100');
    expect(detectDuplicateEnrollment([a], [b])).toEqual([{ a, b, from: '2024-01-01', to: null }]);
  });

  it('is symmetric in the overlaps it finds (property)', () => {
    const period = fc
      .tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 400 }), fc.boolean())
      .map(([start, length, open]) => p(addDays('2015-01-01', start), open ? null : addDays('2015-01-01', start + length)));
    fc.assert(
      fc.property(fc.array(period, { maxLength: 5 }), fc.array(period, { maxLength: 5 }), (as, bs) => {
        const ab = detectDuplicateEnrollment(as, bs)
          .map((o) => `${o.from}/${o.to}`)
          .sort();
        const ba = detectDuplicateEnrollment(bs, as)
          .map((o) => `${o.from}/${o.to}`)
          .sort();
        expect(ab).toEqual(ba);
        for (const o of detectDuplicateEnrollment(as, bs)) {
          expect(o.from >= o.a.from && o.from >= o.b.from).toBe(true);
          if (o.to !== null) expect(o.to >= o.from).toBe(true);
        }
      }),
    );
  });
});
