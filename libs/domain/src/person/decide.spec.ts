import { given } from '../testing/given-when-then';
import { ev } from '../testing/person-fixtures';
import { buildResidentId, makeResidentId } from '../resident-id';
import type { PersonEvent } from './events';
import type { PersonCommand } from './commands';

const H = '410327';
const id = makeResidentId(H, '1990-01-01', 12);
const registered: PersonEvent = { type: 'PersonRegistered', data: { personId: 'p1', idNumber: id, name: '张三', birthDate: '1990-01-01', categories: [] } };
const enrolled = ev.enrolled('e1', 'resident', H, '2023-09-01');
const pay = (overrides: Partial<Extract<PersonCommand, { type: 'RecordContribution' }>['data']> = {}): PersonCommand => ({
  type: 'RecordContribution',
  data: {
    contributionId: 'c1',
    scheme: 'resident',
    regionCode: H,
    coverageYear: 2024,
    amountFen: 38000,
    payer: 'individual',
    paidAt: '2023-10-01T10:00:00+08:00',
    ...overrides,
  },
});
const paidEvent: PersonEvent = {
  type: 'ContributionRecorded',
  data: {
    contributionId: 'c1',
    enrollmentId: 'e1',
    scheme: 'resident',
    regionCode: H,
    coverageYear: 2024,
    amountFen: 38000,
    payer: 'individual',
    paidAt: '2023-10-01T10:00:00+08:00',
    kind: 'regular',
  },
};

describe('decidePerson: registration', () => {
  test('given nothing, when registering, then PersonRegistered with birth date from the ID', () => {
    given([])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: id, name: ' 张三 ' } })
      .then([registered]);
  });
  test('lower-case x check character is normalized', () => {
    const body = [
      '41032719900101001',
      '41032719900101002',
      '41032719900101003',
      '41032719900101004',
      '41032719900101005',
      '41032719900101006',
      '41032719900101007',
      '41032719900101008',
      '41032719900101009',
    ].find((b) => buildResidentId(b).endsWith('X'))!;
    const [event] = given([])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: buildResidentId(body).toLowerCase(), name: 'x' } })
      .then([{ type: 'PersonRegistered', data: { personId: 'p1', idNumber: buildResidentId(body), name: 'x', birthDate: '1990-01-01', categories: [] } }]);
    expect(event).toBeDefined();
  });
  test('invalid check character → invalid_id_number', () => {
    given([])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: id.slice(0, 17) + (id[17] === '0' ? '1' : '0'), name: 'x' } })
      .then('invalid_id_number');
  });
  test('registering twice with another number → already_registered', () => {
    given([registered])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: makeResidentId(H, '1991-01-01', 3), name: 'x' } })
      .then('already_registered');
  });
  test('the same registration retried → no events', () => {
    given([registered])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: id, name: '张三' } })
      .then([]);
  });
  test('unknown category → invalid_category', () => {
    given([])
      .when({ type: 'RegisterPerson', data: { personId: 'p1', idNumber: id, name: 'x', categories: ['rich' as never] } })
      .then('invalid_category');
  });
});

