import type { UnitType } from './employer-events';

/**
 * The 2022 phased deferral (阶段性缓缴, 医保发〔2022〕21号; Henan/Yiyang notice in source 004)
 * as settings, so a later round with other numbers is configuration, not code.
 */
export interface DeferralPolicy {
  /** Contribution months deferred: 缓缴3个月. */
  months: number;
  /** Months after the deferral period within which everything must be made up: 缓缴期满3个月内补缴到位. */
  makeUpMonths: number;
  /** Staff below this are eligible as small and micro enterprises: 300人以下. */
  smallStaffLimit: number;
  /** Staff from smallStaffLimit up to and including this need the SME classification: 300—2000人. */
  smeStaffLimit: number;
  /** Arrears of this many months or more make a unit ineligible until paid: 欠缴3个月(含)以上. */
  arrearsMonthsLimit: number;
  /** 机关事业单位 (incl. finance-paid units) and those insured as flexible workers. */
  excludedUnitTypes: readonly UnitType[];
}

export const DEFAULT_DEFERRAL_POLICY: DeferralPolicy = {
  months: 3,
  makeUpMonths: 3,
  smallStaffLimit: 300,
  smeStaffLimit: 2000,
  arrearsMonthsLimit: 3,
  excludedUnitTypes: ['government_body', 'public_institution', 'individual_business_flexible', 'flexible_worker'],
};
