import fc from 'fast-check';
import { CalendarError } from './calendar-error';
import { CHINA_HOLIDAY_NOTICES } from './holiday-notices';
import { addDays, dayOfWeek, datesFromTo } from './iso-date';
import { addWorkingDays, chinaWorkingDayCalendar, createWorkingDayCalendar, isWorkingDay, workingDaysBetween } from './working-day-calendar';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CalendarError) return e.code;
    throw e;
  }
  return undefined;
}

describe('holiday notice data', () => {
  it('has one notice per year 2021–2026, and 2027 provisionally until its notice is published', () => {
    expect(CHINA_HOLIDAY_NOTICES.map((n) => n.year)).toEqual([2021, 2022, 2023, 2024, 2025, 2026, 2027]);
    expect(CHINA_HOLIDAY_NOTICES.filter((n) => n.provisional).map((n) => n.year)).toEqual([2027]);
    expect(chinaWorkingDayCalendar.provisionalYears).toEqual([2027]);
  });

  it('counts the 2027 statutory days as holidays, and only them (no adjusted working days yet)', () => {
    expect(isWorkingDay('2027-02-05')).toBe(false); // 除夕, a Friday
    expect(isWorkingDay('2027-02-08')).toBe(false); // 初三, a Monday
    expect(isWorkingDay('2027-02-09')).toBe(true);
    expect(isWorkingDay('2027-10-04')).toBe(true); // no 调休 known: an ordinary Monday for now
    expect(addWorkingDays('2026-12-24', 10)).toBe('2027-01-08');
    expect(() => isWorkingDay('2028-01-03')).toThrow(CalendarError);
  });

  it('puts every adjusted working day on a Saturday or Sunday, outside any holiday range', () => {
    for (const notice of CHINA_HOLIDAY_NOTICES) {
      const off = new Set(notice.holidays.flatMap((h) => datesFromTo(h.from, h.to)));
      for (const d of notice.holidays.flatMap((h) => h.workingDays ?? [])) {
        expect([d, [0, 6].includes(dayOfWeek(d))]).toEqual([d, true]);
        expect([d, off.has(d)]).toEqual([d, false]);
      }
    }
  });

  // Independent cross-check of the transcription: the working days a year loses must equal
  // the statutory holiday days (11 until 2024; 13 from 2025 after the 2024 revision), since
  // every notice moves weekend-falling festival days onto weekdays and pays back bridges.
  it.each([
    [2021, 11],
    [2022, 11],
    [2023, 11],
    [2024, 11],
    [2025, 13],
    [2026, 13],
  ])('%i loses exactly %i working days net', (year, statutory) => {
    const days = datesFromTo(`${year}-01-01`, `${year}-12-31`);
    const weekdaysOff = days.filter((d) => ![0, 6].includes(dayOfWeek(d)) && !isWorkingDay(d)).length;
    const weekendsWorked = days.filter((d) => [0, 6].includes(dayOfWeek(d)) && isWorkingDay(d)).length;
    expect(weekdaysOff - weekendsWorked).toBe(statutory);
  });
});

