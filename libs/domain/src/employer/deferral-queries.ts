import { toDayNumber } from '../calendar/iso-date';
import type { DeferralRecord, EmployerState } from './employer-state';

export function isEmployeeMadeUp(deferral: DeferralRecord, personId: string): boolean {
  return deferral.madeUpAll || deferral.madeUpEmployees.includes(personId);
}

export function outstandingEmployees(deferral: DeferralRecord): string[] {
  return deferral.employees.filter((p) => !isEmployeeMadeUp(deferral, p));
}

export function isDeferralMadeUp(deferral: DeferralRecord): boolean {
  return outstandingEmployees(deferral).length === 0;
}

/** Deferrals whose unit part for this employee is still unpaid. */
export function outstandingDeferralsFor(state: EmployerState, personId: string): string[] {
  return Object.values(state.deferrals)
    .filter((d) => d.employees.includes(personId) && !isEmployeeMadeUp(d, personId))
    .map((d) => d.deferralId);
}

/**
 * Whether the employee may leave, retire or transfer out now. Blocked while any deferred
 * unit part for them is unpaid, also after the deferral period ended: the debt, not the
 * period, is what would be lost with the employee's record (source 004 三(二)).
 */
export function canEmployeeDepart(state: EmployerState, personId: string): boolean {
  return outstandingDeferralsFor(state, personId).length === 0;
}

export interface OverdueMakeUp {
  deferralId: string;
  makeUpDueOn: string;
  outstandingEmployees: string[];
}

/** Deferrals past their make-up date with something still unpaid. */
export function listOverdueMakeUps(state: EmployerState, today: string): OverdueMakeUp[] {
  return Object.values(state.deferrals)
    .filter((d) => toDayNumber(today) > toDayNumber(d.makeUpDueOn) && !isDeferralMadeUp(d))
    .map((d) => ({ deferralId: d.deferralId, makeUpDueOn: d.makeUpDueOn, outstandingEmployees: outstandingEmployees(d) }));
}

export function isMakeUpOverdue(state: EmployerState, today: string): boolean {
  return listOverdueMakeUps(state, today).length > 0;
}
