import { CalendarError, TransferError } from '@ledger/domain';
import { Problem } from '../common/problem';

/** Refusals a clerk can fix by reloading: the transfer is at another step than the action needs. */
const WRONG_STEP = new Set([
  'transfer_already_requested',
  'transfer_out_already_confirmed',
  'transfer_out_not_confirmed',
  'transfer_closed',
  'transfer_not_completed',
]);

const DETAILS: Record<string, (d: Record<string, unknown>) => string> = {
  transfer_already_requested: () => 'This transfer has already been requested.',
  transfer_not_requested: () => 'No such transfer has been requested.',
  transfer_out_already_confirmed: (d) => `The old region already confirmed the transfer-out${d.confirmedOn ? ` on ${String(d.confirmedOn)}` : ''}.`,
  transfer_out_not_confirmed: (d) => `The old region has not confirmed the transfer-out yet (the transfer is ${String(d.step)}); it cannot be completed.`,
  transfer_closed: (d) => `The transfer is already ${String(d.step)}; nothing more can be done on it.`,
  transfer_not_completed: (d) => `The transfer is ${String(d.step)}, not completed.`,
  same_region: () => 'The old and the new region are the same.',
  not_cross_province: () => 'Both regions are in one province: moves inside a province go through the provincial platform, not a cross-province transfer.',
  invalid_region_code: (d) => `${String(d.field ?? 'regionCode')} must be a 6-digit region code.`,
  invalid_id_number: () => 'The resident ID number is not valid.',
  invalid_scheme: () => 'The scheme must be employee or resident.',
  invalid_channel: () => 'The channel must be online or counter.',
  invalid_date: (d) => `${String(d.field ?? 'date')} is not a calendar date.`,
  missing_field: (d) => `${String(d.field)} is required.`,
  date_out_of_order: () => 'This step cannot be dated before the previous one.',
  rejection_reason_required: () => 'A rejection must state its reason, so the applicant can act on it.',
  certificate_person_mismatch: () => 'The information sheet is for another person than the request.',
  certificate_region_mismatch: () => 'The information sheet names other regions than the request.',
  invalid_certificate: (d) => `The information sheet is not valid: check ${String(d.field)}.`,
  new_enrollment_overlaps_old_coverage: (d) =>
    `The new enrollment (${String(d.newEnrollmentOn)}) must start after the old region's cover ends (${String(d.coverageEnd)}), or the person would be insured twice.`,
  not_applicant: () => 'Only the applicant, or whoever filed for them, may cancel the transfer.',
  calendar_year_unknown: (d) =>
    `The working-day calendar has no holiday notice for ${String(d.year)} yet, so the deadline cannot be computed; add the State Council's notice for that year.`,
};

/** Transfer and calendar refusals as problem+json: wrong step → 409, anything else → 422, both with the domain's code. */
export function transferProblem(error: unknown): unknown {
  if (!(error instanceof TransferError) && !(error instanceof CalendarError)) return error;
  const details = error.details;
  const detail = DETAILS[error.code]?.(details) ?? error.message;
  return new Problem(WRONG_STEP.has(error.code) ? 409 : 422, error.code, detail, { details });
}

export async function refusingAsProblem<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw transferProblem(error);
  }
}
