import { makeResidentId } from '@ledger/domain';
import request from 'supertest';
import { BusinessClock } from '../../apps/api/src/transfers/business-clock';
import { startTestApp, type TestApp } from '../support/test-app';

/** Employers and deferrals (缓缴) over HTTP: eligibility, the employees' ledgers, departures and make-ups. */
describe('employers and deferrals over HTTP', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let seq = 300;
  let unit = 0;
  const clerk = () => ({ Authorization: `Bearer ${t.clerkToken}` });
  const on = (date: string) => jest.spyOn(t.app.get(BusinessClock), 'today').mockReturnValue(date);
  const months = ['2024-07', '2024-08', '2024-09'];

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
    on('2024-06-20');
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  async function employer(patch: Record<string, unknown> = {}) {
    const body = {
      employerId: `unit-${++unit}`,
      name: `Yiyang Machinery ${unit}`,
      unitType: 'enterprise',
      staffCount: 120,
      smeQualified: false,
      regionCode: '410327',
      ...patch,
    };
    const res = await http.post('/v1/employers').set(clerk()).send(body).expect(201);
    return res.body.employer;
  }

  /** An employee of the unit since January 2024, paid January to June (both parts). */
  async function employee(employerId: string, name = 'Zhao Lei'): Promise<string> {
    const birthDate = '1988-04-04';
    const res = await http
      .post('/v1/persons')
      .set(clerk())
      .send({ idNumber: makeResidentId('410327', birthDate, seq++), name, birthDate })
      .expect(201);
    const personId = res.body.personId as string;
    await http
      .post(`/v1/persons/${personId}/enrollments`)
      .set(clerk())
      .send({ scheme: 'employee', regionCode: '410327', enrolledOn: '2024-01-01', employerId })
      .expect(201);
    for (let m = 1; m <= 6; m++) {
      const month = `2024-0${m}`;
      await http
        .post('/v1/contributions')
        .set(clerk())
        .send({
          personId,
          scheme: 'employee',
          regionCode: '410327',
          coverageMonth: month,
          amountFen: 60000,
          payer: 'employer',
          part: 'both',
          paidAt: `${month}-15T10:00:00+08:00`,
        })
        .expect(201);
    }
    return personId;
  }

  async function deferring() {
    const e = await employer();
    const a = await employee(e.employerId, 'Zhao Lei');
    const b = await employee(e.employerId, 'Qian Yu');
    const res = await http
      .post(`/v1/employers/${e.employerId}/deferrals`)
      .set(clerk())
      .send({ deferralId: 'd-2024', months, employees: [a, b] })
      .expect(201);
    return { employerId: e.employerId as string, a, b, granted: res.body.employer };
  }

  describe('registration', () => {
    it('registers a unit and says whether it may defer', async () => {
      const e = await employer();
      expect(e).toMatchObject({
        name: expect.stringMatching(/^Yiyang/),
        unitType: 'enterprise',
        staffCount: 120,
        regionCode: '410327',
        eligibility: { eligible: true },
        deferrals: [],
        revision: 0,
      });
      const again = await http
        .post('/v1/employers')
        .set(clerk())
        .send({ employerId: e.employerId, name: 'x', unitType: 'enterprise', staffCount: 1, smeQualified: false, regionCode: '410327' })
        .expect(409);
      expect(again.body.code).toBe('employer_already_registered');
    });

    it('refuses invalid units and unknown ones', async () => {
      const bad = await http
        .post('/v1/employers')
        .set(clerk())
        .send({ name: 'x', unitType: 'bank', staffCount: -1, smeQualified: 'yes', regionCode: '41' })
        .expect(400);
      expect(bad.body.code).toBe('validation_failed');
      expect(bad.body.errors).toHaveLength(4);
      const missing = await http.get('/v1/employers/nobody').set(clerk()).expect(404);
      expect(missing.body.code).toBe('employer_not_found');
      await http
        .get('/v1/employers')
        .set({ Authorization: `Bearer ${t.auditorToken}` })
        .expect(403);
    });
  });

  describe('eligibility (source 004, DOMAIN.md)', () => {
    it.each([
      ['a government body', { unitType: 'government_body' }, 'unit_type_excluded'],
      ['a public institution', { unitType: 'public_institution' }, 'unit_type_excluded'],
      ['an individual business insured as flexible workers', { unitType: 'individual_business_flexible' }, 'unit_type_excluded'],
      ['a unit of more than 2000 staff', { staffCount: 2001, smeQualified: true }, 'staff_count_too_large'],
      ['a unit of 300–2000 staff without the SME classification', { staffCount: 300 }, 'sme_classification_required'],
    ])('refuses %s with 422 %s', async (_what, patch, code) => {
      const e = await employer(patch);
      expect(e.eligibility).toMatchObject({ eligible: false, code });
      const res = await http
        .post(`/v1/employers/${e.employerId}/deferrals`)
        .set(clerk())
        .send({ months, employees: [await employee(e.employerId)] })
        .expect(422);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe(code);
      expect(res.body.detail).toMatch(/^Not eligible for deferral/);
    });

    it('grants a unit of 300–2000 staff meeting the SME classification', async () => {
      const e = await employer({ staffCount: 1500, smeQualified: true });
      await http
        .post(`/v1/employers/${e.employerId}/deferrals`)
        .set(clerk())
        .send({ months, employees: [await employee(e.employerId)] })
        .expect(201);
    });

    it('refuses a unit with 3 months of arrears until they are paid', async () => {
      const e = await employer();
      const person = await employee(e.employerId);
      await http.post(`/v1/employers/${e.employerId}/arrears`).set(clerk()).send({ months: 3, fen: 540000 }).expect(201);
      const refused = await http
        .post(`/v1/employers/${e.employerId}/deferrals`)
        .set(clerk())
        .send({ months, employees: [person] })
        .expect(422);
      expect(refused.body).toMatchObject({ code: 'arrears_outstanding', details: { months: 3, limit: 3 } });
      await http.post(`/v1/employers/${e.employerId}/arrears`).set(clerk()).send({ months: 0, fen: 0 }).expect(201);
      await http
        .post(`/v1/employers/${e.employerId}/deferrals`)
        .set(clerk())
        .send({ months, employees: [person] })
        .expect(201);
    });

    it('refuses months that are not 3 consecutive ones, and months already deferred', async () => {
      const { employerId, a } = await deferring();
      const gap = await http
        .post(`/v1/employers/${employerId}/deferrals`)
        .set(clerk())
        .send({ months: ['2024-10', '2024-12', '2025-01'], employees: [a] })
        .expect(422);
      expect(gap.body.code).toBe('invalid_deferral_months');
      const overlap = await http
        .post(`/v1/employers/${employerId}/deferrals`)
        .set(clerk())
        .send({ months: ['2024-09', '2024-10', '2024-11'], employees: [a] })
        .expect(409);
      expect(overlap.body).toMatchObject({ code: 'deferral_months_overlap', details: { deferralId: 'd-2024' } });
    });

    it('refuses an employee whose ledger cannot record the deferral, before anything is written', async () => {
      const e = await employer();
      const other = await employer();
      const stranger = await employee(other.employerId, 'Sun Li');
      const res = await http
        .post(`/v1/employers/${e.employerId}/deferrals`)
        .set(clerk())
        .send({ months, employees: [stranger] })
        .expect(422);
      expect(res.body).toMatchObject({ code: 'employee_not_deferrable', refusals: [{ personId: stranger, code: 'not_enrolled' }] });
      const unchanged = await http.get(`/v1/employers/${e.employerId}`).set(clerk()).expect(200);
      expect(unchanged.body).toMatchObject({ revision: 0, deferrals: [] });
    });
  });

  describe('a granted deferral', () => {
    it("defers the unit part for 3 months with the make-up due 3 months after, and keeps the employees' continuity unbroken", async () => {
      const { a, granted } = await deferring();
      expect(granted.deferrals).toEqual([
        expect.objectContaining({ deferralId: 'd-2024', months, grantedOn: '2024-06-20', makeUpDueOn: '2024-12-31', status: 'deferring', outstandingCount: 2 }),
      ]);
      expect(granted.deferrals[0].employees.map((x: { name: string }) => x.name).sort()).toEqual(['Qian Yu', 'Zhao Lei']);
      const timeline = await http.get(`/v1/persons/${a}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.at(-1)).toMatchObject({ type: 'UnitContributionDeferred', data: { deferralId: 'd-2024', months } });
      const august = await http.get(`/v1/persons/${a}/coverage?asOf=2024-08-15`).set(clerk()).expect(200);
      expect(august.body).toMatchObject({ status: 'covered', waitingExemption: 'deferral', arrearsFen: 0 });
      expect(august.body.continuity.status).toBe('continuous');
    });

    it('blocks a departure while the deferred part for that employee is owed, and allows it after the make-up', async () => {
      const { employerId, a, b } = await deferring();
      on('2024-08-05');
      const blocked = await http.post(`/v1/employers/${employerId}/departures`).set(clerk()).send({ personId: a, reason: 'left' }).expect(409);
      expect(blocked.body).toMatchObject({ code: 'deferred_contributions_outstanding', details: { personId: a, deferralIds: ['d-2024'] } });
      expect(blocked.body.detail).toMatch(/make up the deferred unit contributions for this employee/);

      const made = await http.post(`/v1/employers/${employerId}/deferrals/d-2024/make-ups`).set(clerk()).send({ personId: a, fen: 360000 }).expect(201);
      expect(made.body.employer.deferrals[0]).toMatchObject({ outstandingCount: 1, madeUpFen: 360000 });
      const events = await http.get(`/v1/persons/${a}/timeline`).set(clerk()).expect(200);
      expect(events.body.events.at(-1)).toMatchObject({ type: 'DeferredContributionMadeUp', data: { deferralId: 'd-2024', months } });

      const left = await http.post(`/v1/employers/${employerId}/departures`).set(clerk()).send({ personId: a, reason: 'retired' }).expect(201);
      expect(left.body.employer.departures).toEqual([{ personId: a, reason: 'retired', on: '2024-08-05' }]);
      await http.post(`/v1/employers/${employerId}/departures`).set(clerk()).send({ personId: b, reason: 'transferred_out' }).expect(409);
      on('2024-06-20');
    });

    it('ends the deferral once, lists the make-up as due and then overdue, and accepts a late make-up of everything', async () => {
      const { employerId, b } = await deferring();
      on('2024-09-30');
      const ended = await http.post(`/v1/employers/${employerId}/deferrals/d-2024/end`).set(clerk()).send({}).expect(201);
      expect(ended.body.employer.deferrals[0]).toMatchObject({ endedOn: '2024-09-30', status: 'making_up' });
      const twice = await http.post(`/v1/employers/${employerId}/deferrals/d-2024/end`).set(clerk()).send({}).expect(409);
      expect(twice.body.code).toBe('deferral_already_ended');

      const active = await http.get('/v1/employers?deferral=active').set(clerk()).expect(200);
      expect(active.body.employers.find((e: { employerId: string }) => e.employerId === employerId)).toMatchObject({
        makeUpDueOn: '2024-12-31',
        overdueMakeUps: [],
      });
      const notYet = await http.get('/v1/employers?deferral=overdue').set(clerk()).expect(200);
      expect(notYet.body.employers.map((e: { employerId: string }) => e.employerId)).not.toContain(employerId);

      on('2025-01-06');
      const overdue = await http.get('/v1/employers?deferral=overdue').set(clerk()).expect(200);
      const listed = overdue.body.employers.find((e: { employerId: string }) => e.employerId === employerId);
      expect(listed.overdueMakeUps).toEqual([{ deferralId: 'd-2024', makeUpDueOn: '2024-12-31', outstandingEmployees: expect.arrayContaining([b]) }]);
      expect(listed.deferrals[0].status).toBe('overdue');

      const all = await http.post(`/v1/employers/${employerId}/deferrals/d-2024/make-ups`).set(clerk()).send({ fen: 720000 }).expect(201);
      expect(all.body.employer.deferrals[0]).toMatchObject({ status: 'made_up', outstandingCount: 0 });
      const again = await http.post(`/v1/employers/${employerId}/deferrals/d-2024/make-ups`).set(clerk()).send({ fen: 1 }).expect(409);
      expect(again.body.code).toBe('deferral_already_made_up');
      const cleared = await http.get('/v1/employers?deferral=active').set(clerk()).expect(200);
      expect(cleared.body.employers.map((e: { employerId: string }) => e.employerId)).not.toContain(employerId);
      on('2024-06-20');
    });

    it('refuses make-ups for someone not deferred and for an unknown deferral', async () => {
      const { employerId } = await deferring();
      const outsider = await employee(employerId, 'Zhou Min');
      const notDeferred = await http
        .post(`/v1/employers/${employerId}/deferrals/d-2024/make-ups`)
        .set(clerk())
        .send({ personId: outsider, fen: 100 })
        .expect(422);
      expect(notDeferred.body.code).toBe('not_a_deferred_employee');
      const unknown = await http.post(`/v1/employers/${employerId}/deferrals/d-none/make-ups`).set(clerk()).send({ fen: 100 }).expect(404);
      expect(unknown.body.code).toBe('deferral_not_found');
    });

    it('answers a stale revision with concurrency_conflict and the fresh employer', async () => {
      const { employerId, granted } = await deferring();
      await http.post(`/v1/employers/${employerId}/arrears`).set(clerk()).send({ months: 1, fen: 100, expectedRevision: granted.revision }).expect(201);
      const stale = await http
        .post(`/v1/employers/${employerId}/arrears`)
        .set(clerk())
        .send({ months: 2, fen: 200, expectedRevision: granted.revision })
        .expect(409);
      expect(stale.body).toMatchObject({ code: 'concurrency_conflict', employer: { revision: granted.revision + 1, arrears: { months: 1, fen: 100 } } });
    });
  });
});
