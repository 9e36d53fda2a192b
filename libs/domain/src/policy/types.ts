import type { IsoDate } from '../dates';
import type { Fen } from '../money';
import type { RegionCode } from '../regions';

/** Rural low-income groups exempt from the waiting period (000 三(一), 002 二, 004 五). */
export const LOW_INCOME_CATEGORIES = [
  'extreme_hardship', // 特困人员
  'orphan', // 孤儿
  'de_facto_unsupported_child', // 事实无人抚养儿童
  'minimum_living', // 低保对象
  'minimum_living_marginal', // 低保边缘对象
  'poverty_alleviated', // 脱贫人口
  'monitored_for_relapse', // 防止返贫监测对象
  'relapsed_into_poverty', // 返贫致贫人口
] as const;
export type LowIncomeCategory = (typeof LOW_INCOME_CATEGORIES)[number];

export const PERSON_CATEGORIES = ['newborn', ...LOW_INCOME_CATEGORIES] as const;
export type PersonCategory = (typeof PERSON_CATEGORIES)[number];

export function isPersonCategory(c: unknown): c is PersonCategory {
  return typeof c === 'string' && (PERSON_CATEGORIES as readonly string[]).includes(c);
}

export function isLowIncomeCategory(c: string): c is LowIncomeCategory {
  return (LOW_INCOME_CATEGORIES as readonly string[]).includes(c);
}

export interface DateWindow {
  from: IsoDate;
  to: IsoDate;
}

export type WaitingPeriodRule =
  /** Henan (004 五): 30 days from payment for payers in the extended period. */
  | { kind: 'fixed_days'; days: number }
  /** 国办发〔2024〕38号: fixed months plus a variable part for lapsed years, shortened by make-up. */
  | {
      kind: 'national_2025';
      fixedMonths: number;
      extraMonthPerLapsedYear: number;
      firstLapsedYearCounts: boolean;
      makeUpMonthReduction: number;
      longLapseYears: number;
      longLapseFloorMonths: number;
    }
  /**
   * The source requires a waiting period but gives no length (000, 002). The calculator
   * then reports the rest of the year as waiting rather than invent a number.
   */
  | { kind: 'unspecified'; note: string };

export interface ResidentSchemeRules {
  /** The individual contribution due per person for the coverage year, whoever pays it. */
  individualContributionFen: Fen;
  /** Amount that must be paid for the year to give cover; equals the due amount unless a source says otherwise. */
  coverageThresholdFen: Fen;
  /** What the person pays personally where assistance funds part of it; categories absent pay the full amount. */
  personalShareByCategoryFen: Partial<Record<PersonCategory, Fen>>;
  subsidyFen: Fen;
  centralizedWindow: DateWindow;
  extendedWindow: DateWindow | null;
  waitingPeriod: WaitingPeriodRule;
}

export interface EmployeeSchemeRules {
  /** Null: the monthly amount follows the wage base, which the ledger does not hold; a month is paid when both parts are. */
  monthlyDueFen: Fen | null;
}

export interface EmployeeGapRule {
  graceMonths: number;
  waitingMonthsAfterLongGap: number;
}

export interface EffectivePolicy {
  regionCode: RegionCode;
  coverageYear: number;
  resident: ResidentSchemeRules;
  employee: EmployeeSchemeRules;
  employeeGapRule: EmployeeGapRule;
  exemptCategories: PersonCategory[];
  newbornGraceDays: number;
  /** Regions whose configuration for this year contributed, root first. */
  definedBy: RegionCode[];
  sources: string[];
  /** Values not found in the sources and chosen by us; surfaced so an operator can confirm them. */
  assumptions: string[];
}

export interface PolicyPatch {
  resident?: Partial<ResidentSchemeRules>;
  employee?: Partial<EmployeeSchemeRules>;
  employeeGapRule?: EmployeeGapRule;
  exemptCategories?: PersonCategory[];
  newbornGraceDays?: number;
  sources?: string[];
  assumptions?: string[];
}

export interface RegionPolicyConfig {
  regionCode: RegionCode;
  name: string;
  /** Applies under every year this chain defines; only meaningful on the national root. */
  base?: PolicyPatch;
  years: Record<number, PolicyPatch>;
}

export type PolicyCatalog = readonly RegionPolicyConfig[];
