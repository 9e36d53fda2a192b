import { createHash } from 'node:crypto';
import { makeResidentId } from '@ledger/domain';
import { EVENT_STORE, newEventId, type EventStore } from '@ledger/event-store';
import { ProjectionManager } from '@ledger/read-models';
import { AgencyEvents, receiptIdFor, receiptKey, receiptStream } from '../../apps/api/src/agency/agency-events';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AgencyRegistry } from '../../apps/api/src/agency/agency-registry';
import { HeldPaymentReleaser } from '../../apps/api/src/agency/held-payment-releaser';
import { agencySignatureHeaders } from '../../apps/api/src/agency/signing';
import { loadConfig } from '../../apps/api/src/config/app-config';
import { createApp } from '../../apps/api/src/create-app';
import { seedIdNumber, seedPersons } from '../../bench/support/ingest-persons';
import { signedJsonPost } from '../support/agency-requests';
import { startTestApp, type TestApp } from '../support/test-app';

process.env.AGENCY_SECRET_KEY ??= createHash('sha256').update('agency e2e key').digest('hex');

interface TestAgency {
  id: string;
  secret: string;
}

describe('collection-agency payment intake over HTTP', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let agency: TestAgency;
  let other: TestAgency;
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
    agency = await t.app.get(AgencyRegistry).create('Henan test bank', '410000,450000');
    other = await t.app.get(AgencyRegistry).create('Guangxi test app', '450000');
  });
  afterAll(async () => {
    await t.close();
  });

  const signedPost = (path: string, body: unknown, as: TestAgency = agency, at?: Date) => signedJsonPost(http, as, path, body, at);
  function signedGet(path: string, as: TestAgency = agency) {
    return http.get(path).set(agencySignatureHeaders(as.id, as.secret, ''));
  }
  const post = (payments: unknown[], as?: TestAgency) => signedPost('/v1/agency/payments', { payments }, as);

  let serial = 0;
  async function person(opts: { enroll?: { scheme: 'resident' | 'employee'; regionCode: string; enrolledOn: string } | null; categories?: string[] } = {}) {
    const n = serial++;
    const birthDate = `1980-02-${String(1 + (n % 28)).padStart(2, '0')}`;
    const idNumber = makeResidentId('410327', birthDate, 40 + Math.floor(n / 28));
    const name = `测试${n}`;
    const res = await http
      .post('/v1/persons')
      .set(clerk())
      .send({ idNumber, name, birthDate, categories: opts.categories ?? [] })
      .expect(201);
    const personId = res.body.personId as string;
    const enroll = opts.enroll === undefined ? { scheme: 'resident', regionCode: '410327', enrolledOn: '2024-01-01' } : opts.enroll;
    if (enroll) await http.post(`/v1/persons/${personId}/enrollments`).set(clerk()).send(enroll).expect(201);
    return { personId, idNumber, name, birthDate };
  }
  const resident = (p: { idNumber: string; name: string }, reference: string, extra: Record<string, unknown> = {}) => ({
    reference,
    idNumber: p.idNumber,
    name: p.name,
    scheme: 'resident',
    regionCode: '410327',
    coverageYear: 2026,
    amountFen: 40000,
    paidAt: '2025-10-15T09:30:00+08:00',
    ...extra,
  });
  async function ledgerEventCount(): Promise<number> {
    const [row] = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM ledger_events');
    return row.n as number;
  }

  describe('signatures', () => {
    const body = () => ({ payments: [resident({ idNumber: makeResidentId('410327', '1970-01-01', 1), name: '无名' }, 'SIG-1')] });

    it('refuses unsigned, unknown, wrongly signed, tampered and stale requests with 401 and writes nothing', async () => {
      const before = await ledgerEventCount();
      const raw = JSON.stringify(body());
      const good = agencySignatureHeaders(agency.id, agency.secret, raw);
      const cases: Array<[Record<string, string>, string, string]> = [
        [{ 'X-Agency-Id': agency.id }, raw, 'agency_signature_missing'],
        [{ ...good, 'X-Agency-Id': '6a1f1f4e-7a8b-4c0d-9e2f-000000000000' }, raw, 'agency_signature_invalid'],
        [{ ...good, 'X-Agency-Id': 'not-a-uuid' }, raw, 'agency_signature_invalid'],
        [agencySignatureHeaders(agency.id, 'as_wrong-secret', raw), raw, 'agency_signature_invalid'],
        [agencySignatureHeaders(agency.id, other.secret, raw), raw, 'agency_signature_invalid'],
        [good, raw.replace('40000', '40001'), 'agency_signature_invalid'],
        [agencySignatureHeaders(agency.id, agency.secret, raw, new Date(Date.now() - 6 * 60_000)), raw, 'agency_timestamp_skew'],
        [agencySignatureHeaders(agency.id, agency.secret, raw, new Date(Date.now() + 6 * 60_000)), raw, 'agency_timestamp_skew'],
        [{ ...good, 'X-Timestamp': 'yesterday' }, raw, 'agency_timestamp_invalid'],
      ];
      for (const [headers, sent, code] of cases) {
        const res = await http
          .post('/v1/agency/payments')
          .set({ ...headers, 'Content-Type': 'application/json' })
          .send(sent);
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code });
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect(await ledgerEventCount()).toBe(before);
    });

    it('refuses a batch with a row outside the agency regions with 403 and writes none of its rows', async () => {
      const p = await person();
      const before = await ledgerEventCount();
      const res = await post([resident(p, 'REG-1'), resident(p, 'REG-2', { regionCode: '150100', coverageYear: 2026 })], other).expect(403);
      expect(res.body).toMatchObject({
        code: 'region_not_allowed',
        rows: [
          { index: 0, reference: 'REG-1', regionCode: '410327' },
          { index: 1, regionCode: '150100' },
        ],
      });
      expect(await ledgerEventCount()).toBe(before);
    });

    it('keeps agency routes closed to clerks and clerk routes closed to agencies', async () => {
      await http.get('/v1/agency/reconciliation?date=2025-10-15').set(clerk()).expect(403);
      const res = await signedGet('/v1/clerk/held-payments').expect(403);
      expect(res.body.code).toBe('forbidden_for_role');
    });

    it('accepts the previous secret during the rotation overlap only', async () => {
      const registry = t.app.get(AgencyRegistry);
      const rotating = await registry.create('rotating agency', '410000');
      const rotated = await registry.rotate(rotating.id, 10);
      await signedGet('/v1/agency/reconciliation?date=2025-10-15', rotating).expect(200);
      await signedGet('/v1/agency/reconciliation?date=2025-10-15', { id: rotating.id, secret: rotated.secret }).expect(200);
      await registry.rotate(rotating.id, 0);
      await signedGet('/v1/agency/reconciliation?date=2025-10-15', { id: rotating.id, secret: rotated.secret }).expect(401);
    });
  });

  describe('row statuses', () => {
    it('answers accepted, duplicate, conflict, held and rejected row by row, in order, and never loses a good row', async () => {
      const paid = await person();
      const unknown = { idNumber: makeResidentId('410327', '1999-09-09', 7), name: '未登记' };
      const rows = [
        resident(paid, 'ROW-OK'),
        resident(unknown, 'ROW-HELD'),
        resident(paid, 'ROW-BAD-ID', { idNumber: paid.idNumber.slice(0, 17) + (paid.idNumber[17] === '0' ? '1' : '0') }),
        resident(paid, 'ROW-ZERO', { amountFen: 0 }),
        resident(paid, 'ROW-NEG', { amountFen: -100 }),
        resident(paid, 'ROW-REGION', { regionCode: '990000' }),
        resident(paid, 'ROW-YEAR', { coverageYear: 2031 }),
        resident(paid, 'ROW-DATE', { paidAt: '2025-10-15 09:30' }),
        resident(paid, 'ROW-FUTURE', { paidAt: '2099-01-01T00:00:00+08:00' }),
        { ...resident(paid, 'ROW-PERIOD'), coverageYear: undefined, coverageMonth: '2025-10' },
        resident(paid, ''),
      ];
      const first = await post(rows).expect(200);
      expect(first.body.results.map((r: { status: string; code?: string }) => r.code ?? r.status)).toEqual([
        'accepted',
        'held',
        'invalid_id_number',
        'invalid_amount',
        'invalid_amount',
        'unknown_region',
        'unknown_policy_year',
        'invalid_paid_at',
        'paid_at_in_future',
        'invalid_period',
        'invalid_reference',
      ]);
      expect(first.body.results[0]).toMatchObject({
        index: 0,
        reference: 'ROW-OK',
        personId: paid.personId,
        assessment: { dueFen: 40000, arrearsFen: 0, refundFen: 0, flags: [] },
      });
      expect(first.body.results[1]).toMatchObject({ reference: 'ROW-HELD', reason: 'person_not_found' });
      expect(first.body.summary).toEqual({ accepted: 1, held: 1, rejected: 9, duplicate: 0, conflict: 0 });

      const again = await post([resident(paid, 'ROW-OK'), resident(paid, 'ROW-OK', { amountFen: 39999 }), resident(unknown, 'ROW-HELD')]).expect(200);
      expect(again.body.results).toMatchObject([
        { status: 'duplicate', receiptId: first.body.results[0].receiptId, originalStatus: 'accepted' },
        { status: 'conflict', code: 'reference_conflict', receiptId: first.body.results[0].receiptId },
        { status: 'duplicate', receiptId: first.body.results[1].receiptId, originalStatus: 'held' },
      ]);
      const coverage = await http.get(`/v1/persons/${paid.personId}/timeline`).set(clerk()).expect(200);
      expect(coverage.body.events.filter((e: { type: string }) => e.type === 'ContributionRecorded')).toHaveLength(1);
    });

    it('records an underpayment with arrears and flags overpayment and a second payment for refund', async () => {
      const under = await person();
      const over = await person();
      const twice = await person();
      const res = await post([
        resident(under, 'AMT-UNDER', { amountFen: 30000 }),
        resident(over, 'AMT-OVER', { amountFen: 45000 }),
        resident(twice, 'AMT-TWICE-1'),
        resident(twice, 'AMT-TWICE-2', { paidAt: '2025-11-01T10:00:00+08:00' }),
      ]).expect(200);
      expect(res.body.results.map((r: { assessment: unknown }) => r.assessment)).toEqual([
        { dueFen: 40000, paidFen: 30000, arrearsFen: 10000, refundFen: 0, flags: ['underpaid'] },
        { dueFen: 40000, paidFen: 45000, arrearsFen: 0, refundFen: 5000, flags: ['overpaid'] },
        { dueFen: 40000, paidFen: 40000, arrearsFen: 0, refundFen: 0, flags: [] },
        { dueFen: 40000, paidFen: 80000, arrearsFen: 0, refundFen: 40000, flags: ['period_already_paid'] },
      ]);
      const refunds = await http.get('/v1/clerk/refunds-due').set(clerk()).expect(200);
      const mine = refunds.body.items.filter((i: { reference: string }) => i.reference?.startsWith('AMT-'));
      expect(mine.map((i: { reference: string; refundFen: number; reason: string }) => [i.reference, i.refundFen, i.reason]).sort()).toEqual([
        ['AMT-OVER', 5000, 'overpaid'],
        ['AMT-TWICE-2', 40000, 'period_already_paid'],
      ]);
      expect(mine[0]).toMatchObject({ scheme: 'resident', period: '2026', regionCode: '410327', dueFen: 40000 });
    });

    it('charges a person in a fully subsidised category nothing and flags what was collected from them', async () => {
      const hardship = await person({ categories: ['extreme_hardship'] });
      const res = await post([resident(hardship, 'AMT-HARDSHIP')]).expect(200);
      expect(res.body.results[0].assessment).toMatchObject({ dueFen: 0, refundFen: 40000, flags: ['overpaid'] });
    });
  });

  describe('held payments', () => {
    it('holds a payment for an unknown person and applies it when the person registers and enrolls', async () => {
      const n = serial++;
      const birthDate = `1981-03-${String(1 + (n % 28)).padStart(2, '0')}`;
      const future = { idNumber: makeResidentId('410327', birthDate, 60 + (n % 30)), name: '后来者' };
      const res = await post([resident(future, 'HOLD-1')]).expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'held', reason: 'person_not_found' });
      const held = await http.get('/v1/clerk/held-payments?limit=500').set(clerk()).expect(200);
      expect(held.body.items).toContainEqual(
        expect.objectContaining({ reference: 'HOLD-1', idNumber: future.idNumber, amountFen: 40000, reason: 'person_not_found', agencyId: agency.id }),
      );

      const reg = await http
        .post('/v1/persons')
        .set(clerk())
        .send({ ...future, birthDate })
        .expect(201);
      const personId = reg.body.personId as string;
      await waitFor(async () => (await heldReason('HOLD-1')) === 'not_enrolled');
      await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2025-01-01' })
        .expect(201);
      await waitFor(async () => (await receiptStatus('HOLD-1')) === 'accepted');
      const timeline = await http.get(`/v1/persons/${personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.filter((e: { type: string }) => e.type === 'ContributionRecorded')).toHaveLength(1);
      const again = await post([resident(future, 'HOLD-1')]).expect(200);
      expect(again.body.results[0]).toMatchObject({ status: 'duplicate', originalStatus: 'accepted' });
    });

    it('releases held payments whose persons register in a burst of registrations, looked at batch by batch', async () => {
      const namespace = 7;
      const burst = 60;
      const due = [5, 31, 58].map((i) => ({ idNumber: seedIdNumber(namespace, i), name: `参保人${namespace}-${i}` }));
      const res = await post(due.map((p, i) => resident(p, `HOLD-BURST-${i}`))).expect(200);
      expect(res.body.results.map((r: { status: string }) => r.status)).toEqual(['held', 'held', 'held']);
      await seedPersons(t.app.get<EventStore>(EVENT_STORE), burst, { namespace, scheme: 'resident', regionCode: '410327', enrolledOn: '2024-01-01' });
      for (const i of [0, 1, 2]) await waitFor(async () => (await receiptStatus(`HOLD-BURST-${i}`)) === 'accepted');
    });

    it('are released by the service that runs the projections, not by one started without them (it would wait on receipts that never move)', async () => {
      expect(t.app.get(HeldPaymentReleaser).running).toBe(true);
      const readOnly = await createApp({
        config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: t.db.url }),
        databaseUrl: t.db.url,
        startProjections: false,
      });
      await readOnly.init();
      try {
        expect(readOnly.get(HeldPaymentReleaser).running).toBe(false);
      } finally {
        await readOnly.close();
      }
    });

    it('holds a payment whose name does not match the registered person', async () => {
      const p = await person();
      const res = await post([resident({ ...p, name: '别人' }, 'HOLD-NAME')]).expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'held', reason: 'name_mismatch' });
    });
  });

  describe('receipt keys', () => {
    it("writes a payment straight to the person's ledger as one event that takes the receipt's key, and answers reposts from it", async () => {
      const p = await person();
      const someoneElse = await person();
      const before = await ledgerEventCount();
      const first = await post([resident(p, 'KEY-DIRECT')]).expect(200);
      expect(first.body.results[0]).toMatchObject({ status: 'accepted', personId: p.personId });
      // No claim: the contribution is the only event, and it holds the key.
      expect(await ledgerEventCount()).toBe(before + 1);
      const store = t.app.get<EventStore>(EVENT_STORE);
      expect(await store.readStream(receiptStream(agency.id, 'KEY-DIRECT'))).toEqual([]);
      const holder = await store.reservation(receiptKey(agency.id, 'KEY-DIRECT'));
      expect(holder?.streamName).toBe(`person-${p.personId}`);
      const [contribution] = await store.readStream(holder!.streamName, { fromRevision: holder!.revision, maxCount: 1 });
      expect(contribution).toMatchObject({
        type: 'ContributionRecorded',
        data: { contributionId: first.body.results[0].receiptId, agencyReference: 'KEY-DIRECT', payerIdNumber: p.idNumber, payerName: p.name },
      });

      const again = await post([
        resident(p, 'KEY-DIRECT'),
        resident(p, 'KEY-DIRECT', { paidAt: '2025-10-16T09:30:00+08:00' }),
        resident(someoneElse, 'KEY-DIRECT'),
      ]).expect(200);
      expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'conflict', 'conflict']);
      expect(again.body.results[0]).toMatchObject({ receiptId: first.body.results[0].receiptId, originalStatus: 'accepted' });
      expect(await ledgerEventCount()).toBe(before + 1);

      // The receipt is in reconciliation's view with the payer as posted; auditors see the payer's ID number masked.
      const [row] = await t.app
        .get(DataSource)
        .query(`SELECT "idNumber", name, status, "personId" FROM agency_receipt_view WHERE "receiptId" = $1`, [first.body.results[0].receiptId]);
      expect(row).toEqual({ idNumber: p.idNumber, name: p.name, status: 'accepted', personId: p.personId });
      const timeline = await http
        .get(`/v1/persons/${p.personId}/timeline`)
        .set({ Authorization: `Bearer ${t.auditorToken}` })
        .expect(200);
      expect(JSON.stringify(timeline.body)).not.toContain(p.idNumber);
      expect(JSON.stringify(timeline.body)).toContain(`${p.idNumber.slice(0, 4)}**********${p.idNumber.slice(-4)}`);
    });

    it('answers a repost of a payment claimed before claims took keys as its duplicate, and applies it once', async () => {
      const p = await person();
      const payment = resident(p, 'KEY-LEGACY');
      const store = t.app.get<EventStore>(EVENT_STORE);
      const receiptId = receiptIdFor(agency.id, 'KEY-LEGACY');
      // A claim as an earlier build wrote it: the receipt stream's first event, no key taken, not applied yet.
      await store.appendToStream(
        receiptStream(agency.id, 'KEY-LEGACY'),
        [
          {
            eventId: newEventId(),
            type: AgencyEvents.paymentReceived,
            data: { receiptId, agencyId: agency.id, reference: 'KEY-LEGACY', payment, receivedAt: new Date().toISOString() },
            metadata: { correlationId: 'legacy', causationId: 'legacy', actor: 'test:legacy' },
          },
        ],
        { expectedRevision: 'no_stream' },
      );
      expect(await store.reservation(receiptKey(agency.id, 'KEY-LEGACY'))).toBeNull();
      const res = await post([payment, resident(p, 'KEY-LEGACY', { amountFen: 1 })]).expect(200);
      expect(res.body.results).toMatchObject([
        { status: 'duplicate', receiptId, originalStatus: 'accepted' },
        { status: 'conflict', receiptId },
      ]);
      const timeline = await http.get(`/v1/persons/${p.personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.filter((e: { type: string }) => e.type === 'ContributionRecorded')).toHaveLength(1);
    });
  });

  describe('reversals', () => {
    it('holds a reversal that arrives before its payment and applies it when the payment comes', async () => {
      const p = await person();
      const early = await signedPost('/v1/agency/payments/REV-EARLY/reversal', { reason: 'customer refunded at the branch' }).expect(202);
      expect(early.body).toMatchObject({ status: 'held', reference: 'REV-EARLY' });
      const res = await post([resident(p, 'REV-EARLY')]).expect(200);
      expect(res.body.results[0]).toMatchObject({ status: 'accepted', reversed: true });
      const coverage = await http.get(`/v1/persons/${p.personId}/coverage?asOf=2026-03-01`).set(clerk()).expect(200);
      expect(coverage.body.status).not.toBe('covered');
      await waitFor(async () => (await receiptStatus('REV-EARLY')) === 'reversed');
    });

    it('applies a reversal requested while its batch was being decided, and still writes the rest of the batch', async () => {
      const [p, q] = [await person(), await person()];
      const store = t.app.get<EventStore>(EVENT_STORE);
      const appendToStreams = store.appendToStreams.bind(store);
      // The reversal lands after the intake read the persons and before it writes claims and contributions together.
      const spy = jest.spyOn(store, 'appendToStreams').mockImplementationOnce(async (writes) => {
        const early = await signedPost('/v1/agency/payments/REV-RACE/reversal', { reason: 'cancelled at the counter' }).expect(202);
        expect(early.body.status).toBe('held');
        return appendToStreams(writes);
      });
      try {
        const res = await post([resident(p, 'REV-RACE'), resident(q, 'REV-RACE-OTHER')]).expect(200);
        expect(res.body.results).toMatchObject([
          { reference: 'REV-RACE', status: 'accepted', reversed: true },
          { reference: 'REV-RACE-OTHER', status: 'accepted', reversed: false },
        ]);
      } finally {
        spy.mockRestore();
      }
      const timeline = await http.get(`/v1/persons/${p.personId}/timeline`).set(clerk()).expect(200);
      const types = timeline.body.events.map((e: { type: string }) => e.type);
      expect(types.filter((type: string) => type === 'ContributionRecorded')).toHaveLength(1);
      expect(types.filter((type: string) => type === 'ContributionReversed')).toHaveLength(1);
      expect((await http.get(`/v1/persons/${q.personId}/coverage?asOf=2026-03-01`).set(clerk())).body.status).toBe('covered');
      await waitFor(async () => (await receiptStatus('REV-RACE')) === 'reversed');
    });

    it("reverses an agency's own applied payment once, and no other agency's", async () => {
      const p = await person();
      await post([resident(p, 'REV-OWN')]).expect(200);
      const covered = await http.get(`/v1/persons/${p.personId}/coverage?asOf=2026-03-01`).set(clerk()).expect(200);
      expect(covered.body.status).toBe('covered');
      const foreign = await signedPost('/v1/agency/payments/REV-OWN/reversal', { reason: 'not ours' }, other).expect(202);
      expect(foreign.body.status).toBe('held');
      expect((await http.get(`/v1/persons/${p.personId}/coverage?asOf=2026-03-01`).set(clerk())).body.status).toBe('covered');
      const own = await signedPost('/v1/agency/payments/REV-OWN/reversal', { reason: 'collected twice' }).expect(200);
      expect(own.body.status).toBe('reversed');
      await signedPost('/v1/agency/payments/REV-OWN/reversal', { reason: 'collected twice' }).expect(200);
      const timeline = await http.get(`/v1/persons/${p.personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.filter((e: { type: string }) => e.type === 'ContributionReversed')).toHaveLength(1);
      expect((await http.get(`/v1/persons/${p.personId}/coverage?asOf=2026-03-01`).set(clerk())).body.status).not.toBe('covered');
    });
  });

  describe('CSV upload', () => {
    function multipart(csv: string) {
      const boundary = '----ledger-test-boundary';
      const raw = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="payments.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        Buffer.from(csv),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return { raw, type: `multipart/form-data; boundary=${boundary}` };
    }

    it('takes the same rows as a signed multipart CSV, with a BOM, and answers the same row results', async () => {
      const p = await person();
      const csv =
        '\uFEFFreference,idNumber,name,scheme,regionCode,coverageYear,coverageMonth,amountFen,paidAt\n' +
        `CSV-1,${p.idNumber},${p.name},resident,410327,2026,,40000,2025-10-15T09:30:00+08:00\n` +
        `CSV-2,${p.idNumber},${p.name},resident,410327,2026,,abc,2025-10-15T09:30:00+08:00\n`;
      const { raw, type } = multipart(csv);
      const res = await http
        .post('/v1/agency/payments')
        .set({ ...agencySignatureHeaders(agency.id, agency.secret, raw), 'Content-Type': type })
        .send(raw)
        .expect(200);
      expect(res.body.results).toMatchObject([
        { index: 0, reference: 'CSV-1', status: 'accepted' },
        { index: 1, reference: 'CSV-2', status: 'rejected', code: 'invalid_amount' },
      ]);
      const json = await post([resident(p, 'CSV-1')]).expect(200);
      expect(json.body.results[0]).toMatchObject({ status: 'duplicate', receiptId: res.body.results[0].receiptId });
    });

    it('refuses an upload whose signature covers other bytes', async () => {
      const { raw, type } = multipart('reference,idNumber\n');
      const res = await http
        .post('/v1/agency/payments')
        .set({ ...agencySignatureHeaders(agency.id, agency.secret, 'something else'), 'Content-Type': type })
        .send(raw)
        .expect(401);
      expect(res.body.code).toBe('agency_signature_invalid');
    });
  });

  describe('reconciliation', () => {
    it('adds up to the fen per status, lists every receipt and gives a digest of the canonical CSV', async () => {
      const recon = await t.app.get(AgencyRegistry).create('reconciling bank', '410000');
      const a = await person();
      const b = await person();
      const paidAt = (h: number) => `2025-10-20T${String(h).padStart(2, '0')}:15:00+08:00`;
      await post(
        [
          resident(a, 'R-3', { amountFen: 38001, paidAt: paidAt(9) }),
          resident(b, 'R-1', { amountFen: 40000, paidAt: paidAt(10) }),
          resident({ idNumber: makeResidentId('410327', '1960-06-06', 3), name: '未知' }, 'R-2', { amountFen: 12345, paidAt: paidAt(11) }),
          resident(b, 'R-4,"quoted"', { amountFen: 100, paidAt: '2025-10-19T23:59:59+08:00' }),
          resident(b, 'R-5', { amountFen: 777, paidAt: '2025-10-19T16:30:00Z' }),
        ],
        recon,
      ).expect(200);
      await signedPost('/v1/agency/payments/R-1/reversal', { reason: 'bounced' }, recon).expect(200);

      const day = await signedGet('/v1/agency/reconciliation?date=2025-10-20', recon).expect(200);
      expect(day.body.totals).toEqual({
        pending: { count: 0, amountFen: 0 },
        held: { count: 1, amountFen: 12345 },
        accepted: { count: 2, amountFen: 38001 + 777 },
        reversed: { count: 1, amountFen: 40000 },
        all: { count: 4, amountFen: 38001 + 777 + 40000 + 12345 },
      });
      expect(day.body.receipts.map((r: { reference: string }) => r.reference)).toEqual(['R-1', 'R-2', 'R-3', 'R-5']);
      const sum = day.body.receipts.reduce((s: number, r: { amountFen: number }) => s + r.amountFen, 0);
      expect(sum).toBe(day.body.totals.all.amountFen);

      const csv = await http
        .get('/v1/agency/reconciliation?date=2025-10-20')
        .set({ ...agencySignatureHeaders(recon.id, recon.secret, ''), Accept: 'text/csv' })
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      const [header, ...lines] = csv.text.split('\n');
      expect(header).toBe('reference,receiptId,status,amountFen,paidAt');
      const canonical = `${lines.filter(Boolean).join('\n')}\n`;
      expect(createHash('sha256').update(canonical).digest('hex')).toBe(day.body.digest.value);
      expect(csv.headers['reconciliation-digest']).toBe(`sha256=${day.body.digest.value}`);

      const before = await signedGet('/v1/agency/reconciliation?date=2025-10-19&format=csv', recon).expect(200);
      expect(before.text).toContain('"R-4,""quoted""",');
      await signedGet('/v1/agency/reconciliation?date=2025-02-30', recon).expect(400);
    });
  });

  it("leaves, after every posting above, a store whose chain and payment keys the auditor's verify finds in agreement", async () => {
    const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ledger_reservations WHERE key LIKE 'receipt:%'`);
    expect(n).toBeGreaterThan(20);
    const res = await http
      .get('/v1/audit/verify')
      .set({ Authorization: `Bearer ${t.auditorToken}` })
      .expect(200);
    expect(res.body).toMatchObject({ ok: true, reservations: { checked: n, unrecorded: 0 } });
    expect(res.body.reservations.mismatch).toBeUndefined();
    expect(res.body.summary).toBe(`verified ${res.body.verified} events, head hash ${res.body.headHash}; ${n} payment keys agree with the events`);

    // Someone with database rights deletes a payment's key behind the service's back: a repost would be recorded twice.
    const sql = t.app.get(DataSource).createQueryRunner();
    await sql.connect();
    try {
      await sql.query("SET session_replication_role = 'replica'");
      // TypeORM answers a DELETE … RETURNING with [rows, count].
      const [[gone]] = await sql.query(
        `DELETE FROM ledger_reservations WHERE key = (SELECT max(key) FROM ledger_reservations WHERE key LIKE 'receipt:%') RETURNING *`,
      );
      const broken = await http
        .get('/v1/audit/verify')
        .set({ Authorization: `Bearer ${t.auditorToken}` })
        .expect(200);
      expect(broken.body).toMatchObject({ ok: false, reservations: { checked: n - 1, mismatch: { key: gone.key, streamName: gone.stream_name } } });
      expect(broken.body.firstBreak).toBeUndefined();
      expect(broken.body.summary).toContain(`payment keys do not agree with the events: ${gone.stream_name}@${gone.revision}`);
      await sql.query('INSERT INTO ledger_reservations VALUES ($1, $2, $3, $4)', [gone.key, gone.stream_name, gone.revision, gone.position]);
    } finally {
      await sql.query('RESET session_replication_role');
      await sql.release();
    }
    expect(
      (
        await http
          .get('/v1/audit/verify')
          .set({ Authorization: `Bearer ${t.auditorToken}` })
          .expect(200)
      ).body.ok,
    ).toBe(true);
  });

  // Last: it stops this service's releaser for good.
  it('sweeps, in a service started later, a payment whose person registered and enrolled while no releaser ran', async () => {
    await t.app.get(HeldPaymentReleaser).onModuleDestroy();
    const namespace = 8;
    const due = { idNumber: seedIdNumber(namespace, 3), name: `参保人${namespace}-3` };
    const res = await post([resident(due, 'HOLD-WHILE-DOWN')]).expect(200);
    expect(res.body.results[0]).toMatchObject({ status: 'held', reason: 'person_not_found' });
    const store = t.app.get<EventStore>(EVENT_STORE);
    await seedPersons(store, 5, { namespace, scheme: 'resident', regionCode: '410327', enrolledOn: '2024-01-01' });
    await t.app.get(ProjectionManager).waitFor(await store.headPosition(), 60_000);
    expect(await receiptStatus('HOLD-WHILE-DOWN')).toBe('held');

    const later = await createApp({ config: loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: t.db.url }), databaseUrl: t.db.url });
    await later.init();
    try {
      expect(later.get(HeldPaymentReleaser).running).toBe(true);
      await waitFor(async () => (await receiptStatus('HOLD-WHILE-DOWN')) === 'accepted', 60_000);
    } finally {
      await later.close();
    }
    const again = await post([resident(due, 'HOLD-WHILE-DOWN')]).expect(200);
    expect(again.body.results[0]).toMatchObject({ status: 'duplicate', originalStatus: 'accepted' });
  });

  async function receiptRow(reference: string): Promise<{ status: string; heldReason: string | null } | undefined> {
    const ds = t.app.get(DataSource);
    const [row] = await ds.query('SELECT status, "heldReason" FROM agency_receipt_view WHERE reference = $1 AND "agencyId" = $2', [reference, agency.id]);
    return row;
  }
  const receiptStatus = async (reference: string) => (await receiptRow(reference))?.status;
  const heldReason = async (reference: string) => (await receiptRow(reference))?.heldReason;
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
