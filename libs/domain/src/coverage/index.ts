export { arrearsAsOf } from './arrears';
export { coverageAsOf } from './as-of';
export { CONTINUITY_GRACE_MONTHS, CONTINUITY_REWARD, continuityAsOf, continuityRewardSteps } from './continuity';
export { employeeMonthIsPaid, residentYearPayments } from './payments';
export type { ResidentYearPayment } from './payments';
export { nationalWaitingMonths } from './resident';
export { coverageTimeline } from './timeline';
export type {
  Continuity,
  CoverageAnswer,
  CoverageTimelinePeriod,
  CoverageOptions,
  CoverageStatus,
  TimelinePeriod,
  WaitingExemption,
  WaitingPeriodInfo,
} from './types';
