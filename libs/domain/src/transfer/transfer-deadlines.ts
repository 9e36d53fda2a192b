import { chinaWorkingDayCalendar, WorkingDayCalendar } from '../calendar/working-day-calendar';
import { toDayNumber } from '../calendar/iso-date';
import type { TransferState, TransferStep, TransferWaitingFor } from './transfer-state';

/**
 * How many working days late an action on `on` is against `dueOn`; 0 when on time.
 * An action on a non-working day is counted as of the next working day, so acting on the
 * Saturday after a Friday deadline is 1 working day late, not 0.
 */
export function overdueByWorkingDays(dueOn: string, on: string, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): number {
  if (toDayNumber(on) <= toDayNumber(dueOn)) return 0;
  const effective = calendar.isWorkingDay(on) ? on : calendar.addWorkingDays(on, 1);
  return calendar.workingDaysBetween(dueOn, effective);
}

/**
 * Working days the pending step still has (0 on the due date itself), negative once
 * overdue; null when nothing is pending.
 */
export function transferWorkingDaysLeft(state: TransferState, today: string, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): number | null {
  if (state.dueOn === null) return null;
  if (toDayNumber(today) <= toDayNumber(state.dueOn)) return calendar.workingDaysBetween(today, state.dueOn);
  return -overdueByWorkingDays(state.dueOn, today, calendar);
}

export function isTransferOverdue(state: TransferState, today: string): boolean {
  return state.dueOn !== null && toDayNumber(today) > toDayNumber(state.dueOn);
}

export interface TransferStatus {
  step: TransferStep;
  waitingFor: TransferWaitingFor;
  dueOn: string | null;
  workingDaysLeft: number | null;
  isOverdue: boolean;
}

/** The progress an applicant can follow online. */
export function transferStatus(state: TransferState, today: string, calendar: WorkingDayCalendar = chinaWorkingDayCalendar): TransferStatus {
  return {
    step: state.step,
    waitingFor: state.waitingFor,
    dueOn: state.dueOn,
    workingDaysLeft: transferWorkingDaysLeft(state, today, calendar),
    isOverdue: isTransferOverdue(state, today),
  };
}
