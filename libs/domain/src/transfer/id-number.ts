/**
 * Resident ID number check (GB 11643-1999, ISO 7064 MOD 11-2). Private to the transfer
 * module so it does not depend on the person module being written in parallel.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function isValidResidentIdNumber(value: unknown): value is string {
  if (typeof value !== 'string' || !/^\d{17}[\dXx]$/.test(value)) return false;
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(value[i]), 0);
  return CHECK_CHARS[sum % 11] === value[17]!.toUpperCase();
}

export function sameIdNumber(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}