describe('decidePerson: enrollment', () => {
  test('enroll → EnrolledInScheme', () => {
    given([registered])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: H, enrolledOn: '2023-09-01' } })
      .then([enrolled]);
  });
  test('before registration → not_registered', () => {
    given([])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: H, enrolledOn: '2023-09-01' } })
      .then('not_registered');
  });
  test('employee while resident enrollment is open → duplicate_enrollment (000/002 重复参保)', () => {
    given([registered, enrolled])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'w1', scheme: 'employee', regionCode: H, enrolledOn: '2024-03-01', employerId: 'acme' } })
      .then('duplicate_enrollment');
  });
  test('a second resident enrollment while one is open → already_enrolled', () => {
    given([registered, enrolled])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e2', scheme: 'resident', regionCode: '450100', enrolledOn: '2024-03-01' } })
      .then('already_enrolled');
  });
  test('after the first ended, a new scheme is fine', () => {
    given([registered, enrolled, ev.ended('e1', '2024-02-29', 'moved_to_employee')])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'w1', scheme: 'employee', regionCode: H, enrolledOn: '2024-03-01', employerId: 'acme' } })
      .then([ev.enrolled('w1', 'employee', H, '2024-03-01', { employerId: 'acme' })]);
  });
  test('backdated enrollment overlapping an ended one → duplicate_enrollment', () => {
    given([registered, enrolled, ev.ended('e1', '2024-02-29', 'moved_to_employee')])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'w1', scheme: 'employee', regionCode: H, enrolledOn: '2024-02-01' } })
      .then('duplicate_enrollment');
  });
  test('same enrollment retried → no events; same id other content → enrollment_id_conflict', () => {
    given([registered, enrolled])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: H, enrolledOn: '2023-09-01' } })
      .then([]);
    given([registered, enrolled])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: H, enrolledOn: '2023-09-02' } })
      .then('enrollment_id_conflict');
  });
  test('impossible region → unknown_region', () => {
    given([registered])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: '990000', enrolledOn: '2023-09-01' } })
      .then('unknown_region');
  });
  test('invalid date 2023-02-29 → invalid_date', () => {
    given([registered])
      .when({ type: 'EnrollInScheme', data: { enrollmentId: 'e1', scheme: 'resident', regionCode: H, enrolledOn: '2023-02-29' } })
      .then('invalid_date');
  });
  test('end: unknown → enrollment_not_found; before start → invalid_date; twice differently → enrollment_already_ended', () => {
    given([registered, enrolled])
      .when({ type: 'EndEnrollment', data: { enrollmentId: 'nope', endedOn: '2024-01-01', reason: 'other' } })
      .then('enrollment_not_found');
    given([registered, enrolled])
      .when({ type: 'EndEnrollment', data: { enrollmentId: 'e1', endedOn: '2023-08-01', reason: 'other' } })
      .then('invalid_date');
    given([registered, enrolled, ev.ended('e1', '2024-01-01')])
      .when({ type: 'EndEnrollment', data: { enrollmentId: 'e1', endedOn: '2024-02-01', reason: 'other' } })
      .then('enrollment_already_ended');
    given([registered, enrolled, ev.ended('e1', '2024-01-01')])
      .when({ type: 'EndEnrollment', data: { enrollmentId: 'e1', endedOn: '2024-01-01', reason: 'other' } })
      .then([]);
  });
});

describe('decidePerson: contributions', () => {
  test('records a contribution against the matching enrollment (enrollmentId filled in)', () => {
    given([registered, enrolled]).when(pay()).then([paidEvent]);
  });
  test("an agency's payment keeps its reference and the payer as posted, so a repost can be compared with it", () => {
    const posted = { agencyId: 'a1', agencyReference: 'R-1', payerIdNumber: id, payerName: '张三' };
    given([registered, enrolled])
      .when(pay(posted))
      .then([{ type: 'ContributionRecorded', data: { ...paidEvent.data, ...posted } } as PersonEvent]);
  });
  test('same contribution delivered again → no events (idempotent)', () => {
    given([registered, enrolled, paidEvent]).when(pay()).then([]);
  });
  test('same id with a different amount → contribution_id_conflict', () => {
    given([registered, enrolled, paidEvent])
      .when(pay({ amountFen: 1 }))
      .then('contribution_id_conflict');
  });
  test.each([0, -100, 12.5, Number.NaN])('amount %p → invalid_amount', (amountFen) => {
    given([registered, enrolled]).when(pay({ amountFen })).then('invalid_amount');
  });
  test('no enrollment in that scheme → not_enrolled', () => {
    given([registered]).when(pay()).then('not_enrolled');
    given([registered, enrolled])
      .when(pay({ enrollmentId: 'nope' }))
      .then('not_enrolled');
  });
  test('region with no policy for the year → unknown_policy_year; impossible region → unknown_region', () => {
    given([registered, enrolled])
      .when(pay({ coverageYear: 2019 }))
      .then('unknown_policy_year');
    given([registered, enrolled])
      .when(pay({ regionCode: '000001' }))
      .then('unknown_region');
  });
  test('resident needs coverageYear; employee needs coverageMonth → invalid_period', () => {
    given([registered, enrolled])
      .when(pay({ coverageYear: undefined }))
      .then('invalid_period');
    given([registered, ev.enrolled('w1', 'employee', H, '2024-01-01')])
      .when(pay({ scheme: 'employee', coverageYear: undefined, coverageMonth: '2024-13' }))
      .then('invalid_period');
  });
  test('paidAt must be RFC 3339 and not in the future', () => {
    given([registered, enrolled])
      .when(pay({ paidAt: '2023-10-01' }))
      .then('invalid_timestamp');
    given([registered, enrolled], { today: '2023-09-30' }).when(pay()).then('payment_in_future');
  });
  test('employee month contribution', () => {
    given([registered, ev.enrolled('w1', 'employee', H, '2024-01-01')])
      .when({
        type: 'RecordContribution',
        data: {
          contributionId: 'm1',
          scheme: 'employee',
          regionCode: H,
          coverageMonth: '2024-01',
          amountFen: 50000,
          payer: 'employer',
          paidAt: '2024-01-15T10:00:00+08:00',
          part: 'unit',
        },
      })
      .then([
        {
          type: 'ContributionRecorded',
          data: {
            contributionId: 'm1',
            enrollmentId: 'w1',
            scheme: 'employee',
            regionCode: H,
            coverageMonth: '2024-01',
            amountFen: 50000,
            payer: 'employer',
            paidAt: '2024-01-15T10:00:00+08:00',
            kind: 'regular',
            part: 'unit',
          },
        },
      ]);
  });
  test('reverse: unknown → contribution_not_found; twice → already_reversed', () => {
    const reverse: PersonCommand = {
      type: 'ReverseContribution',
      data: { contributionId: 'c1', reversedAt: '2024-01-05T10:00:00+08:00', reason: 'bank return' },
    };
    given([registered, enrolled]).when(reverse).then('contribution_not_found');
    given([registered, enrolled, paidEvent])
      .when(reverse)
      .then([{ type: 'ContributionReversed', data: { contributionId: 'c1', reversedAt: '2024-01-05T10:00:00+08:00', reason: 'bank return' } }]);
    given([registered, enrolled, paidEvent, ev.reversed('c1')])
      .when(reverse)
      .then('already_reversed');
  });
});

