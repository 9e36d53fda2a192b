import { CalendarError } from './calendar-error';
import { CHINA_HOLIDAY_NOTICES, HolidayNotice } from './holiday-notices';
import { addDays, datesFromTo, dayOfWeek, isIsoDate, toDayNumber, yearOf } from './iso-date';

/**
 * A working-day calendar built from holiday notices. Every question about a date in a
 * year with no notice throws `calendar_year_unknown`: a deadline computed from a guessed
 * calendar would be silently wrong, which is worse than a refusal.
 */
export interface WorkingDayCalendar {
  readonly years: readonly number[];
  /** Years known only from the statutory holidays, before their notice: deadlines there are provisional. */
  readonly provisionalYears: readonly number[];
  isWorkingDay(date: string): boolean;
  /** The n-th working day after `start` (the start day itself is not counted); n = 0 gives `start`. */
  addWorkingDays(start: string, n: number): string;
  /** Working days d with a < d <= b; negative when b is before a. */
  workingDaysBetween(a: string, b: string): number;
}

export function createWorkingDayCalendar(notices: readonly HolidayNotice[]): WorkingDayCalendar {
  const years = new Set(notices.map((n) => n.year));
  const offDays = new Set<string>();
  const makeUpDays = new Set<string>();
  for (const notice of notices) {
    for (const range of notice.holidays) {
      for (const d of datesFromTo(range.from, range.to)) offDays.add(d);
      for (const d of range.workingDays ?? []) makeUpDays.add(d);
    }
  }

  const assertKnown = (date: string): void => {
    if (!isIsoDate(date)) throw new CalendarError('invalid_date', { date });
    if (!years.has(yearOf(date))) {
      throw new CalendarError('calendar_year_unknown', { date, year: yearOf(date), knownYears: [...years].sort() });
    }
  };

  const isWorkingDay = (date: string): boolean => {
    assertKnown(date);
    if (makeUpDays.has(date)) return true;
    if (offDays.has(date)) return false;
    const dow = dayOfWeek(date);
    return dow !== 0 && dow !== 6;
  };

  const addWorkingDays = (start: string, n: number): string => {
    if (!Number.isInteger(n) || n < 0) throw new CalendarError('invalid_working_day_count', { n });
    assertKnown(start);
    let date = start;
    let counted = 0;
    while (counted < n) {
      date = addDays(date, 1);
      if (isWorkingDay(date)) counted++;
    }
    return date;
  };

  const workingDaysBetween = (a: string, b: string): number => {
    assertKnown(a);
    assertKnown(b);
    if (toDayNumber(b) < toDayNumber(a)) return -workingDaysBetween(b, a);
    let count = 0;
    for (let d = addDays(a, 1); toDayNumber(d) <= toDayNumber(b); d = addDays(d, 1)) {
      if (isWorkingDay(d)) count++;
    }
    return count;
  };

  const provisionalYears = [...new Set(notices.filter((n) => n.provisional).map((n) => n.year))].sort();
  return { years: [...years].sort(), provisionalYears, isWorkingDay, addWorkingDays, workingDaysBetween };
}

/** Mainland China, 2021–2026, and 2027 provisionally (see holiday-notices.ts for sources and doubts). */
export const chinaWorkingDayCalendar: WorkingDayCalendar = createWorkingDayCalendar(CHINA_HOLIDAY_NOTICES);

export function isWorkingDay(date: string, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): boolean {
  return calendar.isWorkingDay(date);
}

export function addWorkingDays(start: string, n: number, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): string {
  return calendar.addWorkingDays(start, n);
}

export function workingDaysBetween(a: string, b: string, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): number {
  return calendar.workingDaysBetween(a, b);
}
