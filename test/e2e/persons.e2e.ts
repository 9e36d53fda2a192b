import { makeResidentId } from '@ledger/domain';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/test-app';

describe('persons, enrollments, contributions and coverage over HTTP', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });
  const auditor = () => ({ Authorization: `Bearer ${t.auditorToken}` });

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
  });
  afterAll(async () => {
    await t.close();
  });

  async function registered(idNumber: string, birthDate: string, name = '张伟') {
    const res = await http.post('/v1/persons').set(clerk()).send({ idNumber, name, birthDate }).expect(201);
    return res.body.personId as string;
  }

  describe('registration', () => {
    it('registers a person once per ID number and answers the existing personId on a second try', async () => {
      const idNumber = makeResidentId('410327', '1990-01-01', 11);
      const personId = await registered(idNumber, '1990-01-01');
      expect(personId).toMatch(/^[0-9a-f-]{36}$/);
      const again = await http.post('/v1/persons').set(clerk()).send({ idNumber, name: '张伟', birthDate: '1990-01-01' }).expect(409);
      expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(again.body).toMatchObject({ code: 'person_already_registered', personId });
    });

    it('lets only one of two concurrent registrations of one ID number win, every time', async () => {
      for (let round = 0; round < 8; round++) {
        const idNumber = makeResidentId('450102', '1985-06-15', 40 + round, 'female');
        const body = { idNumber, name: '李娜', birthDate: '1985-06-15' };
        const [a, b] = await Promise.all([http.post('/v1/persons').set(clerk()).send(body), http.post('/v1/persons').set(clerk()).send(body)]);
        expect([a.status, b.status].sort()).toEqual([201, 409]);
        const winner = a.status === 201 ? a : b;
        const loser = a.status === 201 ? b : a;
        expect(loser.body).toMatchObject({ code: 'person_already_registered', personId: winner.body.personId });
      }
    });

    it.each([
      [{ idNumber: '410327199001011230', name: 'x', birthDate: '1990-01-01' }, 422, 'invalid_id_number'],
      [{ idNumber: makeResidentId('410327', '1990-01-01', 13), name: 'x', birthDate: '1990-01-02' }, 422, 'birth_date_mismatch'],
      [{ idNumber: makeResidentId('410327', '1990-01-01', 14), name: '', birthDate: '1990-01-01' }, 400, 'validation_failed'],
      [{ idNumber: makeResidentId('410327', '1990-01-01', 15), name: 'x', birthDate: '1990-1-1' }, 400, 'validation_failed'],
      [{ idNumber: makeResidentId('410327', '1990-01-01', 16), name: 'x', birthDate: '1990-01-01', categories: ['rich'] }, 400, 'validation_failed'],
    ])('refuses %j with %i %s', async (body, status, code) => {
      const res = await http.post('/v1/persons').set(clerk()).send(body).expect(status);
      expect(res.body).toMatchObject({ status, code });
    });

    it('refuses malformed JSON with a problem, not a stack trace', async () => {
      const res = await http.post('/v1/persons').set(clerk()).set('Content-Type', 'application/json').send('{"idNumber": ').expect(400);
      expect(res.body.code).toBe('malformed_json');
    });
  });

  describe('roles', () => {
    it('requires a token, and refuses writes to auditors', async () => {
      await http.get('/v1/persons?name=张').expect(401);
      const bad = await http.get('/v1/persons?name=张').set({ Authorization: 'Bearer lt_nope' }).expect(401);
      expect(bad.body.code).toBe('invalid_token');
      const res = await http
        .post('/v1/persons')
        .set(auditor())
        .send({ idNumber: makeResidentId('410327', '1990-01-01', 17), name: 'x', birthDate: '1990-01-01' })
        .expect(403);
      expect(res.body.code).toBe('forbidden_for_role');
    });

    it('shows the whole ID number to clerks and a masked one to auditors', async () => {
      const idNumber = makeResidentId('150102', '1970-03-03', 18);
      const personId = await registered(idNumber, '1970-03-03', '王芳');
      const asClerk = await http.get(`/v1/persons?idNumber=${idNumber}`).set(clerk()).expect(200);
      expect(asClerk.body.persons).toEqual([expect.objectContaining({ personId, idNumber, name: '王芳' })]);
      const asAuditor = await http.get(`/v1/persons?idNumber=${idNumber}`).set(auditor()).expect(200);
      expect(asAuditor.body.persons[0].idNumber).toBe(`${idNumber.slice(0, 4)}**********${idNumber.slice(-4)}`);
      const timeline = await http.get(`/v1/persons/${personId}/timeline`).set(auditor()).expect(200);
      expect(JSON.stringify(timeline.body)).not.toContain(idNumber);
    });
  });

  describe('coverage', () => {
    it('covers a Henan resident who paid in the centralized period for the whole next year, with no waiting period (source 004)', async () => {
      const personId = await registered(makeResidentId('410327', '1980-05-05', 21), '1980-05-05');
      const enrolled = await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-10' })
        .expect(201);
      expect(enrolled.body.enrollmentId).toMatch(/^[0-9a-f-]{36}$/);
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
          paidAt: '2023-10-15T09:30:00+08:00',
        })
        .expect(201);
      const coverage = await http.get(`/v1/persons/${personId}/coverage?asOf=2024-03-01`).set(clerk()).expect(200);
      expect(Object.keys(coverage.body).sort()).toEqual(
        [
          'personId',
          'asOf',
          'status',
          'scheme',
          'regionCode',
          'coveredFrom',
          'coveredTo',
          'waitingPeriod',
          'waitingExemption',
          'continuity',
          'arrearsFen',
        ].sort(),
      );
      expect(coverage.body).toMatchObject({
        personId,
        asOf: '2024-03-01',
        status: 'covered',
        scheme: 'resident',
        regionCode: '410327',
        coveredFrom: '2024-01-01',
        coveredTo: '2024-12-31',
        waitingPeriod: null,
        waitingExemption: 'centralized_period',
        arrearsFen: 0,
      });
      const before = await http.get(`/v1/persons/${personId}/coverage?asOf=2023-12-31`).set(clerk()).expect(200);
      expect(before.body.status).toBe('not_covered');

      await http
        .post(`/v1/persons/${personId}/contributions/${paid.body.contributionId}/reversal`)
        .set(clerk())
        .send({ reason: 'paid by mistake' })
        .expect(201);
      const reversed = await http.get(`/v1/persons/${personId}/coverage?asOf=2024-03-01`).set(clerk()).expect(200);
      expect(reversed.body.status).toBe('not_covered');

      const timeline = await http.get(`/v1/persons/${personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.map((e: { type: string }) => e.type)).toEqual([
        'PersonRegistered',
        'EnrolledInScheme',
        'ContributionRecorded',
        'ContributionReversed',
      ]);
    });

    it('records a payment sent twice with the same contributionId once', async () => {
      const personId = await registered(makeResidentId('410327', '1981-05-05', 22), '1981-05-05');
      await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-10' })
        .expect(201);
      const payment = {
        personId,
        contributionId: '6f1c2f0e-8b7a-4a7e-9d54-3c2a1b0f9e11',
        scheme: 'resident',
        regionCode: '410327',
        coverageYear: 2024,
        amountFen: 38000,
        payer: 'individual',
        paidAt: '2023-10-15T09:30:00+08:00',
      };
      const first = await http.post('/v1/contributions').set(clerk()).send(payment).expect(201);
      const second = await http.post('/v1/contributions').set(clerk()).send(payment).expect(201);
      expect(first.body.events).toEqual(['ContributionRecorded']);
      expect(second.body.events).toEqual([]);
      expect(second.body.revision).toBe(first.body.revision);
    });

    it('records concurrent counter payments for one person without losing any (expected revisions, re-decided on conflict)', async () => {
      const personId = await registered(makeResidentId('410327', '1982-05-05', 23), '1982-05-05');
      await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'employee', regionCode: '410327', enrolledOn: '2024-01-01' })
        .expect(201);
      const months = ['2024-01', '2024-02', '2024-03', '2024-04', '2024-05', '2024-06'];
      const answers = await Promise.all(
        months.map((coverageMonth) =>
          http
            .post('/v1/contributions')
            .set(clerk())
            .send({
              personId,
              scheme: 'employee',
              regionCode: '410327',
              coverageMonth,
              amountFen: 60000,
              payer: 'employer',
              part: 'both',
              paidAt: `${coverageMonth}-10T10:00:00+08:00`,
            }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(months.map(() => 201));
      const timeline = await http.get(`/v1/persons/${personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.filter((e: { type: string }) => e.type === 'ContributionRecorded')).toHaveLength(6);
    });

    it.each([
      ['asOf=2024-02-30', 400, 'invalid_date'],
      ['asOf=tomorrow', 400, 'validation_failed'],
    ])('refuses coverage?%s', async (query, status, code) => {
      const personId = await registered(makeResidentId('410327', '1983-05-05', query.length), '1983-05-05');
      const res = await http.get(`/v1/persons/${personId}/coverage?${query}`).set(clerk()).expect(status);
      expect(res.body.code).toBe(code);
    });

    it('answers 404 for a person it does not know', async () => {
      const res = await http.get('/v1/persons/00000000-0000-4000-8000-000000000000/coverage').set(clerk()).expect(404);
      expect(res.body.code).toBe('person_not_found');
    });

    it('refuses a contribution for a region with no policy', async () => {
      const personId = await registered(makeResidentId('410327', '1984-05-05', 25), '1984-05-05');
      await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'resident', regionCode: '410327', enrolledOn: '2023-09-10' })
        .expect(201);
      const res = await http
        .post('/v1/contributions')
        .set(clerk())
        .send({
          personId,
          scheme: 'resident',
          regionCode: '990000',
          coverageYear: 2024,
          amountFen: 38000,
          payer: 'individual',
          paidAt: '2023-10-15T09:30:00+08:00',
        })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'unknown_region', status: 422 });
      const noYear = await http
        .post('/v1/contributions')
        .set(clerk())
        .send({
          personId,
          scheme: 'resident',
          regionCode: '410327',
          coverageYear: 2031,
          amountFen: 38000,
          payer: 'individual',
          paidAt: '2023-10-15T09:30:00+08:00',
        })
        .expect(422);
      expect(noYear.body.code).toBe('unknown_policy_year');
    });
  });

  describe('policies', () => {
    it('gives what to charge in Henan for 2024 (380 元, source 004)', async () => {
      const res = await http.get('/v1/policies/410327/2024').set(clerk()).expect(200);
      expect(res.body).toMatchObject({
        regionCode: '410327',
        coverageYear: 2024,
        individualContributionFen: 38000,
        centralizedWindow: { from: '2023-09-01', to: '2023-12-31' },
        waitingPeriod: { kind: 'fixed_days', days: 30 },
      });
      expect(res.body.subsidyFen).toBeGreaterThanOrEqual(64000);
      expect(res.body.exemptCategories).toEqual(expect.arrayContaining(['newborn', 'minimum_living']));
    });

    it('refuses an unknown region or year clearly', async () => {
      const region = await http.get('/v1/policies/990000/2024').set(clerk()).expect(404);
      expect(region.body.code).toBe('unknown_region');
      const year = await http.get('/v1/policies/410000/1999').set(clerk()).expect(404);
      expect(year.body.code).toBe('unknown_policy_year');
    });
  });

  describe('lapse job', () => {
    it('records a lapse for an unpaid next year, and nothing more on a second run', async () => {
      const personId = await registered(makeResidentId('450102', '1975-07-07', 31), '1975-07-07');
      await http
        .post(`/v1/persons/${personId}/enrollments`)
        .set(clerk())
        .send({ scheme: 'resident', regionCode: '450102', enrolledOn: '2022-01-01' })
        .expect(201);
      await http
        .post('/v1/contributions')
        .set(clerk())
        .send({
          personId,
          scheme: 'resident',
          regionCode: '450102',
          coverageYear: 2022,
          amountFen: 32000,
          payer: 'individual',
          paidAt: '2021-11-15T09:30:00+08:00',
        })
        .expect(201);
      const first = await http.post('/v1/lapses/run').set(clerk()).send({ periodEnd: '2022-12-31' }).expect(200);
      expect(first.body.lapsesRecorded).toBeGreaterThanOrEqual(1);
      const second = await http.post('/v1/lapses/run').set(clerk()).send({ periodEnd: '2022-12-31' }).expect(200);
      expect(second.body.lapsesRecorded).toBe(0);
      const coverage = await http.get(`/v1/persons/${personId}/coverage?asOf=2023-06-01`).set(clerk()).expect(200);
      expect(coverage.body.status).toBe('not_covered');
      const bad = await http.post('/v1/lapses/run').set(clerk()).send({ periodEnd: '2022-12-30' }).expect(400);
      expect(bad.body.code).toBe('invalid_period_end');
    });
  });
});
