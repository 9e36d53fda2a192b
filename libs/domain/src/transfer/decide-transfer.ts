import { chinaWorkingDayCalendar, WorkingDayCalendar } from '../calendar/working-day-calendar';
import { isIsoDate, toDayNumber } from '../calendar/iso-date';
import { isValidResidentIdNumber, sameIdNumber } from './id-number';
import type {
  CancelTransfer,
  CompleteTransfer,
  ConfirmTransferOut,
  RejectTransfer,
  RequestTransfer,
  TransferCommand,
  TransferContext,
} from './transfer-commands';
import { overdueByWorkingDays } from './transfer-deadlines';
import { TransferError } from './transfer-error';
import type { TransferCertificate, TransferEvent, TransferRequestedData } from './transfer-events';
import { DEFAULT_TRANSFER_POLICY, isRegionCode, sameProvince, TransferPolicy, transferInLimitFor, transferOutLimitFor } from './transfer-policy';
import type { TransferState } from './transfer-state';

const SCHEMES = ['employee', 'resident'];
const CHANNELS = ['online', 'counter'];

interface Resolved {
  today: string;
  calendar: WorkingDayCalendar;
  policy: TransferPolicy;
}

/**
 * Decides one transfer command. Late steps are accepted and recorded with
 * `overdueByWorkingDays`: the limits bind the bureaus, not the insured person.
 */
export function decideTransfer(state: TransferState, command: TransferCommand, ctx: TransferContext): TransferEvent[] {
  if (!isIsoDate(ctx.today)) throw new TransferError('invalid_date', { field: 'today', value: ctx.today });
  const resolved: Resolved = {
    today: ctx.today,
    calendar: ctx.calendar ?? chinaWorkingDayCalendar,
    policy: ctx.policy ?? DEFAULT_TRANSFER_POLICY,
  };
  switch (command.type) {
    case 'RequestTransfer':
      return requestTransfer(state, command, resolved);
    case 'ConfirmTransferOut':
      return confirmTransferOut(state, command, resolved);
    case 'CompleteTransfer':
      return completeTransfer(state, command, resolved);
    case 'RejectTransfer':
      return rejectTransfer(state, command, resolved);
    case 'CancelTransfer':
      return cancelTransfer(state, command, resolved);
  }
}

function requireText(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.trim() === '') throw new TransferError('missing_field', { field });
}

function requireOpen(state: TransferState, command: TransferCommand['type']): TransferRequestedData {
  if (state.request === null) throw new TransferError('transfer_not_requested', { command });
  if (state.step === 'completed' || state.step === 'rejected' || state.step === 'cancelled') {
    throw new TransferError('transfer_closed', { command, step: state.step });
  }
  return state.request;
}

function requireNotBefore(today: string, earlier: string, field: string): void {
  if (toDayNumber(today) < toDayNumber(earlier)) throw new TransferError('date_out_of_order', { today, [field]: earlier });
}

