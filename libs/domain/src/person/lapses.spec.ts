import { replayPerson } from './state';
import { evolvePerson } from './state';
import { ev, employeeMonths } from '../testing/person-fixtures';
import { lapsesDue } from './lapses';

const H = '410327';
const base = [ev.registered('1990-01-01'), ev.enrolled('e1', 'resident', H, '2023-09-01')];

describe('lapsesDue (DOMAIN.md "Lapse and continuity")', () => {
  test('31 Dec with next year unpaid → one resident lapse for next year', () => {
    expect(lapsesDue(replayPerson(base), '2023-12-31')).toEqual([ev.lapse('resident', H, '2024', '2023-12-31')]);
  });
  test('paid next year → nothing', () => {
    expect(lapsesDue(replayPerson([...base, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01')]), '2023-12-31')).toEqual([]);
  });
  test('running again on a state that contains the lapse → nothing (idempotent)', () => {
    let state = replayPerson(base);
    for (const e of lapsesDue(state, '2023-12-31')) state = evolvePerson(state, e);
    expect(Object.keys(state.lapses)).toEqual(['lapse:resident:2024']);
    expect(lapsesDue(state, '2023-12-31')).toEqual([]);
  });
  test('not a month end, or not enrolled → nothing', () => {
    expect(lapsesDue(replayPerson(base), '2023-12-30')).toEqual([]);
    expect(lapsesDue(replayPerson([...base, ev.ended('e1', '2023-11-30')]), '2023-12-31')).toEqual([]);
  });
  test('employee month end: unpaid month lapses, paid or deferred month does not', () => {
    const w = [
      ev.registered('1990-01-01'),
      ev.enrolled('w1', 'employee', H, '2024-01-01', { employerId: 'x' }),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-02'),
    ];
    expect(lapsesDue(replayPerson(w), '2024-02-29')).toEqual([]);
    expect(lapsesDue(replayPerson(w), '2024-03-31')).toEqual([ev.lapse('employee', H, '2024-03', '2024-03-31')]);
    expect(lapsesDue(replayPerson([...w, ev.deferred('d1', 'x', ['2024-03'])]), '2024-03-31')).toEqual([]);
  });
  test('a part-only employee month (unit part missing) is not paid → lapse', () => {
    const w = [
      ev.registered('1990-01-01'),
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ev.employeePaid('i1', 'w1', H, '2024-03', '2024-03-10', { part: 'individual' }),
    ];
    expect(lapsesDue(replayPerson(w), '2024-03-31')).toHaveLength(1);
  });
});
