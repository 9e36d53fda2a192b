/**
 * `libs/domain/src/errors.ts` (the shared DomainError) did not exist when this module was
 * written, so transfers refuse with their own error carrying the same `{ code, details }`
 * shape. Working-day lookups may also surface a `CalendarError` (`calendar_year_unknown`).
 */
export type TransferErrorCode =
  | 'transfer_already_requested'
  | 'transfer_not_requested'
  | 'transfer_out_already_confirmed'
  | 'transfer_out_not_confirmed'
  | 'transfer_closed'
  | 'transfer_not_completed'
  | 'same_region'
  | 'not_cross_province'
  | 'invalid_region_code'
  | 'invalid_id_number'
  | 'invalid_scheme'
  | 'invalid_channel'
  | 'invalid_date'
  | 'missing_field'
  | 'date_out_of_order'
  | 'rejection_reason_required'
  | 'certificate_person_mismatch'
  | 'certificate_region_mismatch'
  | 'invalid_certificate'
  | 'new_enrollment_overlaps_old_coverage'
  | 'not_applicant';

export class TransferError extends Error {
  constructor(
    readonly code: TransferErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${JSON.stringify(details)}`);
    this.name = 'TransferError';
  }
}
