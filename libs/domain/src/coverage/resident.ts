import {
  addDays,
  addMonths,
  daysBetween,
  endOfYear,
  firstDayOfMonth,
  IsoDate,
  IsoMonth,
  maxDate,
  minDate,
  monthOf,
  monthsBetween,
  startOfYear,
} from '../dates';
import { categoriesAt } from '../person/queries';
import type { PersonState } from '../person/state';
import { isLowIncomeCategory } from '../policy/types';
import type { EffectivePolicy } from '../policy/types';
import { continuityFromIndex, type InsuredMonthsIndex } from './continuity';
import type { EmployeeMonthFacts, ResidentYearPayment } from './payments';
import type { CoverageSegment, WaitingExemption } from './types';

interface Candidate {
  exemption: WaitingExemption;
  from: IsoDate;
}

const inWindow = (d: IsoDate, w: { from: IsoDate; to: IsoDate } | null) => !!w && w.from <= d && d <= w.to;

/**
 * Cover and waiting for one paid resident year. The fund never pays retroactively for the
 * waiting period (004 五), so cover begins only when the rule allows, never at payment.
 */
export function residentYearSegments(
  state: PersonState,
  payment: ResidentYearPayment,
  allPayments: readonly ResidentYearPayment[],
  insuredMonths: ReadonlySet<IsoMonth>,
  insuredIndex: InsuredMonthsIndex,
  employeeFacts: readonly EmployeeMonthFacts[],
): CoverageSegment[] {
  if (!payment.completion) return [];
  const { coverageYear: year, policy } = payment;
  const paidOn = payment.completion.date;
  const yearStart = startOfYear(year);
  const enrollment = state.enrollments[payment.enrollmentId];
  const endedOn = state.endings[payment.enrollmentId]?.endedOn ?? null;
  // Completed after the year: a make-up (补缴) of a past year, which never buys past cover.
  if (paidOn > endOfYear(year)) return [];
  const coverEnd = endedOn ? minDate(endOfYear(year), endedOn) : endOfYear(year);
  const startAfter = (d: IsoDate) => maxDate(d, yearStart);
  const base = {
    scheme: 'resident' as const,
    regionCode: payment.regionCode,
    causedBy: [payment.enrollmentId, ...payment.completion.contributionIds],
    groupKey: `resident:${year}:${payment.regionCode}`,
    rank: `1:${year}`,
  };

  const rule = policy.resident.waitingPeriod;
  const continuous = continuityFromIndex(insuredIndex, addDays(yearStart, -1), state.birthDate).status !== 'broken';
  const centralizedCounts = inWindow(paidOn, policy.resident.centralizedWindow) && (rule.kind !== 'national_2025' || continuous);

  const candidates: Candidate[] = [];
  if (centralizedCounts) candidates.push({ exemption: 'centralized_period', from: yearStart });
  const categories = categoriesAt(state, paidOn);
  if (policy.exemptCategories.includes('newborn')) {
    const age = state.birthDate ? daysBetween(state.birthDate, paidOn) : -1;
    if (state.birthDate && age >= 0 && age <= policy.newbornGraceDays) candidates.push({ exemption: 'newborn', from: startAfter(state.birthDate) });
    else if (categories.includes('newborn')) candidates.push({ exemption: 'newborn', from: startAfter(firstDayOfMonth(monthOf(paidOn))) });
  }
  if (enrollment?.via === 'transfer') {
    candidates.push({ exemption: 'transfer', from: startAfter(firstDayOfMonth(monthOf(maxDate(paidOn, enrollment.enrolledOn)))) });
  }
  const lastEmployeeMonth = employeeFacts
    .filter((f) => (f.onTime || f.madeUp) && f.month <= monthOf(paidOn))
    .map((f) => f.month)
    .pop();
  if (lastEmployeeMonth && monthsBetween(lastEmployeeMonth, monthOf(paidOn)) <= policy.employeeGapRule.graceMonths) {
    candidates.push({ exemption: 'employee_gap_within_3_months', from: startAfter(firstDayOfMonth(monthOf(paidOn))) });
  }
  if (categories.some((c) => isLowIncomeCategory(c) && policy.exemptCategories.includes(c))) {
    candidates.push({ exemption: 'low_income', from: startAfter(firstDayOfMonth(monthOf(paidOn))) });
  }
  // Earliest cover wins; equal starts keep the order above (most specific reason first).
  const best = candidates.reduce<Candidate | null>((b, c) => (b === null || c.from < b.from ? c : b), null);
  if (best) {
    if (best.from > coverEnd) return [];
    return [
      {
        ...base,
        from: best.from,
        to: coverEnd,
        status: 'covered',
        exemption: best.exemption,
        reason: `resident ${year}: no waiting period (${best.exemption})`,
      },
    ];
  }

  const waitStart = startAfter(paidOn);
  let coverFrom: IsoDate | null;
  let reason: string;
  switch (rule.kind) {
    case 'fixed_days':
      coverFrom = addDays(waitStart, rule.days);
      reason = `resident ${year}: paid ${paidOn} outside the centralized period, ${rule.days}-day waiting period`;
      break;
    case 'national_2025': {
      const w = nationalWaitingMonths(policy, year, paidOn, insuredMonths, allPayments);
      coverFrom = addMonths(waitStart, w.months);
      reason = `resident ${year}: ${w.explanation}`;
      break;
    }
    case 'unspecified':
      coverFrom = null;
      reason = `resident ${year}: paid ${paidOn} outside the centralized period; ${rule.note}, so no cover is assumed this year`;
      break;
  }
  const segments: CoverageSegment[] = [];
  const waitEnd = coverFrom === null ? coverEnd : minDate(addDays(coverFrom, -1), coverEnd);
  if (waitStart <= waitEnd) segments.push({ ...base, from: waitStart, to: waitEnd, status: 'waiting', exemption: null, reason });
  if (coverFrom !== null && coverFrom <= coverEnd) {
    segments.push({ ...base, from: coverFrom, to: coverEnd, status: 'covered', exemption: null, reason: `resident ${year}: covered after the waiting period` });
  }
  return segments;
}

