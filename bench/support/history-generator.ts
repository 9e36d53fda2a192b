import { randomUUID } from 'node:crypto';
import {
  addDays,
  chinaToday,
  decidePerson,
  evolvePerson,
  initialPersonState,
  isDomainError,
  lapsesDue,
  LOW_INCOME_CATEGORIES,
  makeResidentId,
  personalShareFen,
  resolvePolicy,
  type EffectivePolicy,
  type IsoDate,
  type PersonCategory,
  type PersonCommand,
  type PersonEvent,
  type PersonState,
} from '@ledger/domain';

/**
 * Random but valid person histories, decided command by command by the domain's own decider (as the
 * command path does), in business-time order: registration, a resident enrollment, each coverage year's
 * payment inside its centralized window, the period-end lapse job on 31 December, and now and then a
 * bank return with a second payment, a category change, or a move to an employer (monthly individual
 * and unit contributions from then on). Nothing here bypasses a domain rule, so a refused command is a
 * bug in the generator and stops the run.
 */

export interface HistorySettings {
  /** Coverage years ending with the current one: 10 means 2017–2026 when run in 2026. */
  years: number;
  /** Share of persons who move to the employee scheme (percent). */
  employeePercent: number;
  seed: number;
}

export interface GeneratedCommand {
  /** The events the decider produced (a retried or already-applied command produces none). */
  events: PersonEvent[];
  reason?: string;
  /** Lapses are appended by the period-end job, everything else by a clerk. */
  byJob: boolean;
}

export interface PersonHistory {
  personId: string;
  idNumber: string;
  commands: GeneratedCommand[];
  eventCount: number;
}

