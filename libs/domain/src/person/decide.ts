import { employeeMonthFacts, residentYearPayments } from '../coverage/payments';
import { assertIsoDate, assertIsoMonth, chinaDateOf, firstDayOfMonth, IsoDate, isValidTimestamp, lastDayOfMonth } from '../dates';
import { DomainError } from '../errors';
import { assertPositiveFen } from '../money';
import { POLICY_CATALOG } from '../policy/catalog';
import { resolvePolicy } from '../policy/resolve';
import { isPersonCategory, PersonCategory } from '../policy/types';
import { assertRegionCode } from '../regions';
import { validateResidentId } from '../resident-id';
import type { DecideContext, PersonCommand } from './commands';
import { ContributionRecordedData, lapseIdFor, PersonEvent, Scheme } from './events';
import { enrollmentOverlaps, enrollmentViews, EnrollmentView } from './queries';
import type { PersonState } from './state';

const SCHEMES: readonly Scheme[] = ['resident', 'employee'];
const END_REASONS = ['moved_to_employee', 'moved_to_resident', 'transferred_out', 'left_employer', 'death', 'other'];
const PAYERS = ['individual', 'employer', 'medical_assistance', 'other'];

function requireId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new DomainError('invalid_command', `${field} is required`, { field });
  return value;
}

function requireRegistered(state: PersonState): void {
  if (state.personId === null) throw new DomainError('not_registered', 'person is not registered');
}

function requireScheme(value: unknown): Scheme {
  if (!SCHEMES.includes(value as Scheme)) throw new DomainError('invalid_scheme', `scheme must be resident or employee`, { scheme: value });
  return value as Scheme;
}

function requireCategories(value: unknown): PersonCategory[] {
  if (!Array.isArray(value) || !value.every(isPersonCategory)) throw new DomainError('invalid_category', 'unknown person category', { categories: value });
  return [...new Set(value)].sort();
}

/** Key order is not content: stored events come back from PostgreSQL jsonb with their keys reordered. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}
const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Removes undefined optionals so a retried command compares equal to the stored event. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Decides which events a command produces, or refuses with a DomainError. Retried commands
 * that were already applied produce no events, so clients can resend safely.
 */
