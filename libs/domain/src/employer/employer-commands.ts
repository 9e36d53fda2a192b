import type { DeferralPolicy } from './deferral-policy';
import type { DepartureReason, UnitType } from './employer-events';

export interface RegisterEmployer {
  type: 'RegisterEmployer';
  employerId: string;
  name: string;
  unitType: UnitType;
  staffCount: number;
  smeQualified: boolean;
  regionCode: string;
}

export interface RecordEmployerArrears {
  type: 'RecordEmployerArrears';
  months: number;
  fen: number;
}

export interface GrantDeferral {
  type: 'GrantDeferral';
  deferralId: string;
  months: string[];
  employees: string[];
}

export interface EndDeferral {
  type: 'EndDeferral';
  deferralId: string;
}

export type RecordDeferredMakeUp = { type: 'RecordDeferredMakeUp'; deferralId: string; fen: number } & ({ personId: string } | { all: true });

/** An employee leaving, retiring or transferring out of the unit. */
export interface RecordEmployeeDeparture {
  type: 'RecordEmployeeDeparture';
  personId: string;
  reason: DepartureReason;
}

export interface DeregisterEmployer {
  type: 'DeregisterEmployer';
}

export type EmployerCommand =
  RegisterEmployer | RecordEmployerArrears | GrantDeferral | EndDeferral | RecordDeferredMakeUp | RecordEmployeeDeparture | DeregisterEmployer;

export interface EmployerContext {
  /** Today's date in Asia/Shanghai. */
  today: string;
  policy?: DeferralPolicy;
}
