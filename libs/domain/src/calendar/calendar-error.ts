/**
 * `libs/domain/src/errors.ts` (the shared DomainError) did not exist when this module was
 * written, so the calendar carries its own error with the same `{ code, details }` shape.
 */
export type CalendarErrorCode = 'calendar_year_unknown' | 'invalid_date' | 'invalid_working_day_count';

export class CalendarError extends Error {
  constructor(
    readonly code: CalendarErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${JSON.stringify(details)}`);
    this.name = 'CalendarError';
  }
}
