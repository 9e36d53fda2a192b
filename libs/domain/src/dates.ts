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
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_RE = /^(\d{4})-(\d{2})$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
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

export function toDayNumber(d: IsoDate): number {
  const [y, m, day] = parts(d);
  return Math.round(Date.UTC(y, m - 1, day) / DAY_MS);
}

export function fromDayNumber(n: number): IsoDate {
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
  if (typeof instant === 'string' && isValidIsoDate(instant)) return instant;
  const ms = instant instanceof Date ? instant.getTime() : Date.parse(instant);
  if (Number.isNaN(ms)) throw new DomainError('invalid_timestamp', 'not a valid instant', { value: String(instant) });
  return new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, 10);
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
