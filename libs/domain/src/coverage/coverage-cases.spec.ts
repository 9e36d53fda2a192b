import type { PersonEvent } from '../person/events';
import { replayPerson } from '../person/state';
import { POLICY_CATALOG } from '../policy/catalog';
import type { PolicyCatalog } from '../policy/types';
import { LOW_INCOME_CATEGORIES } from '../policy/types';
import { employeeMonths, ev } from '../testing/person-fixtures';
import { coverageAsOf, coverageTimeline } from '.';
import type { CoverageAnswer } from '.';

/**
 * Coverage table. Each case names its source: 000 Guangxi, 002 Inner Mongolia, 004 Henan
 * (files in /work/shared/policy-sources) or a DOMAIN.md section.
 */
const H = '410327'; // 宜阳县, Luoyang, Henan: inherits 410000 and 100000
const GX = '450100';
const IM = '150100';
const reg = ev.registered('1990-01-01');
const inHenan = [reg, ev.enrolled('e1', 'resident', H, '2023-09-01')];

interface Case {
  name: string;
  events: PersonEvent[];
  asOf: string;
  expect?: Partial<CoverageAnswer> & Record<string, unknown>;
  error?: string;
  catalog?: PolicyCatalog;
}

const longLapse = (extra: PersonEvent[]): PersonEvent[] => [
  reg,
  ev.enrolled('im', 'resident', IM, '2020-09-01'),
  ev.residentPaid('c2021', 'im', IM, 2021, 32000, '2020-10-01'),
  ev.ended('im', '2021-12-31', 'other'),
  ev.enrolled('e2', 'resident', H, '2025-01-10'),
  ...extra,
];

const withCity: PolicyCatalog = [
  ...POLICY_CATALOG,
  // A city that declares an extended window and a shorter wait overrides only those fields (004 五 lets cities extend).
  {
    regionCode: '410300',
    name: '洛阳市',
    years: { 2024: { resident: { extendedWindow: { from: '2024-01-01', to: '2024-02-29' }, waitingPeriod: { kind: 'fixed_days', days: 15 } } } },
  },
];

