import { makeResidentId } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('auditors over HTTP: verify, time travel, export, correlation', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });
  const auditor = () => ({ Authorization: `Bearer ${t.auditorToken}` });
  let personId: string;
  let idNumber: string;
  let positionAfterPayment: number;
  let timeAfterPayment: string;

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
    idNumber = makeResidentId('410327', '1979-09-09', 41);
    const registered = await http
      .post('/v1/persons')
      .set(clerk())
      .set('X-Correlation-Id', 'counter-visit-41')
      .send({ idNumber, name: '赵敏', birthDate: '1979-09-09' })
      .expect(201);
    personId = registered.body.personId;
    await http
      .post(`/v1/persons/${personId}/enrollments`)
      .set(clerk())
      .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-01' })
      .expect(201);
    const paid = await http
      .post('/v1/contributions')
      .set(clerk())
      .send({
        personId,
        scheme: 'resident',
        regionCode: '410327',
        coverageYear: 2024,
        amountFen: 38000,
        payer: 'individual',
        paidAt: '2023-10-01T10:00:00+08:00',
      })
      .expect(201);
    positionAfterPayment = paid.body.position;
    await new Promise((r) => setTimeout(r, 20));
    timeAfterPayment = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await http
      .post(`/v1/persons/${personId}/contributions/${paid.body.contributionId}/reversal`)
      .set(clerk())
      .send({ reason: 'bank returned the payment' })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('verifies the whole store and reports the head hash; clerks may not', async () => {
    const res = await http.get('/v1/audit/verify').set(auditor()).expect(200);
    expect(res.body).toMatchObject({ ok: true, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.verified).toBeGreaterThanOrEqual(5);
    expect(res.body.summary).toBe(
      `verified ${res.body.verified} events, head hash ${res.body.headHash}; ${res.body.reservations.checked} payment keys agree with the events`,
    );
    const anchored = await http.get(`/v1/audit/verify?anchor=${res.body.headPosition}:${res.body.headHash}`).set(auditor()).expect(200);
    expect(anchored.body.ok).toBe(true);
    const wrong = await http
      .get(`/v1/audit/verify?anchor=${res.body.headPosition}:${'f'.repeat(64)}`)
      .set(auditor())
      .expect(200);
    expect(wrong.body).toMatchObject({ ok: false, firstBreak: { kind: 'changed', position: res.body.headPosition } });
    await http.get('/v1/audit/verify').set(clerk()).expect(403);
  });

  it('answers what the ledger knew at a position, beside what it says now, with the event that changed it', async () => {
    const res = await http.get(`/v1/audit/persons/${personId}/coverage?asOf=2024-05-01&knownAt=${positionAfterPayment}`).set(auditor()).expect(200);
    expect(res.body.then).toMatchObject({ status: 'covered', coveredFrom: '2024-01-01', coveredTo: '2024-12-31' });
    expect(res.body.now).toMatchObject({ status: 'not_covered' });
    expect(res.body.changed).toBe(true);
    expect(res.body.changedBy).toEqual([expect.objectContaining({ type: 'ContributionReversed', answerAfter: 'not_covered' })]);
  });

  it('answers the same by time, and knownAt = now equals the live answer', async () => {
    const byTime = await http
      .get(`/v1/audit/persons/${personId}/coverage?asOf=2024-05-01&knownAt=${encodeURIComponent(timeAfterPayment)}`)
      .set(auditor())
      .expect(200);
    expect(byTime.body.then.status).toBe('covered');
    const now = new Date(Date.now() + 1000).toISOString();
    const atNow = await http
      .get(`/v1/audit/persons/${personId}/coverage?asOf=2024-05-01&knownAt=${encodeURIComponent(now)}`)
      .set(auditor())
      .expect(200);
    const live = await http.get(`/v1/persons/${personId}/coverage?asOf=2024-05-01`).set(auditor()).expect(200);
    expect(atNow.body.then).toEqual(live.body);
    expect(atNow.body.changedBy).toEqual([]);
    const before = await http.get(`/v1/audit/persons/${personId}/coverage?asOf=2024-05-01&knownAt=2000-01-01T00:00:00Z`).set(auditor()).expect(200);
    expect(before.body.then).toMatchObject({ status: 'not_covered', continuity: { status: 'none' } });
    const bad = await http.get(`/v1/audit/persons/${personId}/coverage?knownAt=yesterday`).set(auditor()).expect(400);
    expect(bad.body.code).toBe('invalid_known_at');
  });

  it("exports a person's history as NDJSON with ID numbers masked", async () => {
    const res = await http.get(`/v1/audit/persons/${personId}/events`).set(auditor()).expect(200);
    expect(res.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['PersonRegistered', 'EnrolledInScheme', 'ContributionRecorded', 'ContributionReversed']);
    expect(res.text).not.toContain(idNumber);
    expect(lines[0].data.idNumber).toBe(`${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
  });

  it('reveals ID numbers only with a stated reason, and records the disclosure', async () => {
    const refused = await http.get(`/v1/audit/persons/${personId}/events?reveal=true`).set(auditor()).expect(400);
    expect(refused.body.code).toBe('reason_required');
    const res = await http
      .get(`/v1/audit/persons/${personId}/events?reveal=true&reason=${encodeURIComponent('court order 2026-117')}&format=csv`)
      .set(auditor())
      .set('X-Correlation-Id', 'disclosure-1')
      .expect(200);
    const rows = parse(res.text, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({ type: 'PersonRegistered', streamName: `person-${personId}` });
    expect(JSON.parse(rows[0].data).idNumber).toBe(idNumber);
    const store = t.app.get<EventStore>(EVENT_STORE);
    const disclosures = await store.readStream('audit-disclosures');
    expect(disclosures.at(-1)).toMatchObject({
      type: 'IdNumbersDisclosed',
      data: { reason: 'court order 2026-117', scope: { stream: `person-${personId}` } },
      metadata: { correlationId: 'disclosure-1', actorName: 'test auditor' },
    });
  });

  it('exports events by time range and type across persons', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const res = await http
      .get(`/v1/audit/events?from=2000-01-01&to=${today}T23:59:59Z&type=ContributionRecorded,ContributionReversed`)
      .set(auditor())
      .expect(200);
    const types = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).type);
    expect(types).toEqual(['ContributionRecorded', 'ContributionReversed']);
    const none = await http.get('/v1/audit/events?from=2000-01-01&to=2000-12-31').set(auditor()).expect(200);
    expect(none.text).toBe('');
  });

  it('follows a correlation id from the request to every event it caused', async () => {
    const res = await http.get('/v1/audit/correlations/counter-visit-41').set(auditor()).expect(200);
    expect(res.body.events.map((e: { type: string }) => e.type)).toEqual(['IdNumberClaimed', 'PersonRegistered']);
    expect(res.body.events[1]).toMatchObject({ streamName: `person-${personId}`, actor: expect.stringContaining('staff:clerk:') });
  });

  it('lets auditors read but not write', async () => {
    await http
      .post('/v1/persons')
      .set(auditor())
      .send({ idNumber: makeResidentId('410327', '1979-09-09', 42), name: 'x', birthDate: '1979-09-09' })
      .expect(403);
    await http.post('/v1/lapses/run').set(auditor()).send({ periodEnd: '2024-12-31' }).expect(403);
  });
});
