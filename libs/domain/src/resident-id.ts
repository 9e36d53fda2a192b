import { chinaToday, IsoDate, isValidIsoDate } from './dates';

/** GB 11643-1999 citizen identity number: 6-digit region, 8-digit birth date, 3-digit sequence, check character. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** GB/T 2260 province-level prefixes (71 Taiwan, 81 Hong Kong, 82 Macao included as the standard lists them). */
export const PROVINCE_PREFIXES: readonly string[] = [
  '11',
  '12',
  '13',
  '14',
  '15',
  '21',
  '22',
  '23',
  '31',
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '41',
  '42',
  '43',
  '44',
  '45',
  '46',
  '50',
  '51',
  '52',
  '53',
  '54',
  '61',
  '62',
  '63',
  '64',
  '65',
  '71',
  '81',
  '82',
];

export type Sex = 'male' | 'female';

export type ResidentIdResult = { ok: true; normalized: string; birthDate: IsoDate; sex: Sex } | { ok: false; code: 'invalid_id_number'; reason: string };

/** ISO 7064 MOD 11-2 check character of a 17-digit body. */
export function residentIdCheckChar(body17: string): string {
  if (!/^\d{17}$/.test(body17)) throw new RangeError('body must be 17 digits');
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(body17[i]), 0);
  return CHECK_CHARS[sum % 11]!;
}

/** Completes a 17-digit body into a valid 18-character number (tests and benchmarks need many). */
export function buildResidentId(body17: string): string {
  return body17 + residentIdCheckChar(body17);
}

/** Convenience for fixtures: `makeResidentId('410327', '1990-01-01', 123, 'male')`. */
export function makeResidentId(regionCode: string, birthDate: IsoDate, sequence: number, sex: Sex = 'male'): string {
  const seq2 = String(Math.abs(Math.trunc(sequence)) % 100).padStart(2, '0');
  // The 17th digit carries sex: odd for men, even for women.
  const sexDigit = (Math.abs(Math.trunc(sequence)) * 2 + (sex === 'male' ? 1 : 0)) % 10;
  return buildResidentId(`${regionCode}${birthDate.replace(/-/g, '')}${seq2}${sexDigit}`);
}

export function validateResidentId(input: unknown, today: IsoDate = chinaToday()): ResidentIdResult {
  const fail = (reason: string): ResidentIdResult => ({ ok: false, code: 'invalid_id_number', reason });
  if (typeof input !== 'string') return fail('not a string');
  if (input.length !== 18) return fail('must be 18 characters');
  if (!/^\d{17}[\dXx]$/.test(input)) return fail('must be 17 digits followed by a digit or X');
  const normalized = input.toUpperCase();
  if (!PROVINCE_PREFIXES.includes(normalized.slice(0, 2))) return fail('region prefix is not a GB/T 2260 province');
  const raw = normalized.slice(6, 14);
  const birthDate = `${raw.slice(0, 4)}-${raw.slice(4, 6)}-${raw.slice(6, 8)}`;
  if (!isValidIsoDate(birthDate)) return fail('positions 7-14 are not a valid date');
  if (birthDate < '1880-01-01' || birthDate > today) return fail('birth date is not plausible');
  if (residentIdCheckChar(normalized.slice(0, 17)) !== normalized[17]) return fail('check character does not match');
  return { ok: true, normalized, birthDate, sex: Number(normalized[16]) % 2 === 1 ? 'male' : 'female' };
}

/** Keeps the first and last four characters: enough to tell numbers apart in a list, not enough to identify. */
export function maskResidentId(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}