/** 国办发〔2024〕38号 as configured: fixed months, +1 per further lapsed year, -1 per year made up, floor after long lapses. */
export function nationalWaitingMonths(
  policy: EffectivePolicy,
  year: number,
  paidOn: IsoDate,
  insuredMonths: ReadonlySet<IsoMonth>,
  allPayments: readonly ResidentYearPayment[],
): { months: number; lapsedYears: number; madeUpYears: number; explanation: string } {
  const rule = policy.resident.waitingPeriod;
  if (rule.kind !== 'national_2025') throw new Error('not a national_2025 rule');
  const yearStart = `${year}-01`;
  let lastBefore: IsoMonth | null = null;
  for (const m of insuredMonths) if (m < yearStart && (lastBefore === null || m > lastBefore)) lastBefore = m;
  const lastInsuredYear = lastBefore !== null ? Number(lastBefore.slice(0, 4)) : null;
  const lapsedYears = lastInsuredYear === null ? 0 : year - 1 - lastInsuredYear;
  const madeUp = new Set(
    allPayments
      .filter((p) => lastInsuredYear !== null && p.coverageYear > lastInsuredYear && p.coverageYear < year)
      .filter((p) => p.completion && p.completion.date > endOfYear(p.coverageYear) && p.completion.date <= paidOn)
      .map((p) => p.coverageYear),
  );
  const counted = rule.firstLapsedYearCounts ? lapsedYears : Math.max(0, lapsedYears - 1);
  const variable = Math.max(0, counted * rule.extraMonthPerLapsedYear - madeUp.size * rule.makeUpMonthReduction);
  let months = rule.fixedMonths + variable;
  const floored = lapsedYears >= rule.longLapseYears && months < rule.longLapseFloorMonths;
  if (floored) months = rule.longLapseFloorMonths;
  const explanation =
    `waiting ${months} months (fixed ${rule.fixedMonths} + variable ${variable}; ${lapsedYears} lapsed year(s), ${madeUp.size} made up` +
    `${floored ? `; floor ${rule.longLapseFloorMonths} after ${rule.longLapseYears}+ lapsed years` : ''})`;
  return { months, lapsedYears, madeUpYears: madeUp.size, explanation };
}
