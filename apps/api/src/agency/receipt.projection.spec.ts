import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@ledger/event-store';
import fc from 'fast-check';
import { entityDatabase } from '../../../../test/support/test-database';
import { AgencyEvents, receiptIdFor, receiptStream } from './agency-events';
import { ReceiptProjection } from './receipt.projection';

const projection = new ReceiptProjection();
const AGENCY = randomUUID();
const PERSON = randomUUID();

type Step = { kind: 'direct' } | { kind: 'held'; reason: string } | { kind: 'recorded' } | { kind: 'reversed' } | { kind: 'cancelled' };

/**
 * One receipt's events in the order the intake can write them: straight to the person's ledger (no claim), maybe
 * reversed; or claimed, held any number of times, then applied (and maybe reversed) or cancelled.
 */
const lifecycle: fc.Arbitrary<Step[]> = fc.oneof(
  fc.constantFrom<Step[]>([{ kind: 'direct' }], [{ kind: 'direct' }, { kind: 'reversed' }]),
  fc
    .tuple(
      fc.array(fc.constantFrom('person_not_found', 'not_enrolled', 'name_mismatch'), { maxLength: 3 }),
      fc.constantFrom<Step[]>([], [{ kind: 'recorded' }], [{ kind: 'recorded' }, { kind: 'reversed' }], [{ kind: 'cancelled' }]),
    )
    .map(([holds, end]) => [...holds.map((reason): Step => ({ kind: 'held', reason })), ...end]),
);

function eventsOf(reference: string, steps: Step[]): Array<Omit<StoredEvent, 'position'>> {
  const receiptId = receiptIdFor(AGENCY, reference);
  const stream = receiptStream(AGENCY, reference);
  const metadata = { correlationId: 'c', causationId: 'c', actor: 'test', recordedAt: '2026-01-05T02:00:00.000Z' };
  const payment = {
    reference,
    idNumber: '410327199001010013',
    name: '张三',
    scheme: 'employee',
    regionCode: '410327',
    coverageMonth: '2026-01',
    amountFen: 50_000,
    paidAt: '2026-01-05T10:00:00+08:00',
  };
  let receiptRevision = 0;
  const onReceipt = (type: string, data: unknown) => ({ eventId: randomUUID(), type, data, metadata, streamName: stream, revision: receiptRevision++ });
  const onPerson = (type: string, data: unknown) => ({ eventId: randomUUID(), type, data, metadata, streamName: `person-${PERSON}`, revision: 0 });
  // The contribution carries the payer as posted, whichever way it came.
  const recorded = () =>
    onPerson('ContributionRecorded', {
      contributionId: receiptId,
      agencyId: AGENCY,
      agencyReference: reference,
      payerIdNumber: payment.idNumber,
      payerName: payment.name,
      scheme: 'employee',
      regionCode: payment.regionCode,
      coverageMonth: payment.coverageMonth,
      amountFen: 50_000,
      paidAt: payment.paidAt,
    });
  const claimed = steps[0]?.kind !== 'direct';
  return [
    ...(claimed ? [onReceipt(AgencyEvents.paymentReceived, { receiptId, agencyId: AGENCY, reference, payment, receivedAt: '2026-01-05T02:00:00.000Z' })] : []),
    ...steps.map((step) => {
      switch (step.kind) {
        case 'direct':
          return recorded();
        case 'held':
          return onReceipt(AgencyEvents.paymentHeld, { receiptId, reason: step.reason });
        case 'cancelled':
          return onReceipt(AgencyEvents.paymentCancelled, { receiptId, reason: 'bank return', cancelledAt: '2026-01-06T02:00:00.000Z' });
        case 'recorded':
          return recorded();
        case 'reversed':
          return onPerson('ContributionReversed', { contributionId: receiptId, reversedAt: '2026-01-07T10:00:00+08:00', reason: 'bank return' });
      }
    }),
  ];
}

/** Receipts' lifecycles interleaved by a schedule (each pick takes the next event of that receipt), then positioned. */
function interleave(lifecycles: Step[][], schedule: number[]): StoredEvent[] {
  const queues = lifecycles.map((steps, i) => eventsOf(`R-${i}`, steps));
  const out: StoredEvent[] = [];
  const take = (i: number) => {
    const next = queues[i]!.shift();
    if (next) out.push({ ...next, position: out.length + 1 });
  };
  for (const pick of schedule) take(pick % queues.length);
  queues.forEach((_, i) => {
    while (queues[i]!.length) take(i);
  });
  return out;
}

describe('ReceiptProjection', () => {
  const db = entityDatabase(projection.entities);

  async function project(batches: StoredEvent[][]): Promise<unknown[]> {
    await db.dataSource.query('TRUNCATE agency_receipt_view');
    for (const batch of batches) await db.dataSource.transaction((manager) => projection.apply(batch, manager));
    return rows();
  }
  const rows = () =>
    db.dataSource.query('SELECT reference, status, "statusRank", "heldReason", "personId", position FROM agency_receipt_view ORDER BY reference');

  it('given a payment held and then applied, then its row is accepted, names the person and keeps the last hold reason, in one batch or in two', async () => {
    const events = interleave([[{ kind: 'held', reason: 'person_not_found' }, { kind: 'held', reason: 'not_enrolled' }, { kind: 'recorded' }]], []);
    const expected = [{ reference: 'R-0', status: 'accepted', statusRank: 2, heldReason: 'not_enrolled', personId: PERSON, position: '1' }];
    expect(await project([events])).toEqual(expected);
    expect(await project(events.map((e) => [e]))).toEqual(expected);
    expect(await project([events.slice(0, 2), events.slice(2)])).toEqual(expected);
  });

  it("given a payment that went straight to the person's ledger, then its contribution makes the row, accepted, with the payer as posted", async () => {
    const events = interleave([[{ kind: 'direct' }], [{ kind: 'direct' }, { kind: 'reversed' }]], [0, 1, 1]);
    expect(await project([events])).toEqual([
      { reference: 'R-0', status: 'accepted', statusRank: 2, heldReason: null, personId: PERSON, position: '1' },
      { reference: 'R-1', status: 'reversed', statusRank: 3, heldReason: null, personId: PERSON, position: '2' },
    ]);
    const [row] = await db.dataSource.query(`SELECT "idNumber", name, period, "amountFen", "paidOn"::text FROM agency_receipt_view WHERE reference = 'R-0'`);
    expect(row).toEqual({ idNumber: '410327199001010013', name: '张三', period: '2026-01', amountFen: '50000', paidOn: '2026-01-05' });
  });

  it('gives the same rows however the events are split into batches, and again when a batch is delivered twice', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lifecycle, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(4), { maxLength: 25 }),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        async (lifecycles, schedule, cuts) => {
          const events = interleave(lifecycles, schedule);
          const whole = await project([events]);
          expect(whole).toHaveLength(lifecycles.length);
          const split: StoredEvent[][] = [[]];
          events.forEach((e, i) => {
            if (cuts[i] && split[split.length - 1]!.length) split.push([]);
            split[split.length - 1]!.push(e);
          });
          expect(await project(split)).toEqual(whole);
          expect(await project([events, events])).toEqual(whole);
        },
      ),
      { numRuns: 60 },
    );
  });
});
