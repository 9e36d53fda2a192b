import type { WorkingDayCalendar } from '../calendar/working-day-calendar';
import type { TransferCertificate, TransferChannel, TransferScheme } from './transfer-events';
import type { TransferPolicy } from './transfer-policy';

export interface RequestTransfer {
  type: 'RequestTransfer';
  transferId: string;
  personId: string;
  idNumber: string;
  fromRegion: string;
  toRegion: string;
  scheme: TransferScheme;
  requestedBy: string;
  channel: TransferChannel;
}

export interface ConfirmTransferOut {
  type: 'ConfirmTransferOut';
  certificate: TransferCertificate;
  by: string;
}

export interface CompleteTransfer {
  type: 'CompleteTransfer';
  newEnrollmentOn: string;
  by: string;
}

export interface RejectTransfer {
  type: 'RejectTransfer';
  reason: string;
  by: string;
}

export interface CancelTransfer {
  type: 'CancelTransfer';
  by: string;
}

export type TransferCommand = RequestTransfer | ConfirmTransferOut | CompleteTransfer | RejectTransfer | CancelTransfer;

export interface TransferContext {
  /** Today's date in Asia/Shanghai; every event is dated with it. */
  today: string;
  calendar?: WorkingDayCalendar;
  policy?: TransferPolicy;
}
