export { POLICY_CATALOG } from './catalog';
export { listPolicies, lookupPolicy, personalShareFen, resolvePolicy } from './resolve';
export type { PolicyCatalogEntry } from './resolve';
export { isLowIncomeCategory, isPersonCategory, LOW_INCOME_CATEGORIES, PERSON_CATEGORIES } from './types';
export type {
  DateWindow,
  EffectivePolicy,
  EmployeeGapRule,
  EmployeeSchemeRules,
  LowIncomeCategory,
  PersonCategory,
  PolicyCatalog,
  PolicyPatch,
  RegionPolicyConfig,
  ResidentSchemeRules,
  WaitingPeriodRule,
} from './types';
