import { DomainError } from '../errors';
import { assertRegionCode, REGION_NAMES, RegionCode, regionChain } from '../regions';
import { POLICY_CATALOG } from './catalog';
import type { EffectivePolicy, PersonCategory, PolicyCatalog, PolicyPatch, RegionPolicyConfig, ResidentSchemeRules } from './types';

const REQUIRED_RESIDENT: (keyof ResidentSchemeRules)[] = [
  'individualContributionFen',
  'coverageThresholdFen',
  'personalShareByCategoryFen',
  'subsidyFen',
  'centralizedWindow',
  'extendedWindow',
  'waitingPeriod',
];

function configFor(catalog: PolicyCatalog, code: RegionCode): RegionPolicyConfig | undefined {
  return catalog.find((c) => c.regionCode === code);
}

type Draft = Omit<Partial<EffectivePolicy>, 'resident'> & { resident: Partial<ResidentSchemeRules> };

function applyPatch(target: Draft, patch: PolicyPatch): void {
  if (patch.resident) {
    const { personalShareByCategoryFen, ...rest } = patch.resident;
    Object.assign(target.resident, rest);
    if (personalShareByCategoryFen) {
      target.resident.personalShareByCategoryFen = { ...target.resident.personalShareByCategoryFen, ...personalShareByCategoryFen };
    }
  }
  if (patch.employee) target.employee = { ...(target.employee ?? { monthlyDueFen: null }), ...patch.employee };
  if (patch.employeeGapRule) target.employeeGapRule = { ...patch.employeeGapRule };
  if (patch.exemptCategories) target.exemptCategories = [...patch.exemptCategories];
  if (patch.newbornGraceDays !== undefined) target.newbornGraceDays = patch.newbornGraceDays;
  if (patch.sources) target.sources = [...(target.sources ?? []), ...patch.sources];
  if (patch.assumptions) target.assumptions = [...(target.assumptions ?? []), ...patch.assumptions];
}

/**
 * Effective policy of a region for a coverage year: national base, then each level's
 * configuration for that year from the root down, each overriding only the fields it sets.
 * A year none of the chain defines is an error, never a default.
 */
export function resolvePolicy(regionCode: string, coverageYear: number, catalog: PolicyCatalog = POLICY_CATALOG): EffectivePolicy {
  const resolved = lookupPolicy(regionCode, coverageYear, catalog);
  if (resolved instanceof DomainError) throw resolved;
  return resolved;
}

const resolvedByCatalog = new WeakMap<PolicyCatalog, Map<string, EffectivePolicy | DomainError>>();

/**
 * resolvePolicy without throwing, memoised per catalogue: the coverage calculator asks for the
 * same few policies thousands of times a second, and building an error (its stack) on every miss
 * cost more than the rest of the calculation. Cached policies are frozen, so sharing them is safe.
 */
export function lookupPolicy(regionCode: string, coverageYear: number, catalog: PolicyCatalog = POLICY_CATALOG): EffectivePolicy | DomainError {
  let cache = resolvedByCatalog.get(catalog);
  if (!cache) resolvedByCatalog.set(catalog, (cache = new Map()));
  const key = `${regionCode}|${coverageYear}`;
  let resolved = cache.get(key);
  if (resolved === undefined) {
    try {
      resolved = deepFreeze(computePolicy(regionCode, coverageYear, catalog));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      resolved = error;
    }
    cache.set(key, resolved);
  }
  return resolved;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

function computePolicy(regionCode: string, coverageYear: number, catalog: PolicyCatalog): EffectivePolicy {
  const code = assertRegionCode(regionCode);
  if (!Number.isInteger(coverageYear)) {
    throw new DomainError('unknown_policy_year', `coverage year must be an integer`, { regionCode, coverageYear });
  }
  const chain = regionChain(code)
    .map((c) => configFor(catalog, c))
    .filter((c): c is RegionPolicyConfig => !!c)
    .reverse();
  if (chain.length === 0) throw new DomainError('unknown_region', `no policy configured for region ${code} or its parents`, { regionCode: code });
  const defining = chain.filter((c) => c.years[coverageYear] !== undefined);
  if (defining.length === 0) {
    throw new DomainError('unknown_policy_year', `no policy for coverage year ${coverageYear} in region ${code} or its parents`, {
      regionCode: code,
      coverageYear,
    });
  }
  const draft: Draft = {
    resident: { personalShareByCategoryFen: {} },
    sources: [],
    assumptions: [],
  };
  for (const node of chain) {
    if (node.base) applyPatch(draft, node.base);
  }
  for (const node of defining) applyPatch(draft, node.years[coverageYear]!);
  const missing = REQUIRED_RESIDENT.filter((k) => draft.resident[k] === undefined).map((k) => `resident.${k}`);
  for (const k of ['employee', 'employeeGapRule', 'exemptCategories', 'newbornGraceDays'] as const) {
    if (draft[k] === undefined) missing.push(k);
  }
  if (missing.length > 0) {
    throw new DomainError('policy_incomplete', `policy for ${code}/${coverageYear} lacks ${missing.join(', ')}`, { regionCode: code, coverageYear, missing });
  }
  return {
    regionCode: code,
    coverageYear,
    resident: draft.resident as ResidentSchemeRules,
    employee: draft.employee!,
    employeeGapRule: draft.employeeGapRule!,
    exemptCategories: draft.exemptCategories!,
    newbornGraceDays: draft.newbornGraceDays!,
    definedBy: defining.map((d) => d.regionCode),
    sources: [...new Set(draft.sources)],
    assumptions: [...new Set(draft.assumptions)],
  };
}

export interface PolicyCatalogEntry {
  regionCode: RegionCode;
  name: string;
  coverageYears: number[];
  policies: EffectivePolicy[];
}

/** The catalogue as an API would show it: each configured region with its resolved years. */
export function listPolicies(catalog: PolicyCatalog = POLICY_CATALOG): PolicyCatalogEntry[] {
  return catalog.map((c) => {
    const years = Object.keys(c.years)
      .map(Number)
      .sort((a, b) => a - b);
    return {
      regionCode: c.regionCode,
      name: c.name || REGION_NAMES[c.regionCode] || c.regionCode,
      coverageYears: years,
      policies: years.map((y) => resolvePolicy(c.regionCode, y, catalog)),
    };
  });
}

/** The person's own share for the year: the lowest share among their categories (assistance pays the rest). */
export function personalShareFen(policy: EffectivePolicy, categories: readonly PersonCategory[]): number {
  const shares = categories.map((c) => policy.resident.personalShareByCategoryFen[c]).filter((s): s is number => s !== undefined);
  return Math.min(policy.resident.individualContributionFen, ...shares);
}
