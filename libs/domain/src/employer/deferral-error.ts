/**
 * When the employer module was started, `../errors` existed but its `DomainErrorCode` is a
 * closed list owned by the other module and holds none of the codes below, so deferral
 * refusals use this class with the same `{ code, details }` shape as DomainError (and as
 * TransferError / CalendarError). Adding these codes there would let it extend DomainError.
 */
export type DeferralErrorCode =
  | 'employer_not_registered'
  | 'employer_already_registered'
  | 'employer_deregistered'
  | 'invalid_unit_type'
  | 'invalid_staff_count'
  | 'invalid_region_code'
  | 'invalid_amount'
  | 'invalid_date'
  | 'missing_field'
  | 'unit_type_excluded'
  | 'staff_count_too_large'
  | 'sme_classification_required'
  | 'arrears_outstanding'
  | 'invalid_deferral_months'
  | 'deferral_months_overlap'
  | 'deferral_id_taken'
  | 'invalid_employees'
  | 'deferral_not_found'
  | 'deferral_already_ended'
  | 'date_out_of_order'
  | 'not_a_deferred_employee'
  | 'deferral_already_made_up'
  | 'invalid_departure_reason'
  | 'deferred_contributions_outstanding';

export class DeferralError extends Error {
  constructor(
    readonly code: DeferralErrorCode,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${JSON.stringify(details)}`);
    this.name = 'DeferralError';
  }
}
