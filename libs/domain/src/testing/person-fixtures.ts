import type { IsoDate, IsoMonth } from '../dates';
import type { ContributionRecordedData, EnrolledInSchemeData, EnrollmentEndReason, PersonEvent, Scheme } from '../person/events';
import { lapseIdFor } from '../person/events';
import type { PersonCategory } from '../policy/types';
import { makeResidentId } from '../resident-id';

/** Small builders so each test case reads as a list of business facts. */
export const ev = {
  registered(birthDate: IsoDate, categories: PersonCategory[] = [], personId = 'p1', region = '410327'): PersonEvent {
    return { type: 'PersonRegistered', data: { personId, idNumber: makeResidentId(region, birthDate, 12), name: '张三', birthDate, categories } };
  },
  categories(categories: PersonCategory[], effectiveFrom: IsoDate): PersonEvent {
    return { type: 'PersonCategoriesChanged', data: { categories, effectiveFrom } };
  },
  enrolled(enrollmentId: string, scheme: Scheme, regionCode: string, enrolledOn: IsoDate, extra: Partial<EnrolledInSchemeData> = {}): PersonEvent {
    return { type: 'EnrolledInScheme', data: { enrollmentId, scheme, regionCode, enrolledOn, ...extra } };
  },
  ended(enrollmentId: string, endedOn: IsoDate, reason: EnrollmentEndReason = 'other'): PersonEvent {
    return { type: 'EnrollmentEnded', data: { enrollmentId, endedOn, reason } };
  },
  /** Resident contribution; `paidOn` is a China date, stored as 10:00 China time. */
  residentPaid(
    contributionId: string,
    enrollmentId: string,
    regionCode: string,
    coverageYear: number,
    amountFen: number,
    paidOn: IsoDate,
    extra: Partial<ContributionRecordedData> = {},
  ): PersonEvent {
    return {
      type: 'ContributionRecorded',
      data: {
        contributionId,
        enrollmentId,
        scheme: 'resident',
        regionCode,
        coverageYear,
        amountFen,
        payer: 'individual',
        paidAt: `${paidOn}T10:00:00+08:00`,
        kind: 'regular',
        ...extra,
      },
    };
  },
  employeePaid(
    contributionId: string,
    enrollmentId: string,
    regionCode: string,
    coverageMonth: IsoMonth,
    paidOn: IsoDate,
    extra: Partial<ContributionRecordedData> = {},
  ): PersonEvent {
    return {
      type: 'ContributionRecorded',
      data: {
        contributionId,
        enrollmentId,
        scheme: 'employee',
        regionCode,
        coverageMonth,
        amountFen: 80_000,
        payer: 'employer',
        paidAt: `${paidOn}T10:00:00+08:00`,
        kind: 'regular',
        part: 'both',
        ...extra,
      },
    };
  },
  reversed(contributionId: string, reversedAt = '2024-06-01T10:00:00+08:00', reason = 'bank return'): PersonEvent {
    return { type: 'ContributionReversed', data: { contributionId, reversedAt, reason } };
  },
  lapse(scheme: Scheme, regionCode: string, period: string, recordedFor: IsoDate): PersonEvent {
    return { type: 'LapseRecorded', data: { lapseId: lapseIdFor(scheme, period), scheme, regionCode, period, recordedFor } };
  },
  deferred(deferralId: string, employerId: string, months: IsoMonth[]): PersonEvent {
    return { type: 'UnitContributionDeferred', data: { deferralId, employerId, months } };
  },
  deferralMadeUp(deferralId: string, months: IsoMonth[]): PersonEvent {
    return { type: 'DeferredContributionMadeUp', data: { deferralId, months } };
  },
};

/** Employee contributions for every month in [from, to], ids `${prefix}-${month}`. */
export function employeeMonths(
  prefix: string,
  enrollmentId: string,
  regionCode: string,
  from: IsoMonth,
  to: IsoMonth,
  extra: Partial<ContributionRecordedData> = {},
): PersonEvent[] {
  const out: PersonEvent[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > to) break;
    out.push(ev.employeePaid(`${prefix}-${month}`, enrollmentId, regionCode, month, `${month}-15`, extra));
    m += 1;
    if (m > 12) [y, m] = [y + 1, 1];
  }
  return out;
}