export function decidePerson(state: PersonState, command: PersonCommand, ctx: DecideContext): PersonEvent[] {
  const catalog = ctx.catalog ?? POLICY_CATALOG;
  switch (command.type) {
    case 'RegisterPerson': {
      const d = command.data;
      const personId = requireId(d.personId, 'personId');
      const id = validateResidentId(d.idNumber, ctx.today);
      if (!id.ok) throw new DomainError('invalid_id_number', `invalid resident ID number: ${id.reason}`, { reason: id.reason });
      if (typeof d.name !== 'string' || d.name.trim() === '') throw new DomainError('invalid_name', 'name is required');
      const event: PersonEvent = {
        type: 'PersonRegistered',
        data: { personId, idNumber: id.normalized, name: d.name.trim(), birthDate: id.birthDate, categories: requireCategories(d.categories ?? []) },
      };
      if (state.personId !== null) {
        if (state.personId === personId && state.idNumber === id.normalized) return [];
        throw new DomainError('already_registered', 'person is already registered', { personId: state.personId });
      }
      return [event];
    }
    case 'ChangeCategories': {
      requireRegistered(state);
      const categories = requireCategories(command.data.categories);
      const effectiveFrom = assertIsoDate(command.data.effectiveFrom, 'effectiveFrom');
      if (state.categoryChanges.some((c) => c.effectiveFrom === effectiveFrom && sameJson(c.categories, categories))) return [];
      return [{ type: 'PersonCategoriesChanged', data: { categories, effectiveFrom } }];
    }
    case 'EnrollInScheme': {
      requireRegistered(state);
      const d = command.data;
      const data = compact({
        enrollmentId: requireId(d.enrollmentId, 'enrollmentId'),
        scheme: requireScheme(d.scheme),
        regionCode: assertRegionCode(d.regionCode),
        enrolledOn: assertIsoDate(d.enrolledOn, 'enrolledOn'),
        employerId: d.employerId,
        via: d.via,
        transferId: d.transferId,
      });
      if (data.via !== undefined && data.via !== 'transfer') throw new DomainError('invalid_command', "via must be 'transfer'", { via: data.via });
      const existing = state.enrollments[data.enrollmentId];
      if (existing) {
        if (sameJson(compact(existing), data)) return [];
        throw new DomainError('enrollment_id_conflict', 'enrollmentId already used for a different enrollment', { enrollmentId: data.enrollmentId });
      }
      for (const e of enrollmentViews(state)) {
        if (!enrollmentOverlaps(e, data.enrolledOn, null)) continue;
        // One basic scheme at a time (000, 002: 重复参保 is to be prevented).
        if (e.scheme === data.scheme) {
          throw new DomainError('already_enrolled', `already enrolled in the ${e.scheme} scheme`, { enrollmentId: e.enrollmentId });
        }
        throw new DomainError('duplicate_enrollment', `already enrolled in the ${e.scheme} scheme for an overlapping period`, { enrollmentId: e.enrollmentId });
      }
      return [{ type: 'EnrolledInScheme', data }];
    }
    case 'EndEnrollment': {
      requireRegistered(state);
      const d = command.data;
      const enrollment = enrollmentViews(state).find((e) => e.enrollmentId === d.enrollmentId);
      if (!enrollment) throw new DomainError('enrollment_not_found', 'no such enrollment', { enrollmentId: d.enrollmentId });
      const endedOn = assertIsoDate(d.endedOn, 'endedOn');
      if (!END_REASONS.includes(d.reason)) throw new DomainError('invalid_command', 'unknown end reason', { reason: d.reason });
      if (enrollment.endedOn !== null) {
        if (enrollment.endedOn === endedOn && enrollment.endReason === d.reason) return [];
        throw new DomainError('enrollment_already_ended', 'enrollment already ended', { enrollmentId: d.enrollmentId, endedOn: enrollment.endedOn });
      }
      if (endedOn < enrollment.enrolledOn)
        throw new DomainError('invalid_date', 'an enrollment cannot end before it starts', { enrolledOn: enrollment.enrolledOn, endedOn });
      return [{ type: 'EnrollmentEnded', data: { enrollmentId: d.enrollmentId, endedOn, reason: d.reason } }];
    }
    case 'RecordContribution':
      return decideContribution(state, command.data, ctx.today, catalog);
    case 'ReverseContribution': {
      requireRegistered(state);
      const d = command.data;
      if (!state.contributions[d.contributionId]) throw new DomainError('contribution_not_found', 'no such contribution', { contributionId: d.contributionId });
      if (state.reversals[d.contributionId]) throw new DomainError('already_reversed', 'contribution already reversed', { contributionId: d.contributionId });
      if (!isValidTimestamp(d.reversedAt)) throw new DomainError('invalid_timestamp', 'reversedAt must be RFC 3339', { reversedAt: d.reversedAt });
      if (typeof d.reason !== 'string' || d.reason.trim() === '') throw new DomainError('invalid_command', 'a reversal needs a reason');
      return [{ type: 'ContributionReversed', data: { contributionId: d.contributionId, reversedAt: d.reversedAt, reason: d.reason } }];
    }
    case 'RecordLapse': {
      requireRegistered(state);
      const d = command.data;
      const scheme = requireScheme(d.scheme);
      const period = scheme === 'resident' ? validYear(d.period) : assertIsoMonth(d.period, 'period');
      const regionCode = assertRegionCode(d.regionCode);
      const lapseId = lapseIdFor(scheme, period);
      if (state.lapses[lapseId]) return [];
      if (periodIsPaid(state, scheme, period, catalog)) {
        throw new DomainError('period_already_paid', `${scheme} period ${period} is paid; it cannot lapse`, { scheme, period });
      }
      return [{ type: 'LapseRecorded', data: { lapseId, scheme, regionCode, period, recordedFor: assertIsoDate(d.recordedFor, 'recordedFor') } }];
    }
    case 'DeferUnitContribution': {
      requireRegistered(state);
      const d = command.data;
      const deferralId = requireId(d.deferralId, 'deferralId');
      const employerId = requireId(d.employerId, 'employerId');
      if (!Array.isArray(d.months) || d.months.length === 0) throw new DomainError('invalid_period', 'a deferral needs months');
      const months = [...new Set(d.months.map((m) => assertIsoMonth(m)))].sort();
      const existing = state.deferrals[deferralId];
      if (existing) {
        if (existing.employerId === employerId && sameJson(existing.months, months)) return [];
        throw new DomainError('deferral_id_conflict', 'deferralId already used with other content', { deferralId });
      }
      const employee = enrollmentViews(state).filter((e) => e.scheme === 'employee' && (!e.employerId || e.employerId === employerId));
      const uncovered = months.filter((m) => !employee.some((e) => enrollmentOverlaps(e, firstDayOfMonth(m), lastDayOfMonth(m))));
      if (uncovered.length > 0) throw new DomainError('not_enrolled', 'not enrolled with this employer for every deferred month', { months: uncovered });
      // Deferred months count as paid, so their policy must exist like a payment's would.
      for (const m of months) {
        const e = employee.find((x) => enrollmentOverlaps(x, firstDayOfMonth(m), lastDayOfMonth(m)))!;
        resolvePolicy(e.regionCode, Number(m.slice(0, 4)), catalog);
      }
      return [{ type: 'UnitContributionDeferred', data: { deferralId, employerId, months } }];
    }
    case 'MakeUpDeferredContribution': {
      requireRegistered(state);
      const d = command.data;
      const deferral = state.deferrals[d.deferralId];
      if (!deferral) throw new DomainError('deferral_not_found', 'no such deferral', { deferralId: d.deferralId });
      if (!Array.isArray(d.months) || d.months.length === 0) throw new DomainError('invalid_period', 'a make-up needs months');
      const months = [...new Set(d.months.map((m) => assertIsoMonth(m)))].sort();
      const foreign = months.filter((m) => !deferral.months.includes(m));
      if (foreign.length > 0) throw new DomainError('invalid_period', 'months were not deferred', { months: foreign });
      const done = state.deferralMakeUps[d.deferralId] ?? [];
      const fresh = months.filter((m) => !done.includes(m));
      return fresh.length === 0 ? [] : [{ type: 'DeferredContributionMadeUp', data: { deferralId: d.deferralId, months: fresh } }];
    }
    default:
      throw new DomainError('invalid_command', 'unknown command', { type: (command as { type?: unknown }).type });
  }
}

