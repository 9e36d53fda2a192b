import { addMonths, isIsoDate, isYearMonth, lastDayOfMonth, toDayNumber } from '../calendar/iso-date';
import { DeferralError } from './deferral-error';
import { deferralEligibility } from './deferral-eligibility';
import { DEFAULT_DEFERRAL_POLICY, DeferralPolicy } from './deferral-policy';
import { isEmployeeMadeUp, isDeferralMadeUp, outstandingDeferralsFor } from './deferral-queries';
import type {
  EmployerCommand,
  EmployerContext,
  EndDeferral,
  GrantDeferral,
  RecordDeferredMakeUp,
  RecordEmployeeDeparture,
  RecordEmployerArrears,
  RegisterEmployer,
} from './employer-commands';
import { DEPARTURE_REASONS, EmployerEvent, UNIT_TYPES } from './employer-events';
import type { DeferralRecord, EmployerState } from './employer-state';

interface Resolved {
  today: string;
  policy: DeferralPolicy;
}

export function decideEmployer(state: EmployerState, command: EmployerCommand, ctx: EmployerContext): EmployerEvent[] {
  if (!isIsoDate(ctx.today)) throw new DeferralError('invalid_date', { field: 'today', value: ctx.today });
  const r: Resolved = { today: ctx.today, policy: ctx.policy ?? DEFAULT_DEFERRAL_POLICY };
  if (command.type === 'RegisterEmployer') return registerEmployer(state, command);
  requireActive(state);
  switch (command.type) {
    case 'RecordEmployerArrears':
      return recordArrears(command);
    case 'GrantDeferral':
      return grantDeferral(state, command, r);
    case 'EndDeferral':
      return endDeferral(state, command, r);
    case 'RecordDeferredMakeUp':
      return recordMakeUp(state, command, r);
    case 'RecordEmployeeDeparture':
      return recordDeparture(state, command, r);
    case 'DeregisterEmployer':
      return deregister(state, r);
  }
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

function requireActive(state: EmployerState): void {
  if (state.profile === null) throw new DeferralError('employer_not_registered');
  if (state.deregisteredOn !== null) {
    throw new DeferralError('employer_deregistered', { deregisteredOn: state.deregisteredOn });
  }
}

function registerEmployer(state: EmployerState, c: RegisterEmployer): EmployerEvent[] {
  if (state.profile !== null) throw new DeferralError('employer_already_registered', { employerId: state.profile.employerId });
  for (const field of ['employerId', 'name'] as const) {
    if (!isText(c[field])) throw new DeferralError('missing_field', { field });
  }
  if (!UNIT_TYPES.includes(c.unitType)) throw new DeferralError('invalid_unit_type', { unitType: c.unitType });
  if (!isCount(c.staffCount)) throw new DeferralError('invalid_staff_count', { staffCount: c.staffCount });
  if (typeof c.smeQualified !== 'boolean') throw new DeferralError('missing_field', { field: 'smeQualified' });
  if (typeof c.regionCode !== 'string' || !/^\d{6}$/.test(c.regionCode)) {
    throw new DeferralError('invalid_region_code', { regionCode: c.regionCode });
  }
  const { employerId, name, unitType, staffCount, smeQualified, regionCode } = c;
  return [{ type: 'EmployerRegistered', data: { employerId, name: name.trim(), unitType, staffCount, smeQualified, regionCode } }];
}

function recordArrears(c: RecordEmployerArrears): EmployerEvent[] {
  if (!isCount(c.months) || !isCount(c.fen)) throw new DeferralError('invalid_amount', { months: c.months, fen: c.fen });
  return [{ type: 'EmployerArrearsChanged', data: { months: c.months, fen: c.fen } }];
}

function requireConsecutiveMonths(months: unknown, count: number): string[] {
  const valid =
    Array.isArray(months) &&
    months.length === count &&
    months.every(isYearMonth) &&
    months.every((m, i) => i === 0 || addMonths(months[i - 1] as string, 1) === m);
  if (!valid) throw new DeferralError('invalid_deferral_months', { months, expectedCount: count });
  return months as string[];
}

function grantDeferral(state: EmployerState, c: GrantDeferral, r: Resolved): EmployerEvent[] {
  if (!isText(c.deferralId)) throw new DeferralError('missing_field', { field: 'deferralId' });
  if (state.deferrals[c.deferralId] !== undefined) throw new DeferralError('deferral_id_taken', { deferralId: c.deferralId });
  const eligibility = deferralEligibility(state, r.policy);
  if (!eligibility.eligible) throw new DeferralError(eligibility.code, eligibility.details);

  const months = requireConsecutiveMonths(c.months, r.policy.months);
  const clash = Object.values(state.deferrals).find((d) => d.months.some((m) => months.includes(m)));
  if (clash) throw new DeferralError('deferral_months_overlap', { deferralId: clash.deferralId, months: clash.months });

  const employees = c.employees;
  if (!Array.isArray(employees) || !employees.every(isText) || new Set(employees).size !== employees.length) {
    throw new DeferralError('invalid_employees');
  }
  // 缓缴期满3个月内补缴到位: the period ends with its last month; the unit then has until the
  // last day of the makeUpMonths-th month after it (Jul–Sep 2022 → 2022-12-31).
  const lastMonth = months[months.length - 1] as string;
  const makeUpDueOn = lastDayOfMonth(addMonths(lastMonth, r.policy.makeUpMonths));
  return [
    {
      type: 'DeferralGranted',
      data: { deferralId: c.deferralId, months, grantedOn: r.today, makeUpDueOn, employees: [...employees] },
    },
  ];
}

function requireDeferral(state: EmployerState, deferralId: string): DeferralRecord {
  const deferral = state.deferrals[deferralId];
  if (deferral === undefined) throw new DeferralError('deferral_not_found', { deferralId });
  return deferral;
}

function endDeferral(state: EmployerState, c: EndDeferral, r: Resolved): EmployerEvent[] {
  const deferral = requireDeferral(state, c.deferralId);
  if (deferral.endedOn !== null) throw new DeferralError('deferral_already_ended', { endedOn: deferral.endedOn });
  if (toDayNumber(r.today) < toDayNumber(deferral.grantedOn)) {
    throw new DeferralError('date_out_of_order', { today: r.today, grantedOn: deferral.grantedOn });
  }
  return [{ type: 'DeferralEnded', data: { deferralId: c.deferralId, endedOn: r.today } }];
}

function recordMakeUp(state: EmployerState, c: RecordDeferredMakeUp, r: Resolved): EmployerEvent[] {
  const deferral = requireDeferral(state, c.deferralId);
  if (!isCount(c.fen) || c.fen === 0) throw new DeferralError('invalid_amount', { fen: c.fen });
  const base = {
    deferralId: c.deferralId,
    fen: c.fen,
    on: r.today,
    late: toDayNumber(r.today) > toDayNumber(deferral.makeUpDueOn),
  };
  if ('personId' in c) {
    if (!deferral.employees.includes(c.personId)) {
      throw new DeferralError('not_a_deferred_employee', { deferralId: c.deferralId, personId: c.personId });
    }
    if (isEmployeeMadeUp(deferral, c.personId)) {
      throw new DeferralError('deferral_already_made_up', { deferralId: c.deferralId, personId: c.personId });
    }
    return [{ type: 'DeferredContributionsMadeUp', data: { ...base, personId: c.personId } }];
  }
  if (c.all !== true) throw new DeferralError('missing_field', { field: 'personId' });
  if (isDeferralMadeUp(deferral)) throw new DeferralError('deferral_already_made_up', { deferralId: c.deferralId });
  return [{ type: 'DeferredContributionsMadeUp', data: { ...base, all: true } }];
}

function recordDeparture(state: EmployerState, c: RecordEmployeeDeparture, r: Resolved): EmployerEvent[] {
  if (!isText(c.personId)) throw new DeferralError('missing_field', { field: 'personId' });
  if (!DEPARTURE_REASONS.includes(c.reason)) throw new DeferralError('invalid_departure_reason', { reason: c.reason });
  // 缓缴期间…离职、退休、转移…缓缴单位应为其补齐 (004 三(二)).
  const outstanding = outstandingDeferralsFor(state, c.personId);
  if (outstanding.length > 0) {
    throw new DeferralError('deferred_contributions_outstanding', { personId: c.personId, deferralIds: outstanding });
  }
  return [{ type: 'EmployeeDeparted', data: { personId: c.personId, reason: c.reason, on: r.today } }];
}

function deregister(state: EmployerState, r: Resolved): EmployerEvent[] {
  // 缓缴单位出现注销等情形的，应在注销前缴纳缓缴的缴费.
  const outstanding = Object.values(state.deferrals)
    .filter((d) => !isDeferralMadeUp(d))
    .map((d) => d.deferralId);
  if (outstanding.length > 0) throw new DeferralError('deferred_contributions_outstanding', { deferralIds: outstanding });
  return [{ type: 'EmployerDeregistered', data: { on: r.today } }];
}
