import { CalendarError, transferStatus, type TransferState, type WorkingDayCalendar } from '@ledger/domain';
import type { DuplicateEnrollment } from './transfer-person-ledger';

export type TransferAction = 'confirm_transfer_out' | 'complete' | 'reject' | 'cancel';

const ACTIONS: Record<string, TransferAction[]> = {
  requested: ['confirm_transfer_out', 'reject', 'cancel'],
  transferred_out: ['complete', 'reject', 'cancel'],
};

export interface TransferExtras {
  personName?: string | null;
  duplicates?: DuplicateEnrollment[];
  personLedgerApplied?: boolean;
}

/** Who is waiting for whom, in the words of the queue: the applicant and one region wait for the other. */
function waiting(state: TransferState) {
  const r = state.request!;
  if (state.waitingFor === 'transfer_out_region') {
    return {
      waitingParty: `applicant and new region ${r.toRegion}`,
      waitingOn: `old region ${r.fromRegion}`,
      waitingOnRegion: r.fromRegion,
      pendingStep: 'transfer_out' as const,
    };
  }
  if (state.waitingFor === 'transfer_in_region') {
    return { waitingParty: `applicant`, waitingOn: `new region ${r.toRegion}`, waitingOnRegion: r.toRegion, pendingStep: 'transfer_in' as const };
  }
  return null;
}

/** Working days left can need a calendar year with no notice yet; the queue then says so instead of failing. */
function deadline(state: TransferState, today: string, calendar: WorkingDayCalendar) {
  try {
    const s = transferStatus(state, today, calendar);
    const provisional = s.dueOn !== null && calendar.provisionalYears.includes(Number(s.dueOn.slice(0, 4)));
    const calendarGap = provisional ? `provisional: the ${s.dueOn!.slice(0, 4)} holiday notice is not loaded, statutory holidays only` : null;
    return { dueOn: s.dueOn, workingDaysLeft: s.workingDaysLeft, isOverdue: s.isOverdue, calendarGap };
  } catch (error) {
    if (!(error instanceof CalendarError)) throw error;
    const overdue = state.dueOn !== null && today > state.dueOn;
    return { dueOn: state.dueOn, workingDaysLeft: null, isOverdue: overdue, calendarGap: `no working-day calendar for ${String(error.details.year)}` };
  }
}

/** The transfer as the clerk sees it: step, deadline, who waits for whom, history with overdue steps, and the actions open now. */
export function presentTransfer(state: TransferState, revision: number, today: string, calendar: WorkingDayCalendar, extras: TransferExtras = {}) {
  const r = state.request!;
  const out = state.transferOut;
  const history: Array<Record<string, unknown>> = [
    { step: 'requested', on: r.requestedOn, by: r.requestedBy, channel: r.channel, dueOn: r.transferOutDueOn, workingDays: r.transferOutWorkingDays },
  ];
  if (out)
    history.push({
      step: 'transferred_out',
      on: out.confirmedOn,
      by: out.by,
      overdueByWorkingDays: out.overdueByWorkingDays,
      dueOn: out.transferInDueOn,
      workingDays: out.transferInWorkingDays,
    });
  if (state.completion)
    history.push({
      step: 'completed',
      on: state.completion.completedOn,
      by: state.completion.by,
      overdueByWorkingDays: state.completion.overdueByWorkingDays,
      newEnrollmentOn: state.completion.newEnrollmentOn,
    });
  if (state.rejection)
    history.push({
      step: 'rejected',
      on: state.rejection.on,
      by: state.rejection.by,
      overdueByWorkingDays: state.rejection.overdueByWorkingDays,
      reason: state.rejection.reason,
      at: state.rejection.step,
    });
  if (state.cancellation) history.push({ step: 'cancelled', on: state.cancellation.on, by: state.cancellation.by });
  return {
    transferId: r.transferId,
    personId: r.personId,
    personName: extras.personName ?? out?.certificate.name ?? null,
    idNumber: r.idNumber,
    scheme: r.scheme,
    fromRegion: r.fromRegion,
    toRegion: r.toRegion,
    channel: r.channel,
    requestedOn: r.requestedOn,
    step: state.step,
    waitingFor: state.waitingFor,
    waiting: waiting(state),
    ...deadline(state, today, calendar),
    /** Steps taken after their deadline, in working days: the limits bind the bureaus, so late steps are recorded, not refused. */
    lateSteps: history
      .filter((h) => typeof h.overdueByWorkingDays === 'number' && h.overdueByWorkingDays > 0)
      .map((h) => ({ step: h.step, overdueByWorkingDays: h.overdueByWorkingDays })),
    history,
    certificate: out?.certificate ?? null,
    newEnrollmentOn: state.completion?.newEnrollmentOn ?? null,
    rejection: state.rejection,
    duplicateEnrollments: extras.duplicates ?? [],
    ...(extras.personLedgerApplied !== undefined ? { personLedgerApplied: extras.personLedgerApplied } : {}),
    actions: ACTIONS[state.step] ?? [],
    revision,
    today,
  };
}

export type TransferPresentation = ReturnType<typeof presentTransfer>;