function validYear(period: unknown): string {
  if (typeof period !== 'string' || !/^\d{4}$/.test(period)) throw new DomainError('invalid_period', 'resident period must be a year like 2024', { period });
  return period;
}

export function periodIsPaid(state: PersonState, scheme: Scheme, period: string, catalog = POLICY_CATALOG): boolean {
  if (scheme === 'resident') return residentYearPayments(state, catalog).some((p) => String(p.coverageYear) === period && p.completion !== null);
  return employeeMonthFacts(state, catalog).some((m) => m.month === period && (m.onTime || m.madeUp));
}

function decideContribution(
  state: PersonState,
  d: Extract<PersonCommand, { type: 'RecordContribution' }>['data'],
  today: IsoDate,
  catalog: typeof POLICY_CATALOG,
): PersonEvent[] {
  requireRegistered(state);
  const contributionId = requireId(d.contributionId, 'contributionId');
  const scheme = requireScheme(d.scheme);
  const regionCode = assertRegionCode(d.regionCode);
  const amountFen = assertPositiveFen(d.amountFen);
  if (!isValidTimestamp(d.paidAt)) throw new DomainError('invalid_timestamp', 'paidAt must be RFC 3339', { paidAt: d.paidAt });
  const paidOn = chinaDateOf(d.paidAt);
  if (paidOn > today) throw new DomainError('payment_in_future', 'paidAt is after today', { paidAt: d.paidAt, today });
  if (!PAYERS.includes(d.payer)) throw new DomainError('invalid_command', 'unknown payer', { payer: d.payer });
  const kind = d.kind ?? 'regular';
  if (kind !== 'regular' && kind !== 'make_up') throw new DomainError('invalid_command', 'kind must be regular or make_up', { kind });
  if (d.part !== undefined && !['individual', 'unit', 'both'].includes(d.part)) throw new DomainError('invalid_command', 'unknown part', { part: d.part });

  let periodFrom: IsoDate;
  let periodTo: IsoDate;
  let policyYear: number;
  if (scheme === 'resident') {
    if (!Number.isInteger(d.coverageYear) || d.coverageMonth !== undefined) {
      throw new DomainError('invalid_period', 'resident contributions name a coverageYear and no coverageMonth');
    }
    policyYear = d.coverageYear!;
    periodFrom = `${policyYear}-01-01`;
    periodTo = `${policyYear}-12-31`;
  } else {
    const month = assertIsoMonth(d.coverageMonth, 'coverageMonth');
    if (d.coverageYear !== undefined) throw new DomainError('invalid_period', 'employee contributions name a coverageMonth and no coverageYear');
    policyYear = Number(month.slice(0, 4));
    periodFrom = firstDayOfMonth(month);
    periodTo = lastDayOfMonth(month);
  }
  // The policy must exist: unknown region or year refuses the payment instead of guessing an amount.
  resolvePolicy(regionCode, policyYear, catalog);

  const enrollment = findEnrollment(state, d.enrollmentId, scheme, regionCode, periodFrom, periodTo, paidOn);
  const data: ContributionRecordedData = compact({
    contributionId,
    enrollmentId: enrollment.enrollmentId,
    scheme,
    regionCode,
    coverageYear: scheme === 'resident' ? policyYear : undefined,
    coverageMonth: scheme === 'employee' ? d.coverageMonth : undefined,
    amountFen,
    payer: d.payer,
    agencyId: d.agencyId,
    agencyReference: d.agencyReference,
    payerIdNumber: d.payerIdNumber,
    payerName: d.payerName,
    paidAt: d.paidAt,
    kind,
    part: d.part,
  });
  const existing = state.contributions[contributionId];
  if (existing) {
    const { recordedAt: _ignored, ...stored } = existing;
    if (sameJson(compact(stored), data)) return [];
    throw new DomainError('contribution_id_conflict', 'contributionId already used for a different contribution', { contributionId });
  }
  return [{ type: 'ContributionRecorded', data }];
}