const cases: Case[] = [
  // --- Henan centralized period, year boundaries (004 五: 9-12月集中缴费期, 次年1月1日至12月31日) ---
  {
    name: '004 五: paid in the centralized period → covered 1 Jan-31 Dec',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01')],
    asOf: '2024-01-01',
    expect: {
      status: 'covered',
      scheme: 'resident',
      regionCode: H,
      coveredFrom: '2024-01-01',
      coveredTo: '2024-12-31',
      waitingExemption: 'centralized_period',
      waitingPeriod: null,
    },
  },
  {
    name: '004 五: centralized payment gives nothing on 31 Dec of the paying year',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01')],
    asOf: '2023-12-31',
    expect: { status: 'not_covered', scheme: null, coveredFrom: null },
  },
  {
    name: '004 五: still covered on 31 Dec of the coverage year',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01')],
    asOf: '2024-12-31',
    expect: { status: 'covered', coveredTo: '2024-12-31' },
  },
  {
    name: '004 五: cover ends with the year: 1 Jan next year uncovered',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01')],
    asOf: '2025-01-01',
    expect: { status: 'not_covered', continuity: { status: 'continuous', continuousYears: 1, since: '2024-01-01' } },
  },
  {
    name: '004 五: payment on the last day of the window (31 Dec, 23:59 China time) counts',
    events: [
      ...inHenan,
      {
        type: 'ContributionRecorded',
        data: {
          contributionId: 'c1',
          enrollmentId: 'e1',
          scheme: 'resident',
          regionCode: H,
          coverageYear: 2024,
          amountFen: 38000,
          payer: 'individual',
          paidAt: '2023-12-31T23:59:59+08:00',
          kind: 'regular',
        },
      },
    ],
    asOf: '2024-01-01',
    expect: { status: 'covered', waitingExemption: 'centralized_period' },
  },
  {
    name: '004 五 + China time: 31 Dec 16:30Z is 1 Jan in China → outside the window, 30-day wait',
    events: [
      ...inHenan,
      {
        type: 'ContributionRecorded',
        data: {
          contributionId: 'c1',
          enrollmentId: 'e1',
          scheme: 'resident',
          regionCode: H,
          coverageYear: 2024,
          amountFen: 38000,
          payer: 'individual',
          paidAt: '2023-12-31T16:30:00Z',
          kind: 'regular',
        },
      },
    ],
    asOf: '2024-01-30',
    expect: {
      status: 'waiting',
      waitingPeriod: { from: '2024-01-01', to: '2024-01-30', reason: expect.stringContaining('30-day') },
      coveredFrom: '2024-01-31',
    },
  },
  {
    name: '004 五: first day of the window (1 Sep) counts',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-09-01')],
    asOf: '2024-03-01',
    expect: { status: 'covered', waitingExemption: 'centralized_period' },
  },
  {
    name: '004 五: a payment before the window opens is not a centralized payment (wait from 1 Jan)',
    events: [reg, ev.enrolled('e1', 'resident', H, '2023-08-01'), ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-08-31')],
    asOf: '2024-01-15',
    expect: { status: 'waiting', waitingPeriod: { from: '2024-01-01', to: '2024-01-30', reason: expect.any(String) } },
  },

  // --- Henan 30-day waiting period (004 五: 待遇等待期为30天, 不追溯) ---
  {
    name: '004 五: paid 10 Feb 2024 → waiting until 10 Mar (30 days incl.)',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-10')],
    asOf: '2024-03-10',
    expect: {
      status: 'waiting',
      coveredFrom: '2024-03-11',
      coveredTo: '2024-12-31',
      waitingPeriod: { from: '2024-02-10', to: '2024-03-10', reason: expect.any(String) },
    },
  },
  {
    name: '004 五: day 31 after payment is covered',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-10')],
    asOf: '2024-03-11',
    expect: {
      status: 'covered',
      coveredFrom: '2024-03-11',
      waitingExemption: null,
      waitingPeriod: { from: '2024-02-10', to: '2024-03-10', reason: expect.any(String) },
    },
  },
  {
    name: '004 五 + leap year: paid 30 Jan 2024 → cover starts 29 Feb 2024',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-01-30')],
    asOf: '2024-02-29',
    expect: { status: 'covered', coveredFrom: '2024-02-29' },
  },
  {
    name: '004 五 + leap year: 28 Feb 2024 still waiting',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-01-30')],
    asOf: '2024-02-28',
    expect: { status: 'waiting', coveredFrom: '2024-02-29' },
  },
  {
    name: '004 五: never retroactive: before the late payment the person is uncovered',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-10')],
    asOf: '2024-02-09',
    expect: { status: 'not_covered', waitingPeriod: null },
  },

  // --- National 2025 rule through inheritance (DOMAIN.md "National rules from 2025") ---
  {
    name: 'DOMAIN.md national 2025: Henan 2025 inherits the 3-month wait (paid 10 Feb → waiting on 10 Mar)',
    events: [reg, ev.enrolled('e1', 'resident', H, '2025-01-10'), ev.residentPaid('c1', 'e1', H, 2025, 40000, '2025-02-10')],
    asOf: '2025-03-11',
    expect: {
      status: 'waiting',
      coveredFrom: '2025-05-10',
      waitingPeriod: { from: '2025-02-10', to: '2025-05-09', reason: expect.stringContaining('waiting 3 months') },
    },
  },
  {
    name: 'DOMAIN.md national 2025 vs 004: same payment date, Henan 2024 already covered on 11 Mar',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-10')],
    asOf: '2024-03-11',
    expect: { status: 'covered' },
  },
  {
    name: 'DOMAIN.md national 2025: covered from the day after 3 months',
    events: [reg, ev.enrolled('e1', 'resident', H, '2025-01-10'), ev.residentPaid('c1', 'e1', H, 2025, 40000, '2025-02-10')],
    asOf: '2025-05-10',
    expect: { status: 'covered', coveredFrom: '2025-05-10', coveredTo: '2025-12-31' },
  },
  {
    name: 'DOMAIN.md national 2025: continuous person paying in the centralized period has no wait',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'), ev.residentPaid('c2', 'e1', H, 2025, 40000, '2024-11-01')],
    asOf: '2025-01-01',
    expect: { status: 'covered', waitingExemption: 'centralized_period', continuity: { status: 'continuous', continuousYears: 1, since: '2024-01-01' } },
  },
  {
    name: 'DOMAIN.md national 2025: not continuously enrolled → waits even when paying in the centralized period',
    events: [
      reg,
      ev.enrolled('e1', 'resident', H, '2022-09-01'),
      ev.residentPaid('c1', 'e1', H, 2023, 35000, '2022-10-01'),
      ev.residentPaid('c2', 'e1', H, 2025, 40000, '2024-11-01'),
    ],
    asOf: '2025-03-31',
    expect: {
      status: 'waiting',
      waitingPeriod: { from: '2025-01-01', to: '2025-03-31', reason: expect.stringContaining('1 lapsed year') },
      coveredFrom: '2025-04-01',
    },
  },
  {
    name: 'DOMAIN.md national 2025: 3 lapsed years → 3 + 2 months',
    events: longLapse([ev.residentPaid('c1', 'e2', H, 2025, 40000, '2025-02-01')]),
    asOf: '2025-06-30',
    expect: {
      status: 'waiting',
      waitingPeriod: { from: '2025-02-01', to: '2025-06-30', reason: expect.stringContaining('waiting 5 months') },
      coveredFrom: '2025-07-01',
    },
  },
  {
    name: 'DOMAIN.md national 2025: lapse then make-up: each year made up removes a month (3 lapsed, 1 made up → 4)',
    events: longLapse([
      ev.residentPaid('mu24', 'e2', H, 2024, 38000, '2025-01-20', { kind: 'make_up' }),
      ev.residentPaid('c1', 'e2', H, 2025, 40000, '2025-02-01'),
    ]),
    asOf: '2025-06-01',
    expect: {
      status: 'covered',
      coveredFrom: '2025-06-01',
      waitingPeriod: { from: '2025-02-01', to: '2025-05-31', reason: expect.stringContaining('1 made up') },
    },
  },
  {
    name: 'DOMAIN.md national 2025: a make-up paid after the new payment does not shorten it',
    events: longLapse([
      ev.residentPaid('c1', 'e2', H, 2025, 40000, '2025-02-01'),
      ev.residentPaid('mu24', 'e2', H, 2024, 38000, '2025-03-20', { kind: 'make_up' }),
    ]),
    asOf: '2025-06-01',
    expect: { status: 'waiting', coveredFrom: '2025-07-01' },
  },
  {
    name: 'DOMAIN.md national 2025: 4 lapsed years → 3 + 3 = 6 months',
    events: longLapse([ev.residentPaid('c1', 'e2', H, 2026, 40000, '2026-02-01')]),
    asOf: '2026-07-31',
    expect: {
      status: 'waiting',
      coveredFrom: '2026-08-01',
      waitingPeriod: { from: '2026-02-01', to: '2026-07-31', reason: expect.stringContaining('4 lapsed') },
    },
  },
  {
    name: 'DOMAIN.md national 2025: ≥4 lapsed years keep a 6-month floor even after 3 make-ups',
    events: longLapse([
      ev.residentPaid('m22', 'e2', IM, 2022, 36000, '2025-03-01', { kind: 'make_up' }),
      ev.residentPaid('m23', 'e2', H, 2023, 35000, '2025-03-01', { kind: 'make_up' }),
      ev.residentPaid('m24', 'e2', H, 2024, 38000, '2025-03-01', { kind: 'make_up' }),
      ev.residentPaid('c1', 'e2', H, 2026, 40000, '2026-02-01'),
    ]),
    asOf: '2026-07-31',
    expect: {
      status: 'waiting',
      coveredFrom: '2026-08-01',
      waitingPeriod: { from: '2026-02-01', to: '2026-07-31', reason: expect.stringContaining('floor 6') },
    },
  },

  // --- Newborns (000 三(一), 002 二, 004 五; 90 days: DOMAIN.md) ---
  {
    name: '000/004 newborn: paid 17 days after birth → covered from the birth date',
    events: [ev.registered('2024-03-15'), ev.enrolled('e1', 'resident', H, '2024-03-20'), ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-04-01')],
    asOf: '2024-03-15',
    expect: { status: 'covered', coveredFrom: '2024-03-15', waitingExemption: 'newborn' },
  },
  {
    name: 'DOMAIN.md newborn: day 90 after birth is still within the grace',
    events: [ev.registered('2024-01-01'), ev.enrolled('e1', 'resident', H, '2024-01-05'), ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-03-31')],
    asOf: '2024-01-01',
    expect: { status: 'covered', waitingExemption: 'newborn' },
  },
  {
    name: 'DOMAIN.md newborn: day 91 without the newborn category → ordinary 30-day wait (004)',
    events: [ev.registered('2024-01-01'), ev.enrolled('e1', 'resident', H, '2024-01-05'), ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-04-01')],
    asOf: '2024-04-15',
    expect: { status: 'waiting' },
  },
  {
    name: '004 五 newborn category: exempt from the month of payment when paid after 90 days',
    events: [
      ev.registered('2024-01-01', ['newborn']),
      ev.enrolled('e1', 'resident', H, '2024-01-05'),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-04-20'),
    ],
    asOf: '2024-04-01',
    expect: { status: 'covered', coveredFrom: '2024-04-01', waitingExemption: 'newborn' },
  },
  {
    name: 'DOMAIN.md newborn under national 2025: no 3-month wait',
    events: [ev.registered('2025-02-10'), ev.enrolled('e1', 'resident', H, '2025-02-12'), ev.residentPaid('c1', 'e1', H, 2025, 40000, '2025-02-20')],
    asOf: '2025-02-10',
    expect: { status: 'covered', waitingExemption: 'newborn' },
  },

  // --- Rural low-income groups, one case per code (000 三(一); 004 五 困难群众) ---
  ...LOW_INCOME_CATEGORIES.map((code): Case => ({
    name: `000 三(一) low income '${code}': late payment covered from the month of payment`,
    events: [...inHenan, ev.categories([code], '2024-01-01'), ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-05-20', { payer: 'medical_assistance' })],
    asOf: '2024-05-01',
    expect: { status: 'covered', coveredFrom: '2024-05-01', waitingExemption: 'low_income' },
  })),
  {
    name: '000 三(一): a category that ended before the payment gives no exemption',
    events: [
      ...inHenan,
      ev.categories(['minimum_living'], '2024-01-01'),
      ev.categories([], '2024-05-01'),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-05-20'),
    ],
    asOf: '2024-06-01',
    expect: { status: 'waiting' },
  },

  // --- Employee → resident within 3 months (000 三(一), 002 二) ---
  {
    name: '000 三(一): joins resident 3 months after employee contributions stopped → no wait',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2023-01-01', { employerId: 'acme' }),
      ...employeeMonths('w', 'w1', H, '2023-01', '2024-03'),
      ev.ended('w1', '2024-03-31', 'left_employer'),
      ev.enrolled('e1', 'resident', H, '2024-04-05'),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-06-10'),
    ],
    asOf: '2024-06-01',
    expect: { status: 'covered', scheme: 'resident', coveredFrom: '2024-06-01', waitingExemption: 'employee_gap_within_3_months' },
  },
  {
    name: '000 三(一): 4 months after employee contributions stopped → 30-day wait (004)',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2023-01-01', { employerId: 'acme' }),
      ...employeeMonths('w', 'w1', H, '2023-01', '2024-03'),
      ev.ended('w1', '2024-03-31', 'left_employer'),
      ev.enrolled('e1', 'resident', H, '2024-04-05'),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-07-10'),
    ],
    asOf: '2024-07-20',
    expect: { status: 'waiting', scheme: 'resident' },
  },

  // --- Transfer (DOMAIN.md "Cross-province transfer"; 004) ---
  {
    name: 'DOMAIN.md transfer: resident transferred in mid-year → no wait, continuity kept',
    events: [
      reg,
      ev.enrolled('g1', 'resident', GX, '2022-09-01'),
      ev.residentPaid('g23', 'g1', GX, 2023, 35000, '2022-10-01'),
      ev.ended('g1', '2024-05-31', 'transferred_out'),
      ev.enrolled('e1', 'resident', H, '2024-06-03', { via: 'transfer', transferId: 't1' }),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-06-05'),
    ],
    asOf: '2024-06-10',
    expect: {
      status: 'covered',
      regionCode: H,
      coveredFrom: '2024-06-01',
      waitingExemption: 'transfer',
      continuity: { status: 'continuous', continuousYears: 1, since: '2023-01-01' },
    },
  },
  {
    name: 'DOMAIN.md transfer under national 2025: no 3-month wait',
    events: [
      reg,
      ev.enrolled('e1', 'resident', H, '2025-03-02', { via: 'transfer', transferId: 't1' }),
      ev.residentPaid('c1', 'e1', H, 2025, 40000, '2025-03-03'),
    ],
    asOf: '2025-03-05',
    expect: { status: 'covered', coveredFrom: '2025-03-01', waitingExemption: 'transfer' },
  },

  // --- Reversal and underpayment (DOMAIN.md "Amounts": underpaid years are arrears, not coverage) ---
  {
    name: 'DOMAIN.md: a reversed contribution removes its cover',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'), ev.reversed('c1')],
    asOf: '2024-06-01',
    expect: { status: 'not_covered', arrearsFen: 0 },
  },
  {
    name: 'DOMAIN.md: reversal then a new late payment → 30-day wait from the new payment (004)',
    events: [
      ...inHenan,
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'),
      ev.reversed('c1'),
      ev.residentPaid('c2', 'e1', H, 2024, 38000, '2024-02-01'),
    ],
    asOf: '2024-02-15',
    expect: { status: 'waiting', coveredFrom: '2024-03-02' },
  },
  {
    name: 'DOMAIN.md: 300 of 380元 paid → not covered, 80元 arrears',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 30000, '2023-10-01')],
    asOf: '2024-03-01',
    expect: { status: 'not_covered', arrearsFen: 8000 },
  },
  {
    name: 'DOMAIN.md: underpayment completed inside the window → centralized cover, no arrears',
    events: [
      ...inHenan,
      ev.residentPaid('c1', 'e1', H, 2024, 30000, '2023-10-01'),
      ev.residentPaid('c2', 'e1', H, 2024, 8000, '2023-12-20', { kind: 'make_up' }),
    ],
    asOf: '2024-01-01',
    expect: { status: 'covered', waitingExemption: 'centralized_period', arrearsFen: 0 },
  },
  {
    name: 'DOMAIN.md + 004: underpayment completed in January → waits 30 days from completion; arrears before',
    events: [
      ...inHenan,
      ev.residentPaid('c1', 'e1', H, 2024, 30000, '2023-10-01'),
      ev.residentPaid('c2', 'e1', H, 2024, 8000, '2024-01-15', { kind: 'make_up' }),
    ],
    asOf: '2024-01-10',
    expect: { status: 'not_covered', arrearsFen: 8000 },
  },
  {
    name: 'DOMAIN.md + 004: same, after completion the arrears are gone and the wait runs',
    events: [
      ...inHenan,
      ev.residentPaid('c1', 'e1', H, 2024, 30000, '2023-10-01'),
      ev.residentPaid('c2', 'e1', H, 2024, 8000, '2024-01-15', { kind: 'make_up' }),
    ],
    asOf: '2024-01-20',
    expect: { status: 'waiting', arrearsFen: 0, coveredFrom: '2024-02-14' },
  },
  {
    name: '002 一: Inner Mongolia 2021 paid at the pre-raise 280元 → covered, 40元 arrears',
    events: [reg, ev.enrolled('im', 'resident', IM, '2020-09-01'), ev.residentPaid('c1', 'im', IM, 2021, 28000, '2020-10-01')],
    asOf: '2021-07-01',
    expect: { status: 'covered', waitingExemption: 'centralized_period', arrearsFen: 4000 },
  },
  {
    name: '002 一: the 40元 made up with the 2022 collection clears the arrears',
    events: [
      reg,
      ev.enrolled('im', 'resident', IM, '2020-09-01'),
      ev.residentPaid('c1', 'im', IM, 2021, 28000, '2020-10-01'),
      ev.residentPaid('c2', 'im', IM, 2021, 4000, '2021-10-15', { kind: 'make_up' }),
    ],
    asOf: '2021-11-01',
    expect: { status: 'covered', arrearsFen: 0 },
  },
  {
    name: '002 一: Inner Mongolia 2022 requires 360元; 350 leaves 10元 arrears and no cover',
    events: [reg, ev.enrolled('im', 'resident', IM, '2021-09-01'), ev.residentPaid('c1', 'im', IM, 2022, 35000, '2021-10-01')],
    asOf: '2022-02-01',
    expect: { status: 'not_covered', arrearsFen: 1000 },
  },
  {
    name: '000 一(三): Guangxi 2023 paid 350元 in the (assumed) window → covered all 2023',
    events: [reg, ev.enrolled('g1', 'resident', GX, '2022-09-01'), ev.residentPaid('c1', 'g1', GX, 2023, 35000, '2022-11-01')],
    asOf: '2023-12-31',
    expect: { status: 'covered', regionCode: GX, coveredFrom: '2023-01-01' },
  },
  {
    name: '000 三(一): Guangxi sets no wait length, so a late payer is reported waiting for the rest of the year',
    events: [reg, ev.enrolled('g1', 'resident', GX, '2022-09-01'), ev.residentPaid('c1', 'g1', GX, 2023, 35000, '2023-03-01')],
    asOf: '2023-06-01',
    expect: {
      status: 'waiting',
      coveredFrom: null,
      waitingPeriod: { from: '2023-03-01', to: '2023-12-31', reason: expect.stringContaining('sets no length') },
    },
  },

  // --- Lapse (DOMAIN.md "Lapse and continuity") ---
  {
    name: 'DOMAIN.md lapse: unpaid 2025 after a covered 2024 → uncovered, continuity broken by June',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'), ev.lapse('resident', H, '2025', '2024-12-31')],
    asOf: '2025-06-01',
    expect: { status: 'not_covered', continuity: { status: 'broken', continuousYears: 0, since: null } },
  },
  {
    name: 'DOMAIN.md lapse then make-up: paying 2025 in 2026 buys no 2025 cover',
    events: [
      ...inHenan,
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'),
      ev.lapse('resident', H, '2025', '2024-12-31'),
      ev.residentPaid('mu', 'e1', H, 2025, 40000, '2026-01-20', { kind: 'make_up' }),
    ],
    asOf: '2025-06-01',
    expect: { status: 'not_covered', arrearsFen: 0 },
  },

  // --- Employee scheme gaps (DOMAIN.md "Employee-scheme gaps") ---
  {
    name: 'DOMAIN.md employee: last paid month covered to 31 Dec',
    events: [reg, ev.enrolled('w1', 'employee', H, '2024-01-01'), ...employeeMonths('w', 'w1', H, '2024-01', '2024-12')],
    asOf: '2024-12-31',
    expect: { status: 'covered', scheme: 'employee', coveredFrom: '2024-01-01', coveredTo: '2024-12-31' },
  },
  {
    name: 'DOMAIN.md employee: unpaid January is uncovered on 1 Jan',
    events: [reg, ev.enrolled('w1', 'employee', H, '2024-01-01'), ...employeeMonths('w', 'w1', H, '2024-01', '2024-12')],
    asOf: '2025-01-01',
    expect: { status: 'not_covered' },
  },
  {
    name: 'DOMAIN.md employee gap ≤ 3 months made up → retroactive cover',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ...employeeMonths('w', 'w1', H, '2024-06', '2024-12'),
      ...employeeMonths('mu', 'w1', H, '2024-04', '2024-05', { kind: 'make_up' }),
    ],
    asOf: '2024-04-15',
    expect: { status: 'covered', waitingExemption: 'employee_gap_within_3_months' },
  },
  {
    name: 'DOMAIN.md employee gap ≤ 3 months not made up → uncovered gap, no wait after',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ...employeeMonths('w', 'w1', H, '2024-06', '2024-12'),
    ],
    asOf: '2024-06-01',
    expect: { status: 'covered', waitingPeriod: null },
  },
  {
    name: 'DOMAIN.md employee gap > 3 months → 6-month wait on resumption',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ...employeeMonths('w', 'w1', H, '2024-09', '2025-04'),
    ],
    asOf: '2025-02-28',
    expect: {
      status: 'waiting',
      scheme: 'employee',
      waitingPeriod: { from: '2024-09-01', to: '2025-02-28', reason: expect.stringContaining('gap of 5 months') },
      coveredFrom: '2025-03-01',
    },
  },
  {
    name: 'DOMAIN.md employee gap > 3 months: covered in the 7th month',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ...employeeMonths('w', 'w1', H, '2024-09', '2025-04'),
    ],
    asOf: '2025-03-01',
    expect: { status: 'covered', coveredFrom: '2025-03-01' },
  },
  {
    name: 'DOMAIN.md employee gap > 3 months made up: no retroactive cover',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ...employeeMonths('w', 'w1', H, '2024-09', '2025-04'),
      ...employeeMonths('mu', 'w1', H, '2024-04', '2024-08', { kind: 'make_up' }),
    ],
    asOf: '2024-04-15',
    expect: { status: 'not_covered' },
  },
  {
    name: 'DOMAIN.md employee long gap resumed through a transfer → no wait',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01'),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-03'),
      ev.ended('w1', '2024-03-31', 'transferred_out'),
      ev.enrolled('w2', 'employee', H, '2024-09-01', { via: 'transfer' }),
      ...employeeMonths('x', 'w2', H, '2024-09', '2024-12'),
    ],
    asOf: '2024-09-01',
    expect: { status: 'covered', waitingExemption: 'transfer' },
  },

  // --- Employer deferral (004 缓缴; 医保发〔2022〕21号 视同足额缴纳) ---
  {
    name: '004 缓缴: deferred months are covered and flagged',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01', { employerId: 'yiyang-co' }),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-06'),
      ev.deferred('d1', 'yiyang-co', ['2024-07', '2024-08', '2024-09']),
      ...employeeMonths('w', 'w1', H, '2024-10', '2024-12'),
    ],
    asOf: '2024-08-15',
    expect: { status: 'covered', waitingExemption: 'deferral', coveredFrom: '2024-07-01', coveredTo: '2024-09-30' },
  },
  {
    name: '004 缓缴: no wait after the deferral and continuity unbroken',
    events: [
      reg,
      ev.enrolled('w1', 'employee', H, '2024-01-01', { employerId: 'yiyang-co' }),
      ...employeeMonths('w', 'w1', H, '2024-01', '2024-06'),
      ev.deferred('d1', 'yiyang-co', ['2024-07', '2024-08', '2024-09']),
      ev.deferralMadeUp('d1', ['2024-07', '2024-08', '2024-09']),
      ...employeeMonths('w', 'w1', H, '2024-10', '2024-12'),
    ],
    asOf: '2024-12-31',
    expect: { status: 'covered', waitingPeriod: null, continuity: { status: 'continuous', continuousYears: 1, since: '2024-01-01' } },
  },

  // --- Continuity across schemes and regions (DOMAIN.md "Lapse and continuity") ---
  {
    name: 'DOMAIN.md continuity: Guangxi 2023 + Henan 2024 + employee 2025 = 3 continuous years',
    events: [
      reg,
      ev.enrolled('g1', 'resident', GX, '2022-09-01'),
      ev.residentPaid('g23', 'g1', GX, 2023, 35000, '2022-10-01'),
      ev.ended('g1', '2023-12-31', 'transferred_out'),
      ev.enrolled('e1', 'resident', H, '2024-01-01', { via: 'transfer' }),
      ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-01-02'),
      ev.ended('e1', '2024-12-31', 'moved_to_employee'),
      ev.enrolled('w1', 'employee', H, '2025-01-01'),
      ...employeeMonths('w', 'w1', H, '2025-01', '2025-12'),
    ],
    asOf: '2025-12-31',
    expect: { status: 'covered', scheme: 'employee', continuity: { status: 'continuous', continuousYears: 3, since: '2023-01-01' } },
  },
  {
    name: 'DOMAIN.md: death ends cover on the day of death',
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2023-10-01'), ev.ended('e1', '2024-05-20', 'death')],
    asOf: '2024-05-21',
    expect: { status: 'not_covered' },
  },

  // --- Policy inheritance with a city override (regions.ts / policy: county → city → province → national) ---
  {
    name: 'policy inheritance: a Luoyang city override (15-day wait) applies to its county 410327',
    catalog: withCity,
    events: [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-01')],
    asOf: '2024-02-16',
    expect: { status: 'covered', coveredFrom: '2024-02-16' },
  },
  {
    name: 'policy inheritance: the override does not leak to another Henan city (410100 keeps 30 days)',
    catalog: withCity,
    events: [reg, ev.enrolled('e1', 'resident', '410102', '2023-09-01'), ev.residentPaid('c1', 'e1', '410102', 2024, 38000, '2024-02-01')],
    asOf: '2024-02-16',
    expect: { status: 'waiting' },
  },

  // --- Unknown region / year are errors, never defaults (brief; resolvePolicy) ---
  {
    name: 'resolvePolicy: a stored payment for a year no level defines → unknown_policy_year',
    events: [reg, ev.enrolled('e1', 'resident', '310101', '2023-09-01'), ev.residentPaid('c1', 'e1', '310101', 2024, 38000, '2023-10-01')],
    asOf: '2024-06-01',
    error: 'unknown_policy_year',
  },
  {
    name: 'resolvePolicy: a stored payment for an impossible region → unknown_region',
    events: [reg, ev.enrolled('e1', 'resident', '990101', '2023-09-01'), ev.residentPaid('c1', 'e1', '990101', 2024, 38000, '2023-10-01')],
    asOf: '2024-06-01',
    error: 'unknown_region',
  },
];