describe('isWorkingDay', () => {
  it.each([
    // [date, working?, why]
    ['2021-02-07', true, '2021 Spring Festival make-up Sunday'],
    ['2021-02-20', true, '2021 Spring Festival make-up Saturday'],
    ['2021-02-15', false, '2021 Spring Festival Monday'],
    ['2021-04-05', false, '2021 Qingming Monday'],
    ['2021-09-18', true, '2021 Mid-Autumn make-up Saturday'],
    ['2021-10-09', true, '2021 National Day make-up Saturday'],
    ['2022-01-03', false, '2022 New Year Monday'],
    ['2022-01-29', true, '2022 Spring Festival make-up Saturday'],
    ['2022-01-30', true, '2022 Spring Festival make-up Sunday'],
    ['2022-04-02', true, '2022 Qingming make-up Saturday'],
    ['2022-04-04', false, '2022 Qingming Monday'],
    ['2022-09-12', false, '2022 Mid-Autumn Monday'],
    ['2022-10-08', true, '2022 National Day make-up Saturday'],
    ['2022-12-31', false, 'first day of the 2023 New Year break, a Saturday'],
    ['2023-01-02', false, '2023 New Year Monday'],
    ['2023-04-05', false, '2023 Qingming Wednesday'],
    ['2023-06-23', false, '2023 Dragon Boat Friday'],
    ['2023-06-25', true, '2023 Dragon Boat make-up Sunday'],
    ['2023-09-29', false, '2023 Mid-Autumn Friday'],
    ['2023-10-07', true, '2023 National Day make-up Saturday'],
    ['2024-02-04', true, '2024 Spring Festival make-up Sunday before'],
    ['2024-02-18', true, '2024 Spring Festival make-up Sunday after'],
    ['2024-02-12', false, '2024 Spring Festival Monday'],
    ['2024-04-07', true, '2024 Qingming make-up Sunday'],
    ['2024-05-11', true, '2024 Labour Day make-up Saturday'],
    ['2024-06-10', false, '2024 Dragon Boat Monday'],
    ['2024-09-14', true, '2024 Mid-Autumn make-up Saturday'],
    ['2024-09-16', false, '2024 Mid-Autumn Monday'],
    ['2024-09-29', true, '2024 National Day make-up Sunday'],
    ['2024-10-12', true, '2024 National Day make-up Saturday'],
    ['2025-01-26', true, '2025 Spring Festival make-up Sunday'],
    ['2025-01-28', false, '2025 New Year’s Eve, a new statutory day'],
    ['2025-02-08', true, '2025 Spring Festival make-up Saturday'],
    ['2025-04-27', true, '2025 Labour Day make-up Sunday'],
    ['2025-05-05', false, '2025 Labour Day Monday'],
    ['2025-06-02', false, '2025 Dragon Boat Monday'],
    ['2025-10-08', false, '2025 National Day/Mid-Autumn 8th day'],
    ['2025-10-11', true, '2025 National Day make-up Saturday'],
    ['2026-01-02', false, '2026 New Year Friday'],
    ['2026-01-04', true, '2026 New Year make-up Sunday'],
    ['2026-02-14', true, '2026 Spring Festival make-up Saturday'],
    ['2026-02-23', false, '2026 Spring Festival 9th day, a Monday'],
    ['2026-02-28', true, '2026 Spring Festival make-up Saturday'],
    ['2026-04-06', false, '2026 Qingming Monday'],
    ['2026-05-09', true, '2026 Labour Day make-up Saturday'],
    ['2026-06-19', false, '2026 Dragon Boat Friday'],
    ['2026-09-20', true, '2026 National Day make-up Sunday'],
    ['2026-09-25', false, '2026 Mid-Autumn Friday'],
    ['2026-10-10', true, '2026 National Day make-up Saturday'],
    ['2024-03-09', false, 'ordinary Saturday'],
    ['2024-03-11', true, 'ordinary Monday'],
  ])('%s is working day: %s (%s)', (date, working) => {
    expect(isWorkingDay(date)).toBe(working);
  });
});

