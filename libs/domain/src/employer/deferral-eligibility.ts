import type { DeferralErrorCode } from './deferral-error';
import type { DeferralPolicy } from './deferral-policy';
import type { EmployerState } from './employer-state';

export type DeferralEligibility = { eligible: true } | { eligible: false; code: DeferralErrorCode; details: Record<string, unknown> };

/**
 * Whether the unit may defer now (source 004 二, 四): staff below 300 are eligible; 300 to 2000
 * only with the SME classification; above 2000 never; public-sector units and those insured as
 * flexible workers never; 3 or more months of arrears block it until paid. Social organizations
 * and individual businesses insured as units apply by reference, under the same staff limits.
 * Also usable to list eligible units for 免申即享.
 */
export function deferralEligibility(state: EmployerState, policy: DeferralPolicy): DeferralEligibility {
  const unit = state.profile;
  if (unit === null) return { eligible: false, code: 'employer_not_registered', details: {} };
  if (state.deregisteredOn !== null) {
    return { eligible: false, code: 'employer_deregistered', details: { deregisteredOn: state.deregisteredOn } };
  }
  if (policy.excludedUnitTypes.includes(unit.unitType)) {
    return { eligible: false, code: 'unit_type_excluded', details: { unitType: unit.unitType } };
  }
  if (unit.staffCount > policy.smeStaffLimit) {
    return {
      eligible: false,
      code: 'staff_count_too_large',
      details: { staffCount: unit.staffCount, limit: policy.smeStaffLimit },
    };
  }
  if (unit.staffCount >= policy.smallStaffLimit && !unit.smeQualified) {
    return {
      eligible: false,
      code: 'sme_classification_required',
      details: { staffCount: unit.staffCount, smallStaffLimit: policy.smallStaffLimit },
    };
  }
  if (state.arrears.months >= policy.arrearsMonthsLimit) {
    return {
      eligible: false,
      code: 'arrears_outstanding',
      details: { months: state.arrears.months, fen: state.arrears.fen, limit: policy.arrearsMonthsLimit },
    };
  }
  return { eligible: true };
}