function requestTransfer(state: TransferState, c: RequestTransfer, r: Resolved): TransferEvent[] {
  if (state.step !== 'none') throw new TransferError('transfer_already_requested', { step: state.step });
  requireText(c.transferId, 'transferId');
  requireText(c.personId, 'personId');
  requireText(c.requestedBy, 'requestedBy');
  if (!isValidResidentIdNumber(c.idNumber)) throw new TransferError('invalid_id_number');
  for (const field of ['fromRegion', 'toRegion'] as const) {
    if (!isRegionCode(c[field])) throw new TransferError('invalid_region_code', { field, value: c[field] });
  }
  if (c.fromRegion === c.toRegion) throw new TransferError('same_region', { region: c.fromRegion });
  // Moves inside one province are handled by the provincial platform, not this procedure.
  if (sameProvince(c.fromRegion, c.toRegion)) {
    throw new TransferError('not_cross_province', { fromRegion: c.fromRegion, toRegion: c.toRegion });
  }
  if (!SCHEMES.includes(c.scheme)) throw new TransferError('invalid_scheme', { scheme: c.scheme });
  if (!CHANNELS.includes(c.channel)) throw new TransferError('invalid_channel', { channel: c.channel });

  const limit = transferOutLimitFor(r.policy, c.fromRegion);
  return [
    {
      type: 'TransferRequested',
      data: {
        transferId: c.transferId,
        personId: c.personId,
        idNumber: c.idNumber.toUpperCase(),
        fromRegion: c.fromRegion,
        toRegion: c.toRegion,
        scheme: c.scheme,
        requestedOn: r.today,
        requestedBy: c.requestedBy,
        channel: c.channel,
        transferOutWorkingDays: limit,
        transferOutDueOn: r.calendar.addWorkingDays(r.today, limit),
      },
    },
  ];
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function certificateProblem(cert: TransferCertificate): string | null {
  if (typeof cert !== 'object' || cert === null) return 'certificate';
  if (typeof cert.name !== 'string' || cert.name.trim() === '') return 'name';
  if (!SCHEMES.includes(cert.scheme)) return 'scheme';
  for (const field of ['actualContributionMonths', 'deemedContributionMonths', 'continuousYears', 'arrearsFen', 'personalAccountFen'] as const) {
    if (!isCount(cert[field])) return field;
  }
  if (!isIsoDate(cert.coverageEnd)) return 'coverageEnd';
  if (!Array.isArray(cert.enrollmentPeriods)) return 'enrollmentPeriods';
  for (const p of cert.enrollmentPeriods) {
    const valid = isIsoDate(p.from) && isIsoDate(p.to) && toDayNumber(p.from) <= toDayNumber(p.to) && isRegionCode(p.regionCode) && SCHEMES.includes(p.scheme);
    if (!valid) return 'enrollmentPeriods';
  }
  return null;
}

function confirmTransferOut(state: TransferState, c: ConfirmTransferOut, r: Resolved): TransferEvent[] {
  const request = requireOpen(state, c.type);
  if (state.step === 'transferred_out') {
    throw new TransferError('transfer_out_already_confirmed', { confirmedOn: state.transferOut?.confirmedOn });
  }
  requireText(c.by, 'by');
  const problem = certificateProblem(c.certificate);
  if (problem !== null) throw new TransferError('invalid_certificate', { field: problem });
  if (typeof c.certificate.idNumber !== 'string' || !sameIdNumber(c.certificate.idNumber, request.idNumber)) {
    throw new TransferError('certificate_person_mismatch', { personId: request.personId });
  }
  if (c.certificate.fromRegion !== request.fromRegion || c.certificate.toRegion !== request.toRegion) {
    throw new TransferError('certificate_region_mismatch', {
      expected: { fromRegion: request.fromRegion, toRegion: request.toRegion },
      actual: { fromRegion: c.certificate.fromRegion, toRegion: c.certificate.toRegion },
    });
  }
  requireNotBefore(r.today, request.requestedOn, 'requestedOn');

  // The new region's limit runs from the confirmation, even after a late transfer-out.
  const limit = transferInLimitFor(r.policy, request.toRegion);
  return [
    {
      type: 'TransferOutConfirmed',
      data: {
        certificate: c.certificate,
        confirmedOn: r.today,
        by: c.by,
        overdueByWorkingDays: overdueByWorkingDays(request.transferOutDueOn, r.today, r.calendar),
        transferInWorkingDays: limit,
        transferInDueOn: r.calendar.addWorkingDays(r.today, limit),
      },
    },
  ];
}

function completeTransfer(state: TransferState, c: CompleteTransfer, r: Resolved): TransferEvent[] {
  requireOpen(state, c.type);
  const transferOut = state.transferOut;
  if (state.step !== 'transferred_out' || transferOut === null) {
    throw new TransferError('transfer_out_not_confirmed', { step: state.step });
  }
  requireText(c.by, 'by');
  if (!isIsoDate(c.newEnrollmentOn)) {
    throw new TransferError('invalid_date', { field: 'newEnrollmentOn', value: c.newEnrollmentOn });
  }
  // Enrolling before the old cover ends would insure the person twice for the overlap.
  if (toDayNumber(c.newEnrollmentOn) <= toDayNumber(transferOut.certificate.coverageEnd)) {
    throw new TransferError('new_enrollment_overlaps_old_coverage', {
      newEnrollmentOn: c.newEnrollmentOn,
      coverageEnd: transferOut.certificate.coverageEnd,
    });
  }
  requireNotBefore(r.today, transferOut.confirmedOn, 'confirmedOn');
  return [
    {
      type: 'TransferCompleted',
      data: {
        completedOn: r.today,
        newEnrollmentOn: c.newEnrollmentOn,
        by: c.by,
        overdueByWorkingDays: overdueByWorkingDays(transferOut.transferInDueOn, r.today, r.calendar),
      },
    },
  ];
}

function rejectTransfer(state: TransferState, c: RejectTransfer, r: Resolved): TransferEvent[] {
  const request = requireOpen(state, c.type);
  // A refusal must state its reason (医保发〔2021〕43号), so the applicant can act on it.
  if (typeof c.reason !== 'string' || c.reason.trim() === '') throw new TransferError('rejection_reason_required');
  requireText(c.by, 'by');
  const pendingTransferIn = state.step === 'transferred_out' ? state.transferOut : null;
  const dueOn = pendingTransferIn ? pendingTransferIn.transferInDueOn : request.transferOutDueOn;
  requireNotBefore(r.today, pendingTransferIn ? pendingTransferIn.confirmedOn : request.requestedOn, 'previousStepOn');
  return [
    {
      type: 'TransferRejected',
      data: {
        reason: c.reason.trim(),
        by: c.by,
        on: r.today,
        step: pendingTransferIn ? 'transfer_in' : 'transfer_out',
        overdueByWorkingDays: overdueByWorkingDays(dueOn, r.today, r.calendar),
      },
    },
  ];
}

function cancelTransfer(state: TransferState, c: CancelTransfer, r: Resolved): TransferEvent[] {
  const request = requireOpen(state, c.type);
  // Only the insured person or whoever filed for them may withdraw the application.
  if (c.by !== request.personId && c.by !== request.requestedBy) {
    throw new TransferError('not_applicant', { by: c.by });
  }
  return [{ type: 'TransferCancelled', data: { by: c.by, on: r.today } }];
}
