import { DomainError } from '../errors';
import { cityOf, provinceOf, regionChain, regionLevel } from '../regions';
import { POLICY_CATALOG } from './catalog';
import { listPolicies, personalShareFen, resolvePolicy } from './resolve';
import type { PolicyCatalog } from './types';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return undefined;
};

describe('regions (GB/T 2260)', () => {
  test('province, city, level and chain', () => {
    expect(provinceOf('410327')).toBe('410000');
    expect(cityOf('410327')).toBe('410300');
    expect(regionLevel('410327')).toBe('county');
    expect(regionLevel('410300')).toBe('city');
    expect(regionChain('410327')).toEqual(['410327', '410300', '410000', '100000']);
    expect(regionChain('410000')).toEqual(['410000', '100000']);
  });
});

describe('resolvePolicy: sources reproduced', () => {
  test('004: Henan 2024 individual 380元, subsidy 640元, window 2023-09-01..2023-12-31, 30-day wait', () => {
    const p = resolvePolicy('410000', 2024);
    expect(p.resident).toMatchObject({
      individualContributionFen: 38000,
      subsidyFen: 64000,
      centralizedWindow: { from: '2023-09-01', to: '2023-12-31' },
      extendedWindow: null,
      waitingPeriod: { kind: 'fixed_days', days: 30 },
    });
    expect(p.newbornGraceDays).toBe(90);
    expect(p.employeeGapRule).toEqual({ graceMonths: 3, waitingMonthsAfterLongGap: 6 });
  });
  test('004 (医保发〔2022〕20号): Henan 2023 individual 350元, subsidy 610元', () => {
    expect(resolvePolicy('410327', 2023).resident).toMatchObject({ individualContributionFen: 35000, subsidyFen: 61000 });
  });
  test('000: Guangxi 2023 individual 350元, subsidy 610元; 2022 320/580', () => {
    expect(resolvePolicy('450000', 2023).resident).toMatchObject({ individualContributionFen: 35000, subsidyFen: 61000 });
    expect(resolvePolicy('450103', 2022).resident).toMatchObject({ individualContributionFen: 32000, subsidyFen: 58000 });
  });
  test('002: Inner Mongolia 2021 320元 (280 gives cover), subsidy 580元; 2022 360元', () => {
    expect(resolvePolicy('150000', 2021).resident).toMatchObject({ individualContributionFen: 32000, coverageThresholdFen: 28000, subsidyFen: 58000 });
    expect(resolvePolicy('150100', 2022).resident.individualContributionFen).toBe(36000);
  });
  test('DOMAIN.md: Henan 2025 falls back to the national 2025 rule (Henan defines no 2025)', () => {
    const p = resolvePolicy('410327', 2025);
    expect(p.definedBy).toEqual(['100000']);
    expect(p.regionCode).toBe('410327');
    expect(p.resident.waitingPeriod).toEqual({
      kind: 'national_2025',
      fixedMonths: 3,
      extraMonthPerLapsedYear: 1,
      firstLapsedYearCounts: false,
      makeUpMonthReduction: 1,
      longLapseYears: 4,
      longLapseFloorMonths: 6,
    });
    expect(resolvePolicy('310000', 2026).coverageYear).toBe(2026);
  });
  test('exempt categories: newborn and the 8 rural low-income codes; extreme hardship pays nothing personally', () => {
    const p = resolvePolicy('410000', 2024);
    expect(p.exemptCategories).toHaveLength(9);
    expect(personalShareFen(p, ['extreme_hardship'])).toBe(0);
    expect(personalShareFen(p, ['minimum_living'])).toBe(38000);
    expect(personalShareFen(p, [])).toBe(38000);
  });
  test('unknown region and unknown year are errors, never defaults', () => {
    expect(codeOf(() => resolvePolicy('990000', 2024))).toBe('unknown_region');
    expect(codeOf(() => resolvePolicy('41032', 2024))).toBe('unknown_region');
    expect(codeOf(() => resolvePolicy('410327', 2022))).toBe('unknown_policy_year');
    expect(codeOf(() => resolvePolicy('310000', 2024))).toBe('unknown_policy_year');
    expect(codeOf(() => resolvePolicy('410000', 2027))).toBe('unknown_policy_year');
  });
  test('a region with no config anywhere in a catalog without a national root → unknown_region', () => {
    const noRoot: PolicyCatalog = POLICY_CATALOG.filter((c) => c.regionCode !== '100000');
    expect(codeOf(() => resolvePolicy('310000', 2024, noRoot))).toBe('unknown_region');
  });
  test('a year config missing required fields → policy_incomplete', () => {
    const broken: PolicyCatalog = [{ regionCode: '320000', name: 'x', years: { 2024: { resident: { subsidyFen: 1 } } } }];
    expect(codeOf(() => resolvePolicy('320100', 2024, broken))).toBe('policy_incomplete');
  });
  test('a county override replaces only the fields it sets', () => {
    const catalog: PolicyCatalog = [...POLICY_CATALOG, { regionCode: '410327', name: '宜阳县', years: { 2024: { resident: { subsidyFen: 70000 } } } }];
    const p = resolvePolicy('410327', 2024, catalog);
    expect(p.resident.subsidyFen).toBe(70000);
    expect(p.resident.individualContributionFen).toBe(38000);
    expect(p.definedBy).toEqual(['410000', '410327']);
  });
  test('every number carries a source; listPolicies resolves the whole catalogue', () => {
    const entries = listPolicies();
    expect(entries.map((e) => e.regionCode)).toEqual(['100000', '410000', '450000', '150000']);
    for (const e of entries) for (const p of e.policies) expect(p.sources.length).toBeGreaterThan(0);
    expect(entries.find((e) => e.regionCode === '410000')!.coverageYears).toEqual([2023, 2024]);
  });
});
