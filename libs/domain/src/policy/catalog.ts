import type { PolicyPatch, RegionPolicyConfig, ResidentSchemeRules } from './types';
import { LOW_INCOME_CATEGORIES } from './types';

/**
 * Policy as data. Source files are in /work/shared/policy-sources:
 *   000 = 桂医保发〔2022〕30号 (Guangxi), 002 = 内医保发〔2021〕9号 (Inner Mongolia),
 *   004 = Henan compilation (河南 2023 居民医保通知 "每个人补助不低于640元", and the national
 *         医保发〔2022〕20号 republished in it). DOMAIN.md = /work/shared/DOMAIN.md.
 * A region that does not define a year uses its parent's configuration for that same year.
 */

const fen = (yuanAmount: number): number => yuanAmount * 100;

/** Collection for coverage year Y runs in the autumn of Y-1 (Henan: 004 五 "每年的9月至12月份为集中缴费期"). */
const sepToDecBefore = (coverageYear: number) => ({
  from: `${coverageYear - 1}-09-01`,
  to: `${coverageYear - 1}-12-31`,
});

const WINDOW_ASSUMED = (src: string) =>
  `centralized window Sep-Dec of the previous year is assumed: ${src} gives no dates (Henan's window from 004 used as the model)`;

const UNSPECIFIED_WAIT = (src: string): ResidentSchemeRules['waitingPeriod'] => ({
  kind: 'unspecified',
  note: `${src} requires a waiting period outside the centralized period but sets no length`,
});

const NATIONAL_2025_WAIT: ResidentSchemeRules['waitingPeriod'] = {
  kind: 'national_2025',
  fixedMonths: 3, // 国办发〔2024〕38号 固定等待期3个月 (DOMAIN.md "National rules from 2025")
  extraMonthPerLapsedYear: 1, // 每多断保1年, 增加1个月 (DOMAIN.md)
  // "每多断保1年" reads as: the first lapsed year is covered by the fixed 3 months; regions may differ.
  firstLapsedYearCounts: false,
  makeUpMonthReduction: 1, // 每补缴1年可减少1个月 (DOMAIN.md)
  longLapseYears: 4, // 连续断保4年及以上 (DOMAIN.md)
  longLapseFloorMonths: 6, // 不少于6个月 (DOMAIN.md)
};

const NATIONAL_BASE: PolicyPatch = {
  resident: {
    extendedWindow: null,
    // 004 (医保发〔2022〕20号 三): 全额资助特困人员; 低保对象、返贫致贫人口 get a fixed local grant whose
    // amount no source gives, so they and the other groups keep the full personal share here.
    personalShareByCategoryFen: { extreme_hardship: 0 },
  },
  employee: { monthlyDueFen: null },
  // 000 三(一), 002 二: "在职工医保中断缴费3个月内"; ≤ 6 months wait after a longer gap: 2021 transfer measures (DOMAIN.md).
  employeeGapRule: { graceMonths: 3, waitingMonthsAfterLongGap: 6 },
  // 000 三(一), 002 二, 004 五: newborns and rural low-income people have no waiting period.
  exemptCategories: ['newborn', ...LOW_INCOME_CATEGORIES],
  // DOMAIN.md "National rules from 2025": newborns paid within 90 days of birth are covered from birth.
  newbornGraceDays: 90,
  sources: ['000', '002', '004', 'DOMAIN.md'],
};

