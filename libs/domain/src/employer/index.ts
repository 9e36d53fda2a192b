export { decideEmployer } from './decide-employer';
export { DeferralError } from './deferral-error';
export type { DeferralErrorCode } from './deferral-error';
export { deferralEligibility } from './deferral-eligibility';
export type { DeferralEligibility } from './deferral-eligibility';
export { DEFAULT_DEFERRAL_POLICY } from './deferral-policy';
export type { DeferralPolicy } from './deferral-policy';
export {
  canEmployeeDepart,
  isDeferralMadeUp,
  isEmployeeMadeUp,
  isMakeUpOverdue,
  listOverdueMakeUps,
  outstandingDeferralsFor,
  outstandingEmployees,
} from './deferral-queries';
export type { OverdueMakeUp } from './deferral-queries';
export type {
  DeregisterEmployer,
  EmployerCommand,
  EmployerContext,
  EndDeferral,
  GrantDeferral,
  RecordDeferredMakeUp,
  RecordEmployeeDeparture,
  RecordEmployerArrears,
  RegisterEmployer,
} from './employer-commands';
export { DEPARTURE_REASONS, employerStreamId, UNIT_TYPES } from './employer-events';
export type {
  DeferralEndedData,
  DeferralGrantedData,
  DeferredContributionsMadeUpData,
  DepartureReason,
  EmployeeDepartedData,
  EmployerArrearsChangedData,
  EmployerDeregisteredData,
  EmployerEvent,
  EmployerRegisteredData,
  UnitType,
} from './employer-events';
export { evolveEmployer, initialEmployerState } from './employer-state';
export type { DeferralRecord, EmployerState } from './employer-state';