describe('addWorkingDays', () => {
  it('does not count the start day', () => {
    expect(addWorkingDays('2024-03-11', 1)).toBe('2024-03-12');
    expect(addWorkingDays('2024-03-11', 0)).toBe('2024-03-11');
  });

  it('skips a weekend and counts from a non-working start', () => {
    expect(addWorkingDays('2024-03-08', 1)).toBe('2024-03-11');
    expect(addWorkingDays('2024-03-09', 1)).toBe('2024-03-11');
  });

  it.each([
    ['2021-09-28', 10, '2021-10-18', '2021 National Day, counting make-up Saturday 10/9'],
    ['2022-09-30', 5, '2022-10-12', '2022 National Day, make-up weekend 10/8–10/9 counts'],
    ['2023-09-27', 10, '2023-10-17', '2023 combined Mid-Autumn/National Day break'],
    ['2024-09-20', 15, '2024-10-16', '2024: make-up Sunday 9/29 and Saturday 10/12 count'],
    ['2025-09-26', 10, '2025-10-16', '2025 eight-day National Day break, make-up 9/28 and 10/11 count'],
    ['2026-09-24', 10, '2026-10-15', '2026 Mid-Autumn then National Day, make-up 10/10 counts'],
    ['2024-02-08', 5, '2024-02-21', '2024 Spring Festival with make-up Sunday 2/18'],
    ['2026-02-12', 3, '2026-02-24', '2026 Spring Festival: 2/13, make-up 2/14, then 2/24'],
  ])('from %s + %i working days is %s (%s)', (start, n, due) => {
    expect(addWorkingDays(start, n as number)).toBe(due);
  });

  it('refuses a negative or fractional count', () => {
    expect(codeOf(() => addWorkingDays('2024-03-11', -1))).toBe('invalid_working_day_count');
    expect(codeOf(() => addWorkingDays('2024-03-11', 1.5))).toBe('invalid_working_day_count');
  });
});

describe('workingDaysBetween', () => {
  it('counts working days after a up to and including b', () => {
    expect(workingDaysBetween('2024-09-30', '2024-10-08')).toBe(1);
    expect(workingDaysBetween('2024-03-11', '2024-03-11')).toBe(0);
    expect(workingDaysBetween('2024-03-08', '2024-03-15')).toBe(5);
  });

  it('is negative when b precedes a', () => {
    expect(workingDaysBetween('2024-10-08', '2024-09-30')).toBe(-1);
  });
});

describe('years without data', () => {
  it.each([['2020-12-31'], ['2028-01-04']])('refuses %s with calendar_year_unknown', (date) => {
    expect(codeOf(() => isWorkingDay(date))).toBe('calendar_year_unknown');
  });

  it('refuses a deadline that runs into 2028', () => {
    expect(codeOf(() => addWorkingDays('2027-12-28', 5))).toBe('calendar_year_unknown');
  });

  it('refuses everything on a calendar with no notices', () => {
    const empty = createWorkingDayCalendar([]);
    expect(codeOf(() => empty.isWorkingDay('2024-03-11'))).toBe('calendar_year_unknown');
  });

  it('refuses a malformed or impossible date', () => {
    expect(codeOf(() => isWorkingDay('2024-02-30'))).toBe('invalid_date');
    expect(codeOf(() => isWorkingDay('2024-2-3'))).toBe('invalid_date');
  });
});

describe('properties', () => {
  // Start dates leave room for 90 working days before the end of 2026.
  const dateIn = (from: string, spanDays: number) => fc.integer({ min: 0, max: spanDays }).map((k) => addDays(from, k));
  const anyStart = dateIn('2021-01-01', 2021);

  it('addWorkingDays(d, n) is a working day exactly n working days after d', () => {
    fc.assert(
      fc.property(anyStart, fc.integer({ min: 1, max: 90 }), (d, n) => {
        const due = addWorkingDays(d, n);
        expect(isWorkingDay(due)).toBe(true);
        expect(workingDaysBetween(d, due)).toBe(n);
        // …and it is the first such day: the day before has one fewer.
        expect(workingDaysBetween(d, addDays(due, -1))).toBe(n - 1);
      }),
    );
  });

  it('workingDaysBetween is additive and antisymmetric', () => {
    fc.assert(
      fc.property(anyStart, anyStart, anyStart, (a, b, c) => {
        expect(workingDaysBetween(a, b) + workingDaysBetween(b, c)).toBe(workingDaysBetween(a, c));
        expect(workingDaysBetween(a, b) + workingDaysBetween(b, a)).toBe(0);
      }),
      { numRuns: 50 },
    );
  });
});
