import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@ledger/event-store';
import { newEventId } from '@ledger/event-store';

/**
 * A contribution-like event: ~200 bytes of data JSON (person, amount in fen, coverage year, agency
 * reference) and the metadata every ledger event carries.
 */
export function contributionEvent(i: number): NewEvent {
  const personId = `P${String(440300199001010000 + (i % 1_000_000)).padStart(18, '0')}`;
  return {
    eventId: newEventId(),
    type: 'ContributionPaid',
    data: {
      personId,
      amountFen: 38_000 + (i % 7) * 1_000,
      coverageYear: 2026,
      scheme: 'urban-rural-resident',
      paidOn: '2026-11-26',
      agency: { code: '440300', reference: `SZ-MI-2026-${String(i).padStart(10, '0')}`, channel: 'tax-bureau' },
    },
    metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'bench-clerk' },
  };
}

export const dataBytes = (): number => Buffer.byteLength(JSON.stringify(contributionEvent(123_456).data));