describe('decidePerson: lapses and deferral', () => {
  const lapse: PersonCommand = { type: 'RecordLapse', data: { scheme: 'resident', regionCode: H, period: '2025', recordedFor: '2024-12-31' } };
  test('lapse for an unpaid year → LapseRecorded with a period-derived id', () => {
    given([registered, enrolled])
      .when(lapse)
      .then([ev.lapse('resident', H, '2025', '2024-12-31')]);
  });
  test('lapse recorded twice → no events', () => {
    given([registered, enrolled, ev.lapse('resident', H, '2025', '2024-12-31')])
      .when(lapse)
      .then([]);
  });
  test('lapse for a paid year → period_already_paid', () => {
    given([registered, enrolled, paidEvent])
      .when({ ...lapse, data: { ...lapse.data, period: '2024' } } as PersonCommand)
      .then('period_already_paid');
  });
  const employeeEnrolled = ev.enrolled('w1', 'employee', H, '2024-01-01', { employerId: 'yiyang-co' });
  const defer: PersonCommand = {
    type: 'DeferUnitContribution',
    data: { deferralId: 'd1', employerId: 'yiyang-co', months: ['2024-09', '2024-07', '2024-08'] },
  };
  test('deferral (004 缓缴, 3 months) → months sorted', () => {
    given([registered, employeeEnrolled])
      .when(defer)
      .then([ev.deferred('d1', 'yiyang-co', ['2024-07', '2024-08', '2024-09'])]);
  });
  test('deferral for another employer or unenrolled months → not_enrolled', () => {
    given([registered, employeeEnrolled])
      .when({ type: 'DeferUnitContribution', data: { deferralId: 'd1', employerId: 'other', months: ['2024-07'] } })
      .then('not_enrolled');
    given([registered, employeeEnrolled])
      .when({ type: 'DeferUnitContribution', data: { deferralId: 'd1', employerId: 'yiyang-co', months: ['2023-07'] } })
      .then('not_enrolled');
  });
  test('make-up of deferred months: only fresh months, unknown deferral refused', () => {
    const deferred = ev.deferred('d1', 'yiyang-co', ['2024-07', '2024-08', '2024-09']);
    given([registered, employeeEnrolled, deferred, ev.deferralMadeUp('d1', ['2024-07'])])
      .when({ type: 'MakeUpDeferredContribution', data: { deferralId: 'd1', months: ['2024-07', '2024-08'] } })
      .then([ev.deferralMadeUp('d1', ['2024-08'])]);
    given([registered, employeeEnrolled])
      .when({ type: 'MakeUpDeferredContribution', data: { deferralId: 'd1', months: ['2024-07'] } })
      .then('deferral_not_found');
    given([registered, employeeEnrolled, deferred])
      .when({ type: 'MakeUpDeferredContribution', data: { deferralId: 'd1', months: ['2024-10'] } })
      .then('invalid_period');
  });
});
