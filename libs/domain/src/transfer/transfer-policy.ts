/**
 * Working-day limits per region. The national measures (医保发〔2021〕43号) and Henan (004)
 * give 10 working days for the old region's transfer-out and 5 for the new region's
 * transfer-in, 15 in all; a region may set shorter limits.
 */
export interface TransferLimits {
  transferOutWorkingDays: number;
  transferInWorkingDays: number;
}

export interface TransferPolicy {
  defaults: TransferLimits;
  /** Keyed by 6-digit region code: a county, a city (`xxxx00`) or a province (`xx0000`). */
  byRegion: Readonly<Record<string, Partial<TransferLimits>>>;
}

export const DEFAULT_TRANSFER_POLICY: TransferPolicy = {
  defaults: { transferOutWorkingDays: 10, transferInWorkingDays: 5 },
  byRegion: {},
};

const REGION_CODE = /^\d{6}$/;

export function isRegionCode(value: unknown): value is string {
  return typeof value === 'string' && REGION_CODE.test(value);
}

/** Two region codes are in one province when their first two digits match. */
export function sameProvince(a: string, b: string): boolean {
  return a.slice(0, 2) === b.slice(0, 2);
}

function limitFor(policy: TransferPolicy, regionCode: string, key: keyof TransferLimits): number {
  // Most specific setting wins: county, then city, then province, then the default.
  const candidates = [regionCode, `${regionCode.slice(0, 4)}00`, `${regionCode.slice(0, 2)}0000`];
  for (const code of candidates) {
    const value = policy.byRegion[code]?.[key];
    if (value !== undefined) return value;
  }
  return policy.defaults[key];
}

/** The transfer-out limit is the old region's. */
export function transferOutLimitFor(policy: TransferPolicy, fromRegion: string): number {
  return limitFor(policy, fromRegion, 'transferOutWorkingDays');
}

/** The transfer-in limit is the new region's. */
export function transferInLimitFor(policy: TransferPolicy, toRegion: string): number {
  return limitFor(policy, toRegion, 'transferInWorkingDays');
}
