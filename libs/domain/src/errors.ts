/**
 * The single error type the domain throws for refused commands and unresolvable policy.
 * `code` is stable (clients branch on it); `message` is for people.
 */
export const DOMAIN_ERROR_CODES = [
  'invalid_id_number',
  'invalid_name',
  'invalid_date',
  'invalid_timestamp',
  'invalid_period',
  'invalid_amount',
  'invalid_category',
  'invalid_scheme',
  'invalid_command',
  'unknown_region',
  'unknown_policy_year',
  'policy_incomplete',
  'not_registered',
  'already_registered',
  'not_enrolled',
  'already_enrolled',
  'duplicate_enrollment',
  'enrollment_not_found',
  'enrollment_id_conflict',
  'enrollment_already_ended',
  'contribution_not_found',
  'contribution_id_conflict',
  'already_reversed',
  'period_already_paid',
  'deferral_not_found',
  'deferral_id_conflict',
  'payment_in_future',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