describe('coverageAsOf: policy cases', () => {
  test('the table has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const state = replayPerson(c.events);
    if (c.error) {
      expect(() => coverageAsOf(state, c.asOf, { catalog: c.catalog })).toThrow(expect.objectContaining({ code: c.error }));
      return;
    }
    const answer = coverageAsOf(state, c.asOf, { catalog: c.catalog });
    expect(answer).toMatchObject(c.expect!);
    // Whatever the case, the answer must agree with the timeline on that date.
    const period = coverageTimeline(state, { catalog: c.catalog }).find((p) => p.from <= c.asOf && c.asOf <= p.to);
    expect(answer.status).toBe(period?.status ?? 'not_covered');
  });

  test('the answer has exactly the documented fields', () => {
    const answer = coverageAsOf(replayPerson(inHenan), '2024-01-01');
    expect(Object.keys(answer).sort()).toEqual(
      [
        'arrearsFen',
        'asOf',
        'continuity',
        'coveredFrom',
        'coveredTo',
        'personId',
        'regionCode',
        'scheme',
        'status',
        'waitingExemption',
        'waitingPeriod',
      ].sort(),
    );
    expect(answer).toMatchObject({ personId: 'p1', status: 'not_covered', continuity: { status: 'none', continuousYears: 0, since: null } });
  });

  test('late events arriving out of order give the same answers (004 五 late payer + 2025)', () => {
    const events = [...inHenan, ev.residentPaid('c1', 'e1', H, 2024, 38000, '2024-02-10'), ev.residentPaid('c2', 'e1', H, 2025, 40000, '2024-11-01')];
    const reversed = replayPerson([...events].reverse());
    const ordered = replayPerson(events);
    for (const d of ['2024-02-09', '2024-03-10', '2024-03-11', '2025-01-01', '2025-12-31']) {
      expect(coverageAsOf(reversed, d)).toEqual(coverageAsOf(ordered, d));
    }
    expect(coverageTimeline(reversed)).toEqual(coverageTimeline(ordered));
  });
});
