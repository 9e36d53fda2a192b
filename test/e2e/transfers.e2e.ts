import { makeResidentId } from '@ledger/domain';
import request from 'supertest';
import { TokenService } from '../../apps/api/src/auth/token.service';
import { BusinessClock } from '../../apps/api/src/transfers/business-clock';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * Cross-province transfers (转移接续) over HTTP: every step, every refusal, deadlines in working
 * days, and the person ledger's side. The business date is pinned through BusinessClock.
 */
describe('transfers over HTTP', () => {
  let t: TestApp;
  let http: ReturnType<typeof request>;
  let secondClerkToken: string;
  let seq = 100;
  const clerk = (token = t.clerkToken) => ({ Authorization: `Bearer ${token}` });
  const on = (date: string) => jest.spyOn(t.app.get(BusinessClock), 'today').mockReturnValue(date);

  beforeAll(async () => {
    t = await startTestApp();
    http = request(t.app.getHttpServer());
    secondClerkToken = (await t.app.get(TokenService).create('clerk', 'second clerk')).token;
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await t.close();
  });

  async function person(region: string, birthDate: string, name = 'Zhang Wei'): Promise<string> {
    const res = await http
      .post('/v1/persons')
      .set(clerk())
      .send({ idNumber: makeResidentId(region, birthDate, seq++), name, birthDate })
      .expect(201);
    return res.body.personId as string;
  }

  async function enroll(personId: string, body: Record<string, unknown>): Promise<string> {
    const res = await http.post(`/v1/persons/${personId}/enrollments`).set(clerk()).send(body).expect(201);
    return res.body.enrollmentId as string;
  }

  async function pay(personId: string, body: Record<string, unknown>) {
    await http
      .post('/v1/contributions')
      .set(clerk())
      .send({ personId, payer: 'individual', ...body })
      .expect(201);
  }

  /** A Guangxi resident paid for 2022 and 2023 in the centralized periods: covered to 2023-12-31. */
  async function guangxiResident(name = 'Li Na'): Promise<string> {
    const id = await person('450102', '1985-06-15', name);
    await enroll(id, { scheme: 'resident', regionCode: '450102', enrolledOn: '2021-09-01' });
    await pay(id, { scheme: 'resident', regionCode: '450102', coverageYear: 2022, amountFen: 32000, paidAt: '2021-10-10T10:00:00+08:00' });
    await pay(id, { scheme: 'resident', regionCode: '450102', coverageYear: 2023, amountFen: 35000, paidAt: '2022-10-10T10:00:00+08:00' });
    return id;
  }

  /** A Luoyang employee paid January to August 2024. */
  async function luoyangEmployee(name = 'Wang Fang'): Promise<string> {
    const id = await person('410302', '1990-03-07', name);
    await enroll(id, { scheme: 'employee', regionCode: '410302', enrolledOn: '2024-01-01' });
    for (let m = 1; m <= 8; m++) {
      const month = `2024-0${m}`;
      await pay(id, {
        scheme: 'employee',
        regionCode: '410302',
        coverageMonth: month,
        amountFen: 60000,
        payer: 'employer',
        part: 'both',
        paidAt: `${month}-15T10:00:00+08:00`,
      });
    }
    return id;
  }

  async function requested(personId: string, date: string, body: Record<string, unknown> = {}) {
    on(date);
    const res = await http
      .post('/v1/transfers')
      .set(clerk())
      .send({ personId, fromRegion: '410300', toRegion: '440100', scheme: 'employee', ...body })
      .expect(201);
    return res.body.transfer;
  }

  async function transferredOut(personId: string) {
    const req = await requested(personId, '2024-09-20');
    on('2024-10-10');
    const res = await http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }).expect(201);
    return res.body.transfer;
  }

  describe('a resident moving from Guangxi to Henan, end to end', () => {
    let personId: string;
    let control: string;
    let transferId: string;

    beforeAll(async () => {
      personId = await guangxiResident();
      control = await guangxiResident('Control Person');
    });

    it('opens the transfer at the new region with 10 working days for the old region', async () => {
      on('2023-12-04');
      const res = await http
        .post('/v1/transfers')
        .set(clerk())
        .send({ personId, fromRegion: '450100', toRegion: '410300', scheme: 'resident', channel: 'online', requestedBy: 'person' })
        .expect(201);
      expect(res.headers['ledger-position']).toMatch(/^\d+$/);
      const transfer = res.body.transfer;
      transferId = transfer.transferId;
      expect(transfer).toMatchObject({
        personId,
        personName: 'Li Na',
        step: 'requested',
        requestedOn: '2023-12-04',
        dueOn: '2023-12-18',
        workingDaysLeft: 10,
        isOverdue: false,
        waitingFor: 'transfer_out_region',
        waiting: { waitingOnRegion: '450100', pendingStep: 'transfer_out' },
        actions: ['confirm_transfer_out', 'reject', 'cancel'],
        revision: 0,
        duplicateEnrollments: [],
      });
    });

    it("drafts the information sheet from the person's ledger: cover to the end of the paid year", async () => {
      const res = await http.get(`/v1/transfers/${transferId}/certificate-draft`).set(clerk()).expect(200);
      expect(res.body).toMatchObject({
        name: 'Li Na',
        scheme: 'resident',
        fromRegion: '450100',
        toRegion: '410300',
        coverageEnd: '2023-12-31',
        actualContributionMonths: 24,
        deemedContributionMonths: 0,
        continuousYears: 1,
        arrearsFen: 0,
        personalAccountFen: 0,
        enrollmentPeriods: [{ from: '2021-09-01', to: '2023-12-31', regionCode: '450102', scheme: 'resident' }],
      });
    });

    it('accepts a late transfer-out and records it 2 working days overdue; the new region gets its own 5 working days', async () => {
      on('2023-12-20');
      const res = await http
        .post(`/v1/transfers/${transferId}/transfer-out`)
        .set(clerk())
        .send({ expectedRevision: 0, certificate: { personalAccountFen: 0, continuousYears: 2 } })
        .expect(201);
      expect(res.body.transfer).toMatchObject({
        step: 'transferred_out',
        dueOn: '2023-12-27',
        workingDaysLeft: 5,
        waiting: { waitingOnRegion: '410300', pendingStep: 'transfer_in' },
        lateSteps: [{ step: 'transferred_out', overdueByWorkingDays: 2 }],
        certificate: { coverageEnd: '2023-12-31', continuousYears: 2 },
        actions: ['complete', 'reject', 'cancel'],
        revision: 1,
      });
    });

    it('completes the transfer-in: the old enrollment ends with its cover, the new one starts via the transfer', async () => {
      on('2023-12-27');
      const res = await http.post(`/v1/transfers/${transferId}/complete`).set(clerk()).send({ expectedRevision: 1 }).expect(201);
      expect(res.body.transfer).toMatchObject({
        step: 'completed',
        newEnrollmentOn: '2024-01-01',
        dueOn: null,
        actions: [],
        personLedgerApplied: true,
        lateSteps: [{ step: 'transferred_out' }],
      });
      const summary = await http.get(`/v1/persons/${personId}`).set(clerk()).expect(200);
      expect(summary.body.enrollments).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ regionCode: '450102', endedOn: '2023-12-31' }),
          expect.objectContaining({ regionCode: '410300', scheme: 'resident', enrolledOn: '2024-01-01', via: 'transfer', transferId, endedOn: null }),
        ]),
      );
      const timeline = await http.get(`/v1/persons/${personId}/timeline`).set(clerk()).expect(200);
      expect(timeline.body.events.slice(-2).map((e: { type: string }) => e.type)).toEqual(['EnrollmentEnded', 'EnrolledInScheme']);
      expect(timeline.body.events.at(-2).data).toMatchObject({ reason: 'transferred_out', endedOn: '2023-12-31' });
    });

    it('lets the new region cover from the month of payment with no waiting period, while a direct enrollment waits', async () => {
      await pay(personId, { scheme: 'resident', regionCode: '410300', coverageYear: 2024, amountFen: 38000, paidAt: '2024-03-10T10:00:00+08:00' });
      // The control person moves without a transfer: ends the Guangxi enrollment and enrolls in Henan directly.
      const [guangxi] = (await http.get(`/v1/persons/${control}`).set(clerk())).body.enrollments;
      await http
        .post(`/v1/persons/${control}/enrollments/${guangxi.enrollmentId}/end`)
        .set(clerk())
        .send({ endedOn: '2023-12-31', reason: 'other' })
        .expect(201);
      await enroll(control, { scheme: 'resident', regionCode: '410300', enrolledOn: '2024-01-01' });
      await pay(control, { scheme: 'resident', regionCode: '410300', coverageYear: 2024, amountFen: 38000, paidAt: '2024-03-10T10:00:00+08:00' });

      const moved = await http.get(`/v1/persons/${personId}/coverage?asOf=2024-03-15`).set(clerk()).expect(200);
      expect(moved.body).toMatchObject({
        status: 'covered',
        regionCode: '410300',
        coveredFrom: '2024-03-01',
        waitingExemption: 'transfer',
        waitingPeriod: null,
      });
      // Continuity carries over from Guangxi: 2022 and 2023 are unbroken by the move.
      expect(moved.body.continuity).toMatchObject({ status: 'continuous', since: '2022-01-01', continuousYears: 2 });
      const direct = await http.get(`/v1/persons/${control}/coverage?asOf=2024-03-15`).set(clerk()).expect(200);
      expect(direct.body.status).toBe('waiting');
    });

    it('refuses every action once completed (transfer_closed), and shows the whole history', async () => {
      for (const [path, body] of [
        ['transfer-out', {}],
        ['complete', {}],
        ['reject', { reason: 'too late' }],
        ['cancel', {}],
      ] as const) {
        const res = await http
          .post(`/v1/transfers/${transferId}/${path}`)
          .set(clerk())
          .send({ expectedRevision: 2, ...body })
          .expect(409);
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(res.body).toMatchObject({ code: 'transfer_closed', details: { step: 'completed' } });
        expect(res.body.detail).toMatch(/already completed/);
      }
      const detail = await http.get(`/v1/transfers/${transferId}`).set(clerk()).expect(200);
      expect(detail.body.history.map((h: { step: string }) => h.step)).toEqual(['requested', 'transferred_out', 'completed']);
      expect(detail.body.history[1]).toMatchObject({ on: '2023-12-20', overdueByWorkingDays: 2, by: 'test clerk' });
      expect(detail.body.history[0]).toMatchObject({ by: personId, channel: 'online' });
    });
  });

  describe('an employee moving from Luoyang to Guangzhou', () => {
    it('drafts the sheet from paid months and completes with the new employer', async () => {
      const personId = await luoyangEmployee();
      const out = await transferredOut(personId);
      expect(out.certificate).toMatchObject({ coverageEnd: '2024-08-31', actualContributionMonths: 8, scheme: 'employee' });
      on('2024-10-16');
      const done = await http
        .post(`/v1/transfers/${out.transferId}/complete`)
        .set(clerk())
        .send({ expectedRevision: 1, employerId: 'gz-employer-1' })
        .expect(201);
      expect(done.body.transfer).toMatchObject({ step: 'completed', newEnrollmentOn: '2024-09-01', lateSteps: [] });
      const summary = await http.get(`/v1/persons/${personId}`).set(clerk()).expect(200);
      expect(summary.body.enrollments).toEqual(
        expect.arrayContaining([expect.objectContaining({ regionCode: '440100', enrolledOn: '2024-09-01', employerId: 'gz-employer-1', via: 'transfer' })]),
      );
    });

    it('records a late completion as overdue in working days', async () => {
      const personId = await luoyangEmployee();
      const out = await transferredOut(personId);
      on('2024-10-18');
      const done = await http.post(`/v1/transfers/${out.transferId}/complete`).set(clerk()).send({ expectedRevision: 1 }).expect(201);
      expect(done.body.transfer.lateSteps).toEqual([{ step: 'completed', overdueByWorkingDays: 2 }]);
    });

    it("shows a duplicate enrollment from the old region's sheet and refuses to complete until it is resolved", async () => {
      const personId = await luoyangEmployee();
      // The ledger ended the Luoyang enrollment in May and enrolled the person as a Guangzhou resident from June…
      const [luoyang] = (await http.get(`/v1/persons/${personId}`).set(clerk())).body.enrollments;
      await http
        .post(`/v1/persons/${personId}/enrollments/${luoyang.enrollmentId}/end`)
        .set(clerk())
        .send({ endedOn: '2024-05-31', reason: 'other' })
        .expect(201);
      const gz = await enroll(personId, { scheme: 'resident', regionCode: '440100', enrolledOn: '2024-06-01' });
      const req = await requested(personId, '2024-09-20');
      // …but the old region's sheet shows the employee enrollment running to the end of August.
      on('2024-10-10');
      const out = await http
        .post(`/v1/transfers/${req.transferId}/transfer-out`)
        .set(clerk())
        .send({ expectedRevision: 0, certificate: { enrollmentPeriods: [{ from: '2024-01-01', to: '2024-08-31', regionCode: '410302', scheme: 'employee' }] } })
        .expect(201);
      expect(out.body.transfer.duplicateEnrollments).toEqual([
        {
          from: '2024-06-01',
          to: '2024-08-31',
          oldRegion: { from: '2024-01-01', to: '2024-08-31', regionCode: '410302', scheme: 'employee' },
          otherRegion: { from: '2024-06-01', to: null, regionCode: '440100', scheme: 'resident', enrollmentId: gz },
        },
      ]);
      // The clerk's queue shows it too (it reads the person's enrollments from the read model, not the stream).
      const queued = await http.get(`/v1/transfers?status=open&personId=${personId}`).set(clerk()).expect(200);
      expect(queued.body.transfers.map((t: { duplicateEnrollments: unknown }) => t.duplicateEnrollments)).toEqual([out.body.transfer.duplicateEnrollments]);
      on('2024-10-16');
      const refused = await http.post(`/v1/transfers/${req.transferId}/complete`).set(clerk()).send({ expectedRevision: 1 }).expect(409);
      expect(refused.body).toMatchObject({ code: 'duplicate_enrollment', duplicateEnrollments: [expect.objectContaining({ from: '2024-06-01' })] });
      expect(refused.body.detail).toMatch(/Resolve it/);
      const still = await http.get(`/v1/transfers/${req.transferId}`).set(clerk()).expect(200);
      expect(still.body).toMatchObject({ step: 'transferred_out', revision: 1 });

      await http.post(`/v1/persons/${personId}/enrollments/${gz}/end`).set(clerk()).send({ endedOn: '2024-08-31', reason: 'moved_to_employee' }).expect(201);
      const done = await http.post(`/v1/transfers/${req.transferId}/complete`).set(clerk()).send({ expectedRevision: 1 }).expect(201);
      expect(done.body.transfer).toMatchObject({ step: 'completed', personLedgerApplied: true });
    });
  });

  describe('refusals', () => {
    it.each([
      ['410300', 'same_region'],
      ['410100', 'not_cross_province'],
    ])('refuses a request from 410300 to %s with 422 %s', async (toRegion, code) => {
      const personId = await luoyangEmployee();
      on('2024-09-20');
      const res = await http.post('/v1/transfers').set(clerk()).send({ personId, fromRegion: '410300', toRegion, scheme: 'employee' }).expect(422);
      expect(res.body.code).toBe(code);
      expect(res.body.detail).toEqual(expect.any(String));
    });

    it('refuses malformed requests, unknown persons and transfers, and auditors', async () => {
      const personId = await luoyangEmployee();
      const bad = await http.post('/v1/transfers').set(clerk()).send({ personId, fromRegion: '4103', toRegion: '440100', scheme: 'employee' }).expect(400);
      expect(bad.body).toMatchObject({ code: 'validation_failed', errors: [expect.stringMatching(/fromRegion/)] });
      const nobody = await http
        .post('/v1/transfers')
        .set(clerk())
        .send({ personId: '7d0c8f7e-1b1e-4f58-9a55-4f1b8d0a0b11', fromRegion: '410300', toRegion: '440100', scheme: 'employee' })
        .expect(404);
      expect(nobody.body.code).toBe('person_not_found');
      const none = await http.get('/v1/transfers/7d0c8f7e-1b1e-4f58-9a55-4f1b8d0a0b11').set(clerk()).expect(404);
      expect(none.body.code).toBe('transfer_not_found');
      const auditor = await http
        .get('/v1/transfers')
        .set({ Authorization: `Bearer ${t.auditorToken}` })
        .expect(403);
      expect(auditor.body.code).toBe('forbidden_for_role');
      await http.get('/v1/transfers').expect(401);
    });

    it('keeps one transfer under way per person', async () => {
      const personId = await luoyangEmployee();
      const first = await requested(personId, '2024-09-20');
      const second = await http.post('/v1/transfers').set(clerk()).send({ personId, fromRegion: '410300', toRegion: '310100', scheme: 'employee' }).expect(409);
      expect(second.body).toMatchObject({ code: 'transfer_already_open', transferId: first.transferId });
    });

    it('refuses to complete before the transfer-out (wrong step) and a second transfer-out', async () => {
      const personId = await luoyangEmployee();
      const req = await requested(personId, '2024-09-20');
      const early = await http
        .post(`/v1/transfers/${req.transferId}/complete`)
        .set(clerk())
        .send({ expectedRevision: 0, newEnrollmentOn: '2024-09-01' })
        .expect(409);
      expect(early.body).toMatchObject({ code: 'transfer_out_not_confirmed', details: { step: 'requested' } });
      on('2024-10-08');
      await http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }).expect(201);
      const again = await http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 1 }).expect(409);
      expect(again.body.code).toBe('transfer_out_already_confirmed');
    });

    it('refuses an invalid information sheet, an overlapping new enrollment and steps dated out of order', async () => {
      const personId = await luoyangEmployee();
      const req = await requested(personId, '2024-09-20');
      on('2024-10-08');
      const sheet = await http
        .post(`/v1/transfers/${req.transferId}/transfer-out`)
        .set(clerk())
        .send({ expectedRevision: 0, certificate: { coverageEnd: '2024-02-30' } })
        .expect(422);
      expect(sheet.body).toMatchObject({ code: 'invalid_certificate', details: { field: 'coverageEnd' } });
      on('2024-09-19');
      const before = await http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }).expect(422);
      expect(before.body.code).toBe('date_out_of_order');
      on('2024-10-08');
      await http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }).expect(201);
      const overlap = await http
        .post(`/v1/transfers/${req.transferId}/complete`)
        .set(clerk())
        .send({ expectedRevision: 1, newEnrollmentOn: '2024-08-31' })
        .expect(422);
      expect(overlap.body).toMatchObject({ code: 'new_enrollment_overlaps_old_coverage', details: { coverageEnd: '2024-08-31' } });
    });

    it('rejects at the transfer-out step with a reason, late, and refuses a blank reason', async () => {
      const personId = await luoyangEmployee();
      const req = await requested(personId, '2024-09-20');
      on('2024-10-11');
      const blank = await http.post(`/v1/transfers/${req.transferId}/reject`).set(clerk()).send({ expectedRevision: 0, reason: '   ' }).expect(422);
      expect(blank.body.code).toBe('rejection_reason_required');
      const missing = await http.post(`/v1/transfers/${req.transferId}/reject`).set(clerk()).send({ expectedRevision: 0 }).expect(400);
      expect(missing.body.code).toBe('validation_failed');
      const res = await http
        .post(`/v1/transfers/${req.transferId}/reject`)
        .set(clerk())
        .send({ expectedRevision: 0, reason: 'enrollment data do not match' })
        .expect(201);
      expect(res.body.transfer).toMatchObject({
        step: 'rejected',
        rejection: { reason: 'enrollment data do not match', step: 'transfer_out', overdueByWorkingDays: 1 },
        actions: [],
      });
    });

    it('rejects at the transfer-in step', async () => {
      const personId = await luoyangEmployee();
      const out = await transferredOut(personId);
      on('2024-10-14');
      const res = await http
        .post(`/v1/transfers/${out.transferId}/reject`)
        .set(clerk())
        .send({ expectedRevision: 1, reason: 'personal account funds not received' })
        .expect(201);
      expect(res.body.transfer.rejection).toMatchObject({ step: 'transfer_in', overdueByWorkingDays: 0 });
    });

    it('cancels for the applicant before completion, once', async () => {
      const personId = await luoyangEmployee();
      const out = await transferredOut(personId);
      on('2024-10-11');
      const res = await http.post(`/v1/transfers/${out.transferId}/cancel`).set(clerk()).send({ expectedRevision: 1 }).expect(201);
      expect(res.body.transfer).toMatchObject({ step: 'cancelled', waitingFor: null, actions: [] });
      expect(res.body.transfer.history.at(-1)).toMatchObject({ step: 'cancelled', by: personId });
      const again = await http.post(`/v1/transfers/${out.transferId}/cancel`).set(clerk()).send({ expectedRevision: 2 }).expect(409);
      expect(again.body.code).toBe('transfer_closed');
      // The person may apply again once the earlier transfer is closed.
      await requested(personId, '2024-10-14');
    });

    it('accepts a request whose deadline falls in 2027 and marks the deadline provisional until the 2027 notice is loaded', async () => {
      const personId = await luoyangEmployee();
      const transfer = await requested(personId, '2026-12-24');
      expect(transfer).toMatchObject({ dueOn: '2027-01-08', calendarGap: expect.stringMatching(/provisional: the 2027 holiday notice is not loaded/) });
    });

    it('refuses a deadline the working-day calendar cannot compute', async () => {
      const personId = await luoyangEmployee();
      on('2027-12-24');
      const res = await http.post('/v1/transfers').set(clerk()).send({ personId, fromRegion: '410300', toRegion: '440100', scheme: 'employee' }).expect(422);
      expect(res.body).toMatchObject({ code: 'calendar_year_unknown', details: { year: 2028 } });
      expect(res.body.detail).toMatch(/no holiday notice for 2028/);
    });
  });

  describe('the queue', () => {
    it('lists deadlines, working days left, overdue flags and who waits for whom; filters by status and overdue', async () => {
      const late = await requested(await luoyangEmployee('Late Case'), '2024-09-20');
      const fresh = await requested(await luoyangEmployee('Fresh Case'), '2024-10-08');
      on('2024-10-14');
      const open = await http.get('/v1/transfers?status=open').set(clerk()).expect(200);
      expect(open.body.today).toBe('2024-10-14');
      const byId = (id: string) => open.body.transfers.find((x: { transferId: string }) => x.transferId === id);
      // Due Thursday 10/10; Friday 10/11, make-up Saturday 10/12 and Monday 10/14 have passed.
      expect(byId(late.transferId)).toMatchObject({
        personName: 'Late Case',
        dueOn: '2024-10-10',
        isOverdue: true,
        workingDaysLeft: -3,
        waiting: { waitingOnRegion: '410300' },
      });
      // Tuesday 10/8 + 10 working days, counting make-up Saturday 10/12: Monday 10/21.
      expect(byId(fresh.transferId)).toMatchObject({ dueOn: '2024-10-21', isOverdue: false, workingDaysLeft: 5 });

      const overdue = await http.get('/v1/transfers?overdue=true').set(clerk()).expect(200);
      const overdueIds = overdue.body.transfers.map((x: { transferId: string }) => x.transferId);
      expect(overdueIds).toContain(late.transferId);
      expect(overdueIds).not.toContain(fresh.transferId);
      expect(overdue.body.transfers.every((x: { isOverdue: boolean }) => x.isOverdue)).toBe(true);
      expect(overdue.body.overdueCount).toBe(overdue.body.count);

      const completed = await http.get('/v1/transfers?status=completed').set(clerk()).expect(200);
      expect(completed.body.transfers.every((x: { step: string }) => x.step === 'completed')).toBe(true);
      const badFilter = await http.get('/v1/transfers?overdue=maybe').set(clerk()).expect(400);
      expect(badFilter.body.code).toBe('validation_failed');
    });
  });

  describe('two clerks acting at once', () => {
    it('lets one win; the other gets concurrency_conflict with the fresh state', async () => {
      const personId = await luoyangEmployee();
      const req = await requested(personId, '2024-09-20');
      on('2024-10-08');
      const [a, b] = await Promise.all([
        http.post(`/v1/transfers/${req.transferId}/transfer-out`).set(clerk()).send({ expectedRevision: 0 }),
        http.post(`/v1/transfers/${req.transferId}/reject`).set(clerk(secondClerkToken)).send({ expectedRevision: 0, reason: 'documents missing' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([201, 409]);
      const winner = a.status === 201 ? a : b;
      const loser = a.status === 201 ? b : a;
      expect(loser.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(loser.body).toMatchObject({ code: 'concurrency_conflict', actualRevision: 1, transfer: { revision: 1, step: winner.body.transfer.step } });
      const events = await http.get(`/v1/transfers/${req.transferId}`).set(clerk()).expect(200);
      expect(events.body.history).toHaveLength(2);
    });

    it('refuses an action on a stale revision, answering with the fresh state', async () => {
      const personId = await luoyangEmployee();
      const out = await transferredOut(personId);
      on('2024-10-11');
      const stale = await http.post(`/v1/transfers/${out.transferId}/cancel`).set(clerk(secondClerkToken)).send({ expectedRevision: 0 }).expect(409);
      expect(stale.body).toMatchObject({ code: 'concurrency_conflict', transfer: { step: 'transferred_out', revision: 1 } });
      expect(stale.body.detail).toMatch(/Someone else acted on this transfer first/);
    });
  });
});
