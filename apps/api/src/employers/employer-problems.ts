import { DeferralError } from '@ledger/domain';
import { Problem } from '../common/problem';

/** The action is blocked by the unit's state (a debt, a closed record), not by the request's content. */
const CONFLICTS = new Set([
  'employer_already_registered',
  'employer_deregistered',
  'deferral_already_ended',
  'deferral_already_made_up',
  'deferral_id_taken',
  'deferral_months_overlap',
  'deferred_contributions_outstanding',
]);
const NOT_FOUND = new Set(['employer_not_registered', 'deferral_not_found']);

const DETAILS: Record<string, (d: Record<string, unknown>) => string> = {
  employer_not_registered: () => 'No such employer is registered.',
  employer_already_registered: () => 'This employer is already registered.',
  employer_deregistered: (d) => `The employer was deregistered on ${String(d.deregisteredOn)}.`,
  invalid_unit_type: (d) => `Unknown unit type ${String(d.unitType)}.`,
  invalid_staff_count: () => 'The staff count must be a whole number of people.',
  invalid_region_code: () => 'The region code must have 6 digits.',
  invalid_amount: () => 'Amounts are whole fen and months whole numbers, not negative.',
  invalid_date: () => 'Not a calendar date.',
  missing_field: (d) => `${String(d.field)} is required.`,
  unit_type_excluded: (d) =>
    `Not eligible for deferral: ${String(d.unitType).replace(/_/g, ' ')} units are excluded (public bodies, and those insured as flexible workers).`,
  staff_count_too_large: (d) => `Not eligible for deferral: ${String(d.staffCount)} staff is above the limit of ${String(d.limit)}.`,
  sme_classification_required: (d) =>
    `Not eligible for deferral: with ${String(d.staffCount)} staff (${String(d.smallStaffLimit)} or more) the unit must meet the SME classification.`,
  arrears_outstanding: (d) =>
    `Not eligible for deferral: ${String(d.months)} months of arrears (${String(d.limit)} or more excludes the unit until they are paid).`,
  invalid_deferral_months: (d) => `A deferral covers ${String(d.expectedCount)} consecutive months (YYYY-MM).`,
  deferral_months_overlap: (d) => `These months are already deferred under ${String(d.deferralId)}.`,
  deferral_id_taken: () => 'This deferral id is already used.',
  invalid_employees: () => 'List the employees once each, by person id.',
  deferral_not_found: () => 'No such deferral for this employer.',
  deferral_already_ended: (d) => `The deferral already ended on ${String(d.endedOn)}.`,
  date_out_of_order: () => 'This cannot be dated before the deferral was granted.',
  not_a_deferred_employee: () => 'This person is not among the deferral’s employees.',
  deferral_already_made_up: () => 'The deferred unit part is already made up.',
  invalid_departure_reason: () => 'The reason must be left, retired or transferred_out.',
  deferred_contributions_outstanding: (d) =>
    `Blocked: the unit must first make up the deferred unit contributions${d.personId ? ' for this employee' : ''} (deferral ${(d.deferralIds as string[] | undefined)?.join(', ') ?? ''}).`,
};

export function deferralRefusalDetail(code: string, details: Record<string, unknown>): string {
  return DETAILS[code]?.(details) ?? code.replace(/_/g, ' ');
}

/** Deferral refusals as problem+json with the domain's code: blocked by state → 409, unknown → 404, invalid or ineligible → 422. */
export function employerProblem(error: unknown): unknown {
  if (!(error instanceof DeferralError)) return error;
  const status = CONFLICTS.has(error.code) ? 409 : NOT_FOUND.has(error.code) ? 404 : 422;
  return new Problem(status, error.code, deferralRefusalDetail(error.code, error.details), { details: error.details });
}
