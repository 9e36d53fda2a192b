import { createHash } from 'node:crypto';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import fc from 'fast-check';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AgencyRegistry } from '../../apps/api/src/agency/agency-registry';
import { agencySignatureHeaders } from '../../apps/api/src/agency/signing';
import { seedIdNumber, seedPersons, type SeededPerson } from '../../bench/support/ingest-persons';
import { signedJsonPost } from '../support/agency-requests';
import { startTestApp, type TestApp } from '../support/test-app';

process.env.AGENCY_SECRET_KEY ??= createHash('sha256').update('agency batch e2e key').digest('hex');

interface TestAgency {
  id: string;
  secret: string;
}

describe('agency batches: size, concurrent retries, any order', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let store: EventStore;
  let ds: DataSource;
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
    store = t.app.get(EVENT_STORE);
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t.close();
  });

  const newAgency = () => t.app.get(AgencyRegistry).create('batch test agency', '410000');
  const post = (as: TestAgency, payments: unknown[]) => signedJsonPost(http, as, '/v1/agency/payments', { payments });
  const reverse = (as: TestAgency, reference: string) =>
    signedJsonPost(http, as, `/v1/agency/payments/${encodeURIComponent(reference)}/reversal`, { reason: 'agency reversal' });
  async function contributionsBy(agencyId: string): Promise<number> {
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'ContributionRecorded' AND data->>'agencyId' = $1`, [agencyId]);
    return row.n as number;
  }
  const employeeRow = (p: SeededPerson, reference: string, month: string) => ({
    reference,
    idNumber: p.idNumber,
    name: p.name,
    scheme: 'employee',
    regionCode: '410327',
    coverageMonth: month,
    amountFen: 52000,
    paidAt: `${month}-15T10:00:00+08:00`,
  });
  const months = Array.from({ length: 20 }, (_, i) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);

  it('takes a 10,000-row batch with 1% bad rows: every good row recorded once, every bad row rejected in place', async () => {
    const agency = await newAgency();
    const persons = await seedPersons(store, 500, { namespace: 1, scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' });
    const spoilers: Array<[string, (row: Record<string, unknown>) => Record<string, unknown>]> = [
      ['invalid_amount', (r) => ({ ...r, amountFen: 0 })],
      ['invalid_id_number', (r) => ({ ...r, idNumber: '410327199001011230' })],
      ['unknown_region', (r) => ({ ...r, regionCode: '000000' })],
      ['invalid_paid_at', (r) => ({ ...r, paidAt: '15/03/2025' })],
    ];
    const rows: Record<string, unknown>[] = [];
    const expectedCodes = new Map<number, string>();
    for (let i = 0; i < 10_000; i++) {
      const row = employeeRow(persons[i % 500]!, `BIG-${i}`, months[Math.floor(i / 500)]!);
      if (i % 100 === 37) {
        const [code, spoil] = spoilers[((i / 100) % 4) | 0]!;
        expectedCodes.set(i, code);
        rows.push(spoil(row));
      } else rows.push(row);
    }
    const res = await post(agency, rows).expect(200);
    expect(res.body.summary).toEqual({ accepted: 9_900, duplicate: 0, conflict: 0, held: 0, rejected: 100 });
    res.body.results.forEach((r: { index: number; reference: string; status: string; code?: string }, i: number) => {
      expect(r.index).toBe(i);
      if (expectedCodes.has(i)) expect(r.code).toBe(expectedCodes.get(i));
      else expect({ status: r.status, reference: r.reference }).toEqual({ status: 'accepted', reference: `BIG-${i}` });
    });
    expect(await contributionsBy(agency.id)).toBe(9_900);
  }, 240_000);

  it('gives two concurrent postings of one batch the same receipts and appends each payment once', async () => {
    const agency = await newAgency();
    const persons = await seedPersons(store, 100, { namespace: 2, scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' });
    const rows = persons.flatMap((p, i) => [employeeRow(p, `RACE-${i}-a`, '2025-03'), employeeRow(p, `RACE-${i}-b`, '2025-04')]);
    const [a, b] = await Promise.all([post(agency, rows), post(agency, rows)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    rows.forEach((_, i) => {
      const pair = [a.body.results[i], b.body.results[i]];
      expect(pair.map((r) => r.status).sort()).toEqual(['accepted', 'duplicate']);
      expect(pair[0].receiptId).toBe(pair[1].receiptId);
    });
    expect(await contributionsBy(agency.id)).toBe(rows.length);
    const third = await post(agency, rows).expect(200);
    expect(third.body.summary).toMatchObject({ duplicate: rows.length, accepted: 0 });
    expect(await contributionsBy(agency.id)).toBe(rows.length);
  });

  it('records every row once when concurrent batches with different references pay for the same persons', async () => {
    const agency = await newAgency();
    const persons = await seedPersons(store, 50, { namespace: 3, scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' });
    // The batches differ only in their references, so every request writes to the same person streams at once.
    const batch = (tag: string) => persons.flatMap((p, i) => months.slice(0, 4).map((m) => employeeRow(p, `SAME-${tag}-${i}-${m}`, m)));
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((tag) => post(agency, batch(tag))));
    for (const res of answers) expect(res.body.summary).toEqual({ accepted: 200, duplicate: 0, conflict: 0, held: 0, rejected: 0 });
    expect(await contributionsBy(agency.id)).toBe(800);
    const [recorded] = await ds.query(
      `SELECT count(DISTINCT (data->>'contributionId'))::int AS n, count(DISTINCT stream_name)::int AS persons FROM ledger_events WHERE type = 'ContributionRecorded' AND data->>'agencyId' = $1`,
      [agency.id],
    );
    expect(recorded).toEqual({ n: 800, persons: 50 });
  });

  describe('property: any interleaving and duplication of postings gives the same ledger and reconciliation', () => {
    type Op = { kind: 'pay'; ref: string } | { kind: 'reverse'; ref: string } | { kind: 'register' };
    const OPS: Op[] = [
      { kind: 'pay', ref: 'P1' },
      { kind: 'pay', ref: 'P2' },
      { kind: 'pay', ref: 'P3' },
      { kind: 'pay', ref: 'P4' },
      { kind: 'pay', ref: 'P5' },
      { kind: 'reverse', ref: 'P3' },
      { kind: 'register' },
    ];
    let run = 0;

    it('converges to one final state', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(OPS, { minLength: OPS.length, maxLength: OPS.length }),
          fc.array(fc.constantFrom(...OPS.filter((o) => o.kind !== 'register')), { maxLength: 4 }),
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
          fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
          async (order, repeats, batchSizes, concurrently) => {
            const namespace = 10 + run++;
            const agency = await newAgency();
            const [a, b] = await seedPersons(store, 2, { namespace, scheme: 'resident', regionCode: '410327', enrolledOn: '2024-01-01' });
            const cId = seedIdNumber(namespace, 2);
            const c = { idNumber: cId, name: `后登记${namespace}`, birthDate: `${cId.slice(6, 10)}-${cId.slice(10, 12)}-${cId.slice(12, 14)}` };
            const rows: Record<string, Record<string, unknown>> = {
              P1: { reference: 'P1', idNumber: a!.idNumber, name: a!.name, coverageYear: 2026, amountFen: 40000, paidAt: '2025-10-10T09:00:00+08:00' },
              P2: { reference: 'P2', idNumber: a!.idNumber, name: a!.name, coverageYear: 2026, amountFen: 40000, paidAt: '2025-10-12T09:00:00+08:00' },
              P3: { reference: 'P3', idNumber: b!.idNumber, name: b!.name, coverageYear: 2026, amountFen: 30000, paidAt: '2025-10-10T11:00:00+08:00' },
              P4: { reference: 'P4', idNumber: c.idNumber, name: c.name, coverageYear: 2026, amountFen: 40000, paidAt: '2025-10-12T15:00:00+08:00' },
              P5: { reference: 'P5', idNumber: b!.idNumber, name: b!.name, coverageYear: 2025, amountFen: 40000, paidAt: '2024-10-10T09:00:00+08:00' },
            };
            for (const r of Object.values(rows)) Object.assign(r, { scheme: 'resident', regionCode: '410327' });

            // Repeats go in at positions the shrinker can move: after the op at the same index.
            const sequence: Op[] = [];
            order.forEach((op, i) => sequence.push(op, ...(repeats[i] ? [repeats[i]!] : [])));
            let step = 0;
            for (let i = 0; i < sequence.length; step++) {
              const op = sequence[i]!;
              if (op.kind === 'register') {
                const res = await http.post('/v1/persons').set(clerk()).send(c).expect(201);
                await http
                  .post(`/v1/persons/${res.body.personId}/enrollments`)
                  .set(clerk())
                  .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2024-06-01' })
                  .expect(201);
                i++;
              } else if (op.kind === 'reverse') {
                await reverse(agency, op.ref).expect((res) => expect([200, 202]).toContain(res.status));
                i++;
              } else {
                const batch: Record<string, unknown>[] = [];
                while (i < sequence.length && sequence[i]!.kind === 'pay' && batch.length < batchSizes[step % 12]!)
                  batch.push(rows[(sequence[i++] as { ref: string }).ref]!);
                const posts = concurrently[step % 12] ? [post(agency, batch), post(agency, [...batch].reverse())] : [post(agency, batch)];
                for (const res of await Promise.all(posts)) expect(res.status).toBe(200);
              }
            }

            const statuses = async () =>
              (await ds.query(`SELECT reference, status FROM agency_receipt_view WHERE "agencyId" = $1 ORDER BY reference`, [agency.id]))
                .map((r: { reference: string; status: string }) => `${r.reference}:${r.status}`)
                .join(' ');
            await waitFor(async () => (await statuses()) === 'P1:accepted P2:accepted P3:reversed P4:accepted P5:accepted', statuses);

            const ledger = await ds.query(
              `SELECT data->>'agencyReference' AS ref, (data->>'amountFen')::int AS amount,
                      EXISTS (SELECT 1 FROM ledger_events r WHERE r.type = 'ContributionReversed' AND r.data->>'contributionId' = e.data->>'contributionId') AS reversed
                 FROM ledger_events e WHERE type = 'ContributionRecorded' AND data->>'agencyId' = $1 ORDER BY 1`,
              [agency.id],
            );
            expect(ledger).toEqual([
              { ref: 'P1', amount: 40000, reversed: false },
              { ref: 'P2', amount: 40000, reversed: false },
              { ref: 'P3', amount: 30000, reversed: true },
              { ref: 'P4', amount: 40000, reversed: false },
              { ref: 'P5', amount: 40000, reversed: false },
            ]);
            const [reversals] = await ds.query(
              `SELECT count(*)::int AS n FROM ledger_events WHERE type = 'ContributionReversed' AND data->>'contributionId' = ANY($1)`,
              [
                (await ds.query(`SELECT "receiptId" FROM agency_receipt_view WHERE "agencyId" = $1`, [agency.id])).map(
                  (r: { receiptId: string }) => r.receiptId,
                ),
              ],
            );
            expect(reversals.n).toBe(1);

            const reconcile = async (date: string) => {
              const raw = '';
              const res = await http
                .get(`/v1/agency/reconciliation?date=${date}`)
                .set(agencySignatureHeaders(agency.id, agency.secret, raw))
                .expect(200);
              return {
                totals: res.body.totals,
                lines: res.body.receipts.map((r: { reference: string; status: string; amountFen: number }) => `${r.reference}:${r.status}:${r.amountFen}`),
              };
            };
            expect(await reconcile('2025-10-10')).toEqual({
              totals: expect.objectContaining({
                accepted: { count: 1, amountFen: 40000 },
                reversed: { count: 1, amountFen: 30000 },
                all: { count: 2, amountFen: 70000 },
              }),
              lines: ['P1:accepted:40000', 'P3:reversed:30000'],
            });
            expect(await reconcile('2025-10-12')).toEqual({
              totals: expect.objectContaining({
                accepted: { count: 2, amountFen: 80000 },
                held: { count: 0, amountFen: 0 },
                all: { count: 2, amountFen: 80000 },
              }),
              lines: ['P2:accepted:40000', 'P4:accepted:40000'],
            });

            await waitFor(
              async () => (await refundsOf(a!.personId)).length === 1 && (await refundsOf(b!.personId)).length === 0,
              async () => JSON.stringify(await refundsOf(a!.personId)),
            );
            expect(await refundsOf(a!.personId)).toEqual([{ reference: 'P2', refundFen: 40000, reason: 'period_already_paid' }]);
          },
        ),
        { numRuns: 10 },
      );
    }, 240_000);

    async function refundsOf(personId: string) {
      const [row] = await ds.query(`SELECT periods FROM agency_settlement_view WHERE "personId" = $1`, [personId]);
      return ((row?.periods ?? []) as Array<{ refunds: Array<{ reference: string; refundFen: number; reason: string }> }>).flatMap((p) =>
        p.refunds.map((r) => ({ reference: r.reference, refundFen: r.refundFen, reason: r.reason })),
      );
    }
  });
});

async function waitFor(check: () => Promise<boolean>, describe: () => Promise<string>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not reached in time: ${await describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
