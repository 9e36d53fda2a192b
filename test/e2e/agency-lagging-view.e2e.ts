import { createHash } from 'node:crypto';
import { makeResidentId, personStreamId } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionManager } from '@ledger/read-models';
import request from 'supertest';
import { AgencyRegistry } from '../../apps/api/src/agency/agency-registry';
import { PersonStates } from '../../apps/api/src/persons/person-states';
import { signedJsonPost } from '../support/agency-requests';
import { startTestApp, type TestApp } from '../support/test-app';

process.env.AGENCY_SECRET_KEY ??= createHash('sha256').update('agency e2e key').digest('hex');

/**
 * The intake decides a batch on person_view's snapshots without reading the streams after them, and relies on the
 * expected revision to catch a snapshot that lags. Here the read models are stopped, so the snapshot of a person
 * paid a moment ago lags for certain: the next payment must still be accepted, once, on the person's real state.
 */
describe('agency intake while the read models lag behind the store', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    // Answers wait a little for the read models, which are stopped for part of the test.
    t = await startTestApp({ READ_YOUR_WRITES_TIMEOUT_MS: '300' });
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => {
    await t.close();
  });

  it("accepts a payment decided on a lagging snapshot by retrying it on the person's stream", async () => {
    const agency = await t.app.get(AgencyRegistry).create('Lagging view bank', '410000');
    const birthDate = '1981-03-04';
    const idNumber = makeResidentId('410327', birthDate, 61);
    const name = '滞后';
    const clerk = { Authorization: `Bearer ${t.clerkToken}` };
    const registered = await http.post('/v1/persons').set(clerk).send({ idNumber, name, birthDate, categories: [] }).expect(201);
    const personId = registered.body.personId as string;
    await http.post(`/v1/persons/${personId}/enrollments`).set(clerk).send({ scheme: 'employee', regionCode: '410327', enrolledOn: '2025-01-01' }).expect(201);
    const projections = t.app.get(ProjectionManager);
    const store = t.app.get<EventStore>(EVENT_STORE);
    await projections.waitFor(await store.headPosition(), 10_000);
    await projections.stop();

    const row = (month: string) => ({
      reference: `LAG-${month}`,
      idNumber,
      name,
      scheme: 'employee',
      regionCode: '410327',
      coverageMonth: month,
      amountFen: 50_000,
      paidAt: `${month}-15T10:00:00+08:00`,
    });
    const post = (payments: unknown[]) => signedJsonPost(http, agency, '/v1/agency/payments', { payments });
    const loads = jest.spyOn(t.app.get(PersonStates), 'load');
    try {
      expect((await post([row('2025-01')]).expect(200)).body.results[0].status).toBe('accepted');
      loads.mockClear();
      // person_view still holds the person as enrolled, before the January payment.
      const second = await post([row('2025-02')]).expect(200);
      expect(second.body.results[0].status).toBe('accepted');
      // Decided first on the snapshot alone, refused by the expected revision, decided again on the stream.
      expect(loads.mock.calls.map((call) => call[2]?.trustSnapshots ?? false)).toEqual([true, false]);
    } finally {
      loads.mockRestore();
      await projections.start();
    }

    const recorded = (await store.readStream(personStreamId(personId))).filter((e) => e.type === 'ContributionRecorded');
    expect(recorded).toHaveLength(2);
    expect(recorded.map((e) => e.metadata.reservedKeys)).toEqual([[`receipt:${agency.id}:LAG-2025-01`], [`receipt:${agency.id}:LAG-2025-02`]]);
    // A repost of either, now that the view has caught up, is a duplicate.
    await projections.waitFor(await store.headPosition(), 10_000);
    const again = await post([row('2025-01'), row('2025-02')]).expect(200);
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(['duplicate', 'duplicate']);
  });
});