export const POLICY_CATALOG: readonly RegionPolicyConfig[] = [
  {
    regionCode: '100000',
    name: '全国',
    base: NATIONAL_BASE,
    years: {
      2025: {
        resident: {
          individualContributionFen: fen(400),
          coverageThresholdFen: fen(400),
          subsidyFen: fen(700),
          centralizedWindow: sepToDecBefore(2025),
          waitingPeriod: NATIONAL_2025_WAIT,
        },
        sources: ['国办发〔2024〕38号 via DOMAIN.md'],
        assumptions: [
          'individual 400元 and subsidy 700元 are the national notices for 2024/2025, not in policy-sources: verify',
          'national centralized window Sep-Dec of the previous year (DOMAIN.md examples, e.g. Fujian 1 Sep-31 Dec)',
        ],
      },
      2026: {
        resident: {
          individualContributionFen: fen(400),
          coverageThresholdFen: fen(400),
          subsidyFen: fen(700),
          centralizedWindow: sepToDecBefore(2026),
          waitingPeriod: NATIONAL_2025_WAIT,
        },
        sources: ['国办发〔2024〕38号 via DOMAIN.md'],
        assumptions: ['no 2026 financing notice in the sources: 2025 amounts carried forward'],
      },
    },
  },
  {
    regionCode: '410000',
    name: '河南省',
    years: {
      2023: {
        resident: {
          // 004, 医保发〔2022〕20号 一: individual 350元, subsidy ≥ 610元 (2022 notice → coverage year 2023).
          individualContributionFen: fen(350),
          coverageThresholdFen: fen(350),
          subsidyFen: fen(610),
          centralizedWindow: sepToDecBefore(2023),
          waitingPeriod: { kind: 'fixed_days', days: 30 },
        },
        sources: ['004 (医保发〔2022〕20号 一)'],
        assumptions: [
          'the Sep-Dec window and the 30-day wait are written in the 2023 Henan notice (004 五); applied to coverage year 2023 too',
          "Henan's own 2022 notice is not in the sources: the national 2022 minimums are used",
        ],
      },
      2024: {
        resident: {
          // 004 (河南 2023 notice 一): 筹资标准不低于1020元, 财政补助不低于640元, 个人缴费380元.
          individualContributionFen: fen(380),
          coverageThresholdFen: fen(380),
          subsidyFen: fen(640),
          // 004 五: 每年的9月至12月份为集中缴费期; 享受次年1月1日至12月31日待遇.
          centralizedWindow: sepToDecBefore(2024),
          // 004 五: 原则上不延长缴费期; a city that extends must report (so a city config would add it).
          extendedWindow: null,
          // 004 五: 延长缴费期间缴费的, 待遇等待期为30天.
          waitingPeriod: { kind: 'fixed_days', days: 30 },
        },
        sources: ['004 (河南 2023 notice 一, 五)'],
      },
    },
  },
  {
    regionCode: '450000',
    name: '广西壮族自治区',
    years: {
      2022: {
        resident: {
          // 000 一(二): the 2022 subsidy 610元 is 2021's + 30元, so the 2021 notice (collecting for 2022) paired 580元.
          subsidyFen: fen(580),
          // Not in 000: 320元 is the 2021 national minimum (医保发〔2021〕32号 figures as quoted in 002).
          individualContributionFen: fen(320),
          coverageThresholdFen: fen(320),
          centralizedWindow: sepToDecBefore(2022),
          waitingPeriod: UNSPECIFIED_WAIT('000'),
        },
        sources: ['000 一(二)', '002'],
        assumptions: ['individual 320元 for 2022 is not in 000; national 2021 minimum used', WINDOW_ASSUMED('000')],
      },
      2023: {
        resident: {
          // 000 一(三): 2023年度居民医保个人缴费, 按照每人每年不低于350元.
          individualContributionFen: fen(350),
          coverageThresholdFen: fen(350),
          // 000 一(二): 各级财政人均补助标准 ... 达到每人每年610元 (central 488 + local 122).
          subsidyFen: fen(610),
          centralizedWindow: sepToDecBefore(2023),
          waitingPeriod: UNSPECIFIED_WAIT('000'),
        },
        sources: ['000 一(二)(三), 三(一)'],
        assumptions: [WINDOW_ASSUMED('000')],
      },
    },
  },
  {
    regionCode: '150000',
    name: '内蒙古自治区',
    years: {
      2021: {
        resident: {
          // 002 一: 同步提高2021年居民医保个人缴费标准40元, 达到每人每年不低于320元.
          individualContributionFen: fen(320),
          // 002 一: 2021 fees already collected below 320元 are made up with the 2022 collection, so a
          // payment of the pre-raise amount (320 - 40 = 280元) still covers 2021 and leaves 40元 arrears.
          coverageThresholdFen: fen(280),
          // 002 一: 人均财政补助标准新增30元, 达到每人每年不低于580元.
          subsidyFen: fen(580),
          centralizedWindow: sepToDecBefore(2021),
          waitingPeriod: UNSPECIFIED_WAIT('002'),
        },
        sources: ['002 一, 二'],
        assumptions: [WINDOW_ASSUMED('002')],
      },
      2022: {
        resident: {
          // 002 一: 2022年医保个人缴费标准, 原则上每人每年不低于360元.
          individualContributionFen: fen(360),
          coverageThresholdFen: fen(360),
          // Not in 002: 610元 is the national 2022 minimum (004, 医保发〔2022〕20号 一).
          subsidyFen: fen(610),
          centralizedWindow: sepToDecBefore(2022),
          waitingPeriod: UNSPECIFIED_WAIT('002'),
        },
        sources: ['002 一', '004 (医保发〔2022〕20号 一)'],
        assumptions: ['subsidy for 2022 not in 002: national 2022 minimum used', WINDOW_ASSUMED('002')],
      },
    },
  },
];