function findEnrollment(
  state: PersonState,
  enrollmentId: string | undefined,
  scheme: Scheme,
  regionCode: string,
  periodFrom: IsoDate,
  periodTo: IsoDate,
  paidOn: IsoDate,
): EnrollmentView {
  const all = enrollmentViews(state);
  if (enrollmentId !== undefined) {
    const e = all.find((x) => x.enrollmentId === enrollmentId);
    if (!e) throw new DomainError('not_enrolled', 'no such enrollment', { enrollmentId });
    if (e.scheme !== scheme || e.regionCode !== regionCode) {
      throw new DomainError('not_enrolled', 'the enrollment is for another scheme or region', { enrollmentId, scheme: e.scheme, regionCode: e.regionCode });
    }
    return e;
  }
  // Resident payments for next year are made before the year starts, so "covers the period or is active at payment" both qualify.
  const candidates = all.filter(
    (e) => e.scheme === scheme && e.regionCode === regionCode && (enrollmentOverlaps(e, periodFrom, periodTo) || enrollmentOverlaps(e, paidOn, paidOn)),
  );
  if (candidates.length === 0)
    throw new DomainError('not_enrolled', `not enrolled in the ${scheme} scheme in ${regionCode} for that period`, { scheme, regionCode });
  return candidates[candidates.length - 1]!;
}
