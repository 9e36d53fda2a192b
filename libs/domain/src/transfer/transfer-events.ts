export type TransferScheme = 'employee' | 'resident';
export type TransferChannel = 'online' | 'counter';
/** The step a rejection happened at: the old region's transfer-out or the new region's transfer-in. */
export type TransferStage = 'transfer_out' | 'transfer_in';

export interface TransferEnrollmentPeriod {
  from: string;
  to: string;
  regionCode: string;
  scheme: TransferScheme;
}

/** The insured person's information sheet (参保人员基本医疗保险信息表) issued on transfer-out. */
export interface TransferCertificate {
  name: string;
  idNumber: string;
  scheme: TransferScheme;
  fromRegion: string;
  toRegion: string;
  enrollmentPeriods: TransferEnrollmentPeriod[];
  actualContributionMonths: number;
  deemedContributionMonths: number;
  continuousYears: number;
  coverageEnd: string;
  arrearsFen: number;
  personalAccountFen: number;
}

/**
 * Due dates and the limits used are stored in the events: the deadline is the one in force
 * when the step began, so later calendar or policy edits never rewrite history.
 */
export interface TransferRequestedData {
  transferId: string;
  personId: string;
  idNumber: string;
  fromRegion: string;
  toRegion: string;
  scheme: TransferScheme;
  requestedOn: string;
  requestedBy: string;
  channel: TransferChannel;
  transferOutWorkingDays: number;
  transferOutDueOn: string;
}

export interface TransferOutConfirmedData {
  certificate: TransferCertificate;
  confirmedOn: string;
  by: string;
  overdueByWorkingDays: number;
  transferInWorkingDays: number;
  transferInDueOn: string;
}

export interface TransferCompletedData {
  completedOn: string;
  newEnrollmentOn: string;
  by: string;
  overdueByWorkingDays: number;
}

export interface TransferRejectedData {
  reason: string;
  by: string;
  on: string;
  step: TransferStage;
  overdueByWorkingDays: number;
}

export interface TransferCancelledData {
  by: string;
  on: string;
}

export type TransferEvent =
  | { type: 'TransferRequested'; data: TransferRequestedData }
  | { type: 'TransferOutConfirmed'; data: TransferOutConfirmedData }
  | { type: 'TransferCompleted'; data: TransferCompletedData }
  | { type: 'TransferRejected'; data: TransferRejectedData }
  | { type: 'TransferCancelled'; data: TransferCancelledData };

export const TERMINAL_TRANSFER_EVENT_TYPES: ReadonlySet<TransferEvent['type']> = new Set(['TransferCompleted', 'TransferRejected', 'TransferCancelled']);

export function transferStreamId(transferId: string): string {
  return `transfer-${transferId}`;
}
