import fc from 'fast-check';
import {
  addDays,
  addMonths,
  chinaDateOf,
  chinaToday,
  compareDates,
  daysBetween,
  fromDayNumber,
  isLeap,
  isValidIsoDate,
  isValidTimestamp,
  monthsBetween,
  toDayNumber,
} from './dates';

describe('dates (China calendar, never server-local time)', () => {
  test('isValidIsoDate rejects 2023-02-29 and accepts 2024-02-29', () => {
    expect(isValidIsoDate('2023-02-29')).toBe(false);
    expect(isValidIsoDate('2024-02-29')).toBe(true);
    expect(isValidIsoDate('2024-2-1')).toBe(false);
    expect(isValidIsoDate('2024-13-01')).toBe(false);
  });
  test('leap years', () => {
    expect([2000, 2024, 1900, 2023].map(isLeap)).toEqual([true, true, false, false]);
  });
  test('chinaDateOf uses UTC+8: 2023-12-31T16:00Z is already 1 Jan in China', () => {
    expect(chinaDateOf('2023-12-31T15:59:59Z')).toBe('2023-12-31');
    expect(chinaDateOf('2023-12-31T16:00:00Z')).toBe('2024-01-01');
    expect(chinaDateOf('2024-01-01T00:30:00+08:00')).toBe('2024-01-01');
    expect(chinaToday(new Date('2024-02-28T20:00:00Z'))).toBe('2024-02-29');
  });
  test('addMonths clamps at month end', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-11-30', 3)).toBe('2025-02-28');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
  });
  test('addDays / daysBetween across the leap day and year end', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(monthsBetween('2024-11', '2025-02')).toBe(3);
  });
  test('timestamps must be RFC 3339 with an offset', () => {
    expect(isValidTimestamp('2024-01-01T10:00:00+08:00')).toBe(true);
    expect(isValidTimestamp('2024-01-01T10:00:00')).toBe(false);
    expect(isValidTimestamp('2024-02-30T10:00:00Z')).toBe(false);
  });
  test('day numbers round-trip and order like strings', () => {
    const day = fc.integer({ min: toDayNumber('1900-01-01'), max: toDayNumber('2100-12-31') });
    fc.assert(
      fc.property(day, day, (a, b) => {
        const da = fromDayNumber(a);
        return (
          isValidIsoDate(da) &&
          toDayNumber(da) === a &&
          Math.sign(compareDates(da, fromDayNumber(b))) === Math.sign(a - b) &&
          daysBetween(da, addDays(da, b - a)) === b - a
        );
      }),
    );
  });
});
