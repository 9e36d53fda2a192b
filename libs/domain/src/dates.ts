import { DomainError } from './errors';

/** Calendar date `YYYY-MM-DD` in China time. Plain strings so events stay JSON. */
export type IsoDate = string;
/** Calendar month `YYYY-MM`. */
export type IsoMonth = string;
/** RFC 3339 timestamp with offset, e.g. `2023-10-01T09:30:00+08:00`. */
export type Rfc3339 = string;

const DAY_MS = 86_400_000;
// Asia/Shanghai has had no DST since 1991, so a fixed offset is exact for every date we handle.
const CHINA_OFFSET_MS = 8 * 3_600_000;
const CHINA_OFFSET_MINUTES = 8 * 60;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month - 1]!;
}

export function isValidIsoDate(s: unknown): s is IsoDate {
  if (typeof s !== 'string') return false;
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return y >= 1 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function isValidIsoMonth(s: unknown): s is IsoMonth {
  if (typeof s !== 'string') return false;
  const m = MONTH_RE.exec(s);
  return !!m && Number(m[1]) >= 1 && Number(m[2]) >= 1 && Number(m[2]) <= 12;
}

export function isValidTimestamp(s: unknown): s is Rfc3339 {
  return typeof s === 'string' && RFC3339_RE.test(s) && !Number.isNaN(Date.parse(s)) && isValidIsoDate(s.slice(0, 10));
}

export function assertIsoDate(s: unknown, field = 'date'): IsoDate {
  if (!isValidIsoDate(s)) throw new DomainError('invalid_date', `${field} must be a valid YYYY-MM-DD date`, { field, value: s });
  return s;
}

export function assertIsoMonth(s: unknown, field = 'month'): IsoMonth {
  if (!isValidIsoMonth(s)) throw new DomainError('invalid_period', `${field} must be a valid YYYY-MM month`, { field, value: s });
  return s;
}

function parts(d: IsoDate): [number, number, number] {
  return [Number(d.slice(0, 4)), Number(d.slice(5, 7)), Number(d.slice(8, 10))];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

// The calculator turns dates into day numbers and back thousands of times per answer; going through
// Date objects and toISOString made that a top entry in CPU profiles, so the common shapes are done
// with integer arithmetic and anything unusual falls back to the Date-based definition.

/** The digit at `i` of `s`, or -1 if that character is not an ASCII digit. */
function digitAt(s: string, i: number): number {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** Two ASCII digits at `i` as a number, or -1. */
function twoDigits(s: string, i: number): number {
  const a = digitAt(s, i);
  const b = digitAt(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

/** Four ASCII digits at 0 as a number, or -1. */
function yearDigits(s: string): number {
  const a = twoDigits(s, 0);
  const b = twoDigits(s, 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil), for any
 * year ≥ 0 and month 1–12; the day may run past the month's end, which counts on (as Date.UTC does).
 */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

const TWO_DIGITS = Array.from({ length: 32 }, (_, i) => pad(i));
// Day numbers of 0000-01-01 and 9999-12-31: the range toISOString prints as a plain four-digit year.
const FIRST_FOUR_DIGIT_DAY = -719_528;
const LAST_FOUR_DIGIT_DAY = 2_932_896;
// Dates the ledger actually handles repeat endlessly, so their strings are kept rather than rebuilt.
const MEMO_FIRST_DAY = -25_567; // 1900-01-01
const MEMO_DAYS = 109_573; // through 2199-12-31
const dateStringMemo: (IsoDate | undefined)[] = new Array<IsoDate | undefined>(MEMO_DAYS);

/** civil_from_days, the inverse of daysFromCivil, formatted as toISOString would for years 0000–9999. */
function civilFromDays(n: number): IsoDate {
  const z = n + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y >= 1000 ? String(y) : pad(y, 4)}-${TWO_DIGITS[m]!}-${TWO_DIGITS[d]!}`;
}

export function toDayNumber(d: IsoDate): number {
  // Only the digits are read, as parts() does; years below 100 keep Date.UTC's 19xx reading.
  const y = yearDigits(d);
  const m = twoDigits(d, 5);
  const day = twoDigits(d, 8);
  if (y >= 100 && m >= 1 && m <= 12 && day >= 0) return daysFromCivil(y, m, day);
  const [py, pm, pday] = parts(d);
  return Math.round(Date.UTC(py, pm - 1, pday) / DAY_MS);
}

export function fromDayNumber(n: number): IsoDate {
  const i = n - MEMO_FIRST_DAY;
  if (i >= 0 && i < MEMO_DAYS && Number.isInteger(i)) return (dateStringMemo[i] ??= civilFromDays(n));
  if (Number.isInteger(n) && n >= FIRST_FOUR_DIGIT_DAY && n <= LAST_FOUR_DIGIT_DAY) return civilFromDays(n);
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(d: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(d) + n);
}

/** Adds calendar months; a day past the target month's end clamps to it (01-31 + 1 month = 02-28/29). */
export function addMonths(d: IsoDate, n: number): IsoDate {
  const [y, m, day] = parts(d);
  const total = y * 12 + (m - 1) + n;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  return `${pad(ny, 4)}-${pad(nm)}-${pad(Math.min(day, daysInMonth(ny, nm)))}`;
}

export function compareDates(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toDayNumber(b) - toDayNumber(a);
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

/** The China calendar date of an instant. Date-only strings are taken as already being China dates. */
export function chinaDateOf(instant: string | Date): IsoDate {
  if (typeof instant === 'string') {
    if (instant.length === 10 && isValidIsoDate(instant)) return instant;
    const shape = strictInstant(instant);
    if (shape !== null) {
      // Offsets are whole minutes, so the hour and minute decide whether UTC+8 is another day (never for +08:00).
      const shift = Math.floor((shape.minuteOfDay - shape.offsetMinutes + CHINA_OFFSET_MINUTES) / 1440);
      return fromDayNumber(daysFromCivil(shape.year, shape.month, shape.day) + shift);
    }
  }
  const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (Number.isNaN(ms)) throw new DomainError('invalid_timestamp', 'not a valid instant', { value: String(instant) });
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** Date.parse, with the RFC 3339 strings the ledger stores read without it (same result, a fraction of the cost). */
export function instantMs(instant: string): number {
  const shape = strictInstant(instant);
  if (shape === null) return Date.parse(instant);
  const day = daysFromCivil(shape.year, shape.month, shape.day);
  return (day * 1440 + shape.minuteOfDay - shape.offsetMinutes) * 60_000 + shape.millisecond;
}

interface InstantShape {
  year: number;
  month: number;
  day: number;
  minuteOfDay: number;
  /** Seconds and milliseconds within the minute. */
  millisecond: number;
  offsetMinutes: number;
}

/**
 * Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with a real calendar date and time of day, the
 * only shape that skips Date.parse; null for anything else (lower-case letters, 24:00, 2024-02-30,
 * which Date.parse rolls into March, and so on), so those keep Date.parse's reading.
 */
function strictInstant(s: string): InstantShape | null {
  const n = s.length;
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) {
    return null;
  }
  const year = yearDigits(s);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  let i = 19;
  let fraction = 0;
  if (s.charCodeAt(i) === 46) {
    // Date.parse keeps milliseconds and drops the further digits.
    let digits = 0;
    for (i++; i < n && digitAt(s, i) >= 0; i++, digits++) {
      if (digits < 3) fraction = fraction * 10 + digitAt(s, i);
    }
    // V8 reads ten or more fraction digits differently (it drops leading zeros), so those keep Date.parse.
    if (digits === 0 || digits > 9) return null;
    for (let k = Math.min(digits, 3); k < 3; k++) fraction *= 10;
  }
  let offsetMinutes: number;
  if (i === n - 1 && s.charCodeAt(i) === 90) {
    offsetMinutes = 0;
  } else {
    if (i !== n - 6 || s.charCodeAt(i + 3) !== 58) return null;
    const sign = s.charCodeAt(i);
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if ((sign !== 43 && sign !== 45) || oh < 0 || oh > 23 || om < 0 || om > 59) return null;
    offsetMinutes = (sign === 43 ? 1 : -1) * (oh * 60 + om);
  }
  return { year, month, day, minuteOfDay: hour * 60 + minute, millisecond: second * 1000 + fraction, offsetMinutes };
}

export function chinaToday(now: Date = new Date()): IsoDate {
  return chinaDateOf(now);
}

export function yearOf(d: IsoDate | IsoMonth): number {
  return Number(d.slice(0, 4));
}

export function monthOf(d: IsoDate): IsoMonth {
  return d.slice(0, 7);
}

export function firstDayOfMonth(m: IsoMonth): IsoDate {
  return `${m}-01`;
}

export function lastDayOfMonth(m: IsoMonth): IsoDate {
  const y = Number(m.slice(0, 4));
  return `${m}-${pad(daysInMonth(y, Number(m.slice(5, 7))))}`;
}

export function addMonthsToMonth(m: IsoMonth, n: number): IsoMonth {
  // The month loops of the calculator step through YYYY-MM months of four-digit years: those skip the
  // detour through a date string; anything else keeps the general definition below.
  const total = Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1 + n;
  if (m.length === 7 && Number.isInteger(total) && total >= 12_000 && total < 120_000) {
    return `${Math.floor(total / 12)}-${TWO_DIGITS[(total % 12) + 1]!}`;
  }
  return addMonths(`${m}-01`, n).slice(0, 7);
}

/** Months from `a` to `b` (2024-01 → 2024-03 is 2). */
export function monthsBetween(a: IsoMonth, b: IsoMonth): number {
  return yearOf(b) * 12 + Number(b.slice(5, 7)) - (yearOf(a) * 12 + Number(a.slice(5, 7)));
}

export function startOfYear(y: number): IsoDate {
  return `${pad(y, 4)}-01-01`;
}

export function endOfYear(y: number): IsoDate {
  return `${pad(y, 4)}-12-31`;
}

export function isLastDayOfMonth(d: IsoDate): boolean {
  return d === lastDayOfMonth(monthOf(d));
}