/** Counties of the three provinces whose policies the catalogue holds (Henan, Guangxi, Inner Mongolia). */
const COUNTIES = ['410327', '410105', '450102', '450103', '150102', '150105'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛'];
// extreme_hardship pays nothing personally: a payment of 0 fen is not a payment.
const CATEGORIES = LOW_INCOME_CATEGORIES.filter((c) => c !== 'extreme_hardship') as PersonCategory[];
/** Birth dates are spread over this many days from 1950-01-01; with the sequence digits that keeps ID numbers unique. */
const BIRTH_DAYS = 20_000;

/** mulberry32: small, fast and seedable, so a size reproduces the same histories. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distinct ID numbers for person numbers 0 … 24 million: region, birth date and sequence digits all vary. */
export function residentIdFor(index: number): { region: string; idNumber: string } {
  const region = COUNTIES[index % COUNTIES.length];
  const j = Math.floor(index / COUNTIES.length);
  // 7919 is prime and does not divide 20,000: multiplying permutes the days, so neighbours are born far apart.
  const day = (j * 7919) % BIRTH_DAYS;
  const k = Math.floor(j / BIRTH_DAYS);
  if (k >= 200) throw new Error(`person ${index}: more persons than distinct generated ID numbers`);
  const birthDate = addDays('1950-01-01', day);
  return { region, idNumber: makeResidentId(region, birthDate, k % 100, k < 100 ? 'male' : 'female') };
}

function policyOf(region: string, year: number): EffectivePolicy | undefined {
  try {
    return resolvePolicy(region, year);
  } catch (error) {
    if (isDomainError(error) && error.code === 'unknown_policy_year') return undefined;
    throw error;
  }
}

const at = (date: IsoDate, rnd: () => number) =>
  `${date}T${String(8 + Math.floor(rnd() * 10)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}:00+08:00`;

export class HistoryGenerator {
  readonly today = chinaToday();
  readonly currentYear = Number(this.today.slice(0, 4));
  readonly firstYear: number;

  constructor(private readonly settings: HistorySettings) {
    this.firstYear = this.currentYear - settings.years + 1;
  }

  person(index: number): PersonHistory {
    const rnd = seededRandom(this.settings.seed * 1_000_003 + index);
    const { region, idNumber } = residentIdFor(index);
    const personId = randomUUID();
    const commands: GeneratedCommand[] = [];
    let state: PersonState = initialPersonState;
    let eventCount = 0;
    const run = (command: PersonCommand, byJob = false, reason?: string) => {
      const events = decidePerson(state, command, { today: this.today });
      for (const e of events) state = evolvePerson(state, e);
      commands.push({ events, byJob, ...(reason ? { reason } : {}) });
      eventCount += events.length;
    };
    const lapseJob = (periodEnd: IsoDate) => {
      for (const due of lapsesDue(state, periodEnd)) {
        if (due.type !== 'LapseRecorded') continue;
        const d = due.data;
        run(
          { type: 'RecordLapse', data: { scheme: d.scheme, regionCode: d.regionCode, period: d.period, recordedFor: periodEnd } },
          true,
          `period-end lapse job for ${periodEnd}`,
        );
      }
    };

    const name =
      SURNAMES[Math.floor(rnd() * SURNAMES.length)] + GIVEN[Math.floor(rnd() * GIVEN.length)] + (rnd() < 0.5 ? GIVEN[Math.floor(rnd() * GIVEN.length)] : '');
    const initialCategories = rnd() < 0.03 ? [CATEGORIES[Math.floor(rnd() * CATEGORIES.length)]] : [];
    run({ type: 'RegisterPerson', data: { personId, idNumber, name, categories: initialCategories } });
    const residentEnrollment = randomUUID();
    run({
      type: 'EnrollInScheme',
      data: { enrollmentId: residentEnrollment, scheme: 'resident', regionCode: region, enrolledOn: `${this.firstYear - 1}-09-01` },
    });

    const employee = rnd() * 100 < this.settings.employeePercent;
    // Employees move to an employer in one of the national-policy years (2025 on), the only years any region prices.
    const employeeFrom = employee ? Math.max(this.firstYear, this.currentYear - Math.floor(rnd() * 2)) : Infinity;
    const categoryChangeYear = rnd() < 0.02 ? this.firstYear + Math.floor(rnd() * this.settings.years) : undefined;

    for (let year = this.firstYear; year <= this.currentYear; year++) {
      if (year === employeeFrom) {
        run({ type: 'EndEnrollment', data: { enrollmentId: residentEnrollment, endedOn: `${year - 1}-12-31`, reason: 'moved_to_employee' } });
        run({
          type: 'EnrollInScheme',
          data: { enrollmentId: randomUUID(), scheme: 'employee', regionCode: region, enrolledOn: `${year}-01-01`, employerId: `employer-${index % 997}` },
        });
      }
      if (year < employeeFrom) this.residentYear(run, region, year, state, rnd);
      lapseJob(`${year - 1}-12-31`);
      if (year === categoryChangeYear) {
        run({ type: 'ChangeCategories', data: { categories: [CATEGORIES[Math.floor(rnd() * CATEGORIES.length)]], effectiveFrom: `${year}-03-01` } });
      }
      if (year >= employeeFrom) this.employeeYear(run, region, year, rnd);
    }
    return { personId, idNumber, commands, eventCount };
  }

  /** One coverage year's payment in the autumn before it: 8 % do not pay (the lapse job records it), 4 % see a bank return and pay again. */
  private residentYear(run: (c: PersonCommand) => void, region: string, year: number, state: PersonState, rnd: () => number) {
    const policy = policyOf(region, year);
    if (!policy || rnd() < 0.08) return;
    const amountFen = personalShareFen(policy, state.categories);
    if (amountFen <= 0) return;
    const window = policy.resident.centralizedWindow;
    const paidOn = addDays(window.from, Math.floor(rnd() * 60));
    if (paidOn > this.today) return;
    const contributionId = randomUUID();
    const pay = (id: string, on: IsoDate) =>
      run({
        type: 'RecordContribution',
        data: {
          contributionId: id,
          scheme: 'resident',
          regionCode: region,
          coverageYear: year,
          amountFen,
          payer: 'individual',
          paidAt: at(on, rnd),
          agencyReference: `TAX-${year}-${id.slice(0, 8)}`,
        },
      });
    pay(contributionId, paidOn);
    if (rnd() < 0.04) {
      const returnedOn = addDays(paidOn, 7);
      const repaidOn = addDays(paidOn, 14);
      if (repaidOn > window.to || repaidOn > this.today) return;
      run({ type: 'ReverseContribution', data: { contributionId, reversedAt: at(returnedOn, rnd), reason: 'bank return' } });
      pay(randomUUID(), repaidOn);
    }
  }

  /** Employee months of a year: the employer withholds the individual part and pays the unit part, both by the 15th. */
  private employeeYear(run: (c: PersonCommand) => void, region: string, year: number, rnd: () => number) {
    if (!policyOf(region, year)) return;
    const base = 500_000 + Math.floor(rnd() * 10) * 50_000; // contribution base in fen (5,000–9,500 yuan a month)
    for (let month = 1; month <= 12; month++) {
      const coverageMonth = `${year}-${String(month).padStart(2, '0')}`;
      const paidOn = `${coverageMonth}-15`;
      if (paidOn > this.today) return;
      for (const [part, payer, rate] of [
        ['individual', 'individual', 0.02],
        ['unit', 'employer', 0.07],
      ] as const) {
        run({
          type: 'RecordContribution',
          data: {
            contributionId: randomUUID(),
            scheme: 'employee',
            regionCode: region,
            coverageMonth,
            amountFen: Math.round(base * rate),
            payer,
            part,
            paidAt: at(paidOn, rnd),
          },
        });
      }
    }
  }
}
