import {
  chinaDateOf,
  isDomainError,
  isValidIsoMonth,
  isValidRegionCode,
  isValidTimestamp,
  resolvePolicy,
  validateResidentId,
  type ContributionRecordedData,
  type IsoDate,
} from '@ledger/domain';

/** One payment as an agency posts it, normalised (ID number upper-cased, name trimmed). */
export interface AgencyPayment {
  reference: string;
  idNumber: string;
  name: string;
  scheme: 'resident' | 'employee';
  regionCode: string;
  coverageYear?: number;
  coverageMonth?: string;
  amountFen: number;
  paidAt: string;
}

export type RowCheck = { ok: true; payment: AgencyPayment } | { ok: false; reference: string | null; code: string; message: string };

export const PAYMENT_FIELDS = ['reference', 'idNumber', 'name', 'scheme', 'regionCode', 'coverageYear', 'coverageMonth', 'amountFen', 'paidAt'] as const;
export const MAX_BATCH_ROWS = 10_000;
/** No resident or employee contribution comes near 1,000,000 元; a bigger number is a unit mistake (元 sent as fen × 100). */
const MAX_AMOUNT_FEN = 100_000_000;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const reject = (reference: string | null, code: string, message: string): RowCheck => ({ ok: false, reference, code, message });

/**
 * Checks a row without touching the ledger: everything here is decided by the row and the policy
 * catalogue alone, so a rejected row can be corrected and posted again under the same reference.
 */
export function checkPaymentRow(raw: unknown, today: IsoDate): RowCheck {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return reject(null, 'invalid_row', 'each payment must be an object');
  const row = raw as Record<string, unknown>;
  const reference = typeof row.reference === 'string' ? row.reference : null;
  if (reference === null || reference.length === 0 || reference.length > 100 || CONTROL.test(reference) || reference.trim() !== reference) {
    return reject(null, 'invalid_reference', 'reference must be 1-100 printable characters without surrounding spaces');
  }
  const id = validateResidentId(row.idNumber, today);
  if (!id.ok) return reject(reference, 'invalid_id_number', `idNumber is not a valid resident ID number: ${id.reason}`);
  const name = typeof row.name === 'string' ? row.name.normalize('NFC').trim() : '';
  if (name.length === 0 || name.length > 100) return reject(reference, 'invalid_name', 'name must be 1-100 characters');
  if (row.scheme !== 'resident' && row.scheme !== 'employee') return reject(reference, 'invalid_scheme', 'scheme must be resident or employee');
  if (!isValidRegionCode(row.regionCode)) return reject(reference, 'unknown_region', 'regionCode must be a 6-digit GB/T 2260 code of a province or below');
  const regionCode = row.regionCode;

  let coverageYear: number | undefined;
  let coverageMonth: string | undefined;
  if (row.scheme === 'resident') {
    if (!Number.isInteger(row.coverageYear) || (row.coverageMonth !== undefined && row.coverageMonth !== null)) {
      return reject(reference, 'invalid_period', 'resident payments name a coverageYear and no coverageMonth');
    }
    coverageYear = row.coverageYear as number;
  } else {
    if (!isValidIsoMonth(row.coverageMonth) || (row.coverageYear !== undefined && row.coverageYear !== null)) {
      return reject(reference, 'invalid_period', 'employee payments name a coverageMonth (YYYY-MM) and no coverageYear');
    }
    coverageMonth = row.coverageMonth;
  }
  const policyYear = coverageYear ?? Number(coverageMonth!.slice(0, 4));
  try {
    resolvePolicy(regionCode, policyYear);
  } catch (error) {
    if (!isDomainError(error)) throw error;
    if (error.code === 'unknown_region') return reject(reference, 'unknown_region', `no policy is configured for region ${regionCode}`);
    return reject(reference, 'unknown_policy_year', `the policy of ${regionCode} does not open coverage year ${policyYear}`);
  }

  if (typeof row.amountFen !== 'number' || !Number.isInteger(row.amountFen) || row.amountFen <= 0 || row.amountFen > MAX_AMOUNT_FEN) {
    return reject(reference, 'invalid_amount', `amountFen must be a positive integer number of fen up to ${MAX_AMOUNT_FEN}`);
  }
  if (!isValidTimestamp(row.paidAt))
    return reject(reference, 'invalid_paid_at', 'paidAt must be an RFC 3339 timestamp with an offset, e.g. 2024-10-15T09:30:00+08:00');
  if (chinaDateOf(row.paidAt) > today) return reject(reference, 'paid_at_in_future', `paidAt ${row.paidAt} is after today (${today}, China time)`);

  return {
    ok: true,
    payment: {
      reference,
      idNumber: id.normalized,
      name,
      scheme: row.scheme,
      regionCode,
      ...(coverageYear !== undefined ? { coverageYear } : { coverageMonth }),
      amountFen: row.amountFen,
      paidAt: row.paidAt,
    },
  };
}

/** Same content means a retry; compared field by field because stored events come back from jsonb with keys reordered. */
export function samePayment(a: AgencyPayment, b: AgencyPayment): boolean {
  return PAYMENT_FIELDS.every((f) => (a[f] ?? null) === (b[f] ?? null));
}

/** What an agency posted, from the contribution it became; null for a contribution that did not keep it (at the counter, or before it was kept). */
export function paymentOfContribution(c: ContributionRecordedData): AgencyPayment | null {
  if (c.agencyReference === undefined || c.payerIdNumber === undefined || c.payerName === undefined) return null;
  return {
    reference: c.agencyReference,
    idNumber: c.payerIdNumber,
    name: c.payerName,
    scheme: c.scheme,
    regionCode: c.regionCode,
    ...(c.coverageYear !== undefined ? { coverageYear: c.coverageYear } : { coverageMonth: c.coverageMonth }),
    amountFen: c.amountFen,
    paidAt: c.paidAt,
  };
}

export function periodOf(p: Pick<AgencyPayment, 'coverageYear' | 'coverageMonth'>): string {
  return p.coverageMonth ?? String(p.coverageYear);
}

/** CSV cells are text: numbers that look like integers become numbers, empty cells are absent; anything else is left for the row check to refuse. */
export function csvRecordToRow(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of PAYMENT_FIELDS) {
    const cell = record[field];
    if (cell === undefined || cell === '') continue;
    row[field] = (field === 'coverageYear' || field === 'amountFen') && /^-?\d{1,15}$/.test(cell) ? Number(cell) : cell;
  }
  return row;
}

/** Whether an agency collecting for `allowed` may collect in `regionCode`: the same code, or a county or city under an allowed province or city. */
export function agencyMayCollect(allowed: readonly string[], regionCode: string): boolean {
  return allowed.some((a) => {
    if (a === regionCode || a === '100000') return true;
    if (a.endsWith('0000')) return regionCode.startsWith(a.slice(0, 2));
    if (a.endsWith('00')) return regionCode.startsWith(a.slice(0, 4));
    return false;
  });
}
