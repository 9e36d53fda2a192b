import { DomainError } from './errors';
import { PROVINCE_PREFIXES } from './resident-id';

/** GB/T 2260 six-digit administrative division code. */
export type RegionCode = string;
export type RegionLevel = 'national' | 'province' | 'city' | 'county';

/** The root of policy inheritance; national rules apply to every province. */
export const NATIONAL_REGION: RegionCode = '100000';

export function isValidRegionCode(code: unknown): code is RegionCode {
  if (typeof code !== 'string' || !/^\d{6}$/.test(code)) return false;
  return code === NATIONAL_REGION || PROVINCE_PREFIXES.includes(code.slice(0, 2));
}

export function assertRegionCode(code: unknown): RegionCode {
  if (!isValidRegionCode(code)) throw new DomainError('unknown_region', `unknown region code ${String(code)}`, { regionCode: code });
  return code;
}

export function provinceOf(code: RegionCode): RegionCode {
  return code === NATIONAL_REGION ? code : `${code.slice(0, 2)}0000`;
}

export function cityOf(code: RegionCode): RegionCode {
  return code === NATIONAL_REGION ? code : `${code.slice(0, 4)}00`;
}

export function regionLevel(code: RegionCode): RegionLevel {
  if (code === NATIONAL_REGION) return 'national';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

/** Leaf first: county, city, province, national (levels the code does not have are skipped). */
export function regionChain(code: RegionCode): RegionCode[] {
  const chain = [code, cityOf(code), provinceOf(code), NATIONAL_REGION];
  return chain.filter((c, i) => chain.indexOf(c) === i);
}

/** Names of the regions the shipped catalogue and sources mention; display only. */
export const REGION_NAMES: Readonly<Record<RegionCode, string>> = {
  '100000': '全国',
  '150000': '内蒙古自治区',
  '410000': '河南省',
  '410300': '洛阳市',
  '410327': '宜阳县',
  '450000': '广西壮族自治区',
};
