import type { SeededPerson } from './ingest-persons';

/** Employee months payable by the bench (paidAt must not be after today): 2025-01 through 2026-10. */
export const INGEST_MONTHS = Array.from({ length: 22 }, (_, i) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

export interface IngestRow {
  reference: string;
  idNumber: string;
  name: string;
  scheme: 'employee';
  regionCode: string;
  coverageMonth: string;
  amountFen: number;
  paidAt: string;
}

/** The ith payment: person i mod P pays month floor(i / P), so every (person, month) is paid once. */
export function ingestRow(run: string, persons: readonly SeededPerson[], i: number): IngestRow {
  const p = persons[i % persons.length]!;
  const month = INGEST_MONTHS[Math.floor(i / persons.length) % INGEST_MONTHS.length]!;
  return {
    reference: `${run}-${String(i).padStart(8, '0')}`,
    idNumber: p.idNumber,
    name: p.name,
    scheme: 'employee',
    regionCode: '410327',
    coverageMonth: month,
    amountFen: 50_000 + (i % 7) * 1_000,
    paidAt: `${month}-15T10:${String(i % 60).padStart(2, '0')}:00+08:00`,
  };
}
