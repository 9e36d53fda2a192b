export { decideTransfer } from './decide-transfer';
export { detectDuplicateEnrollment } from './duplicate-enrollment';
export type { EnrollmentOverlap, EnrollmentPeriodLike } from './duplicate-enrollment';
export type {
  CancelTransfer,
  CompleteTransfer,
  ConfirmTransferOut,
  RejectTransfer,
  RequestTransfer,
  TransferCommand,
  TransferContext,
} from './transfer-commands';
export { isTransferOverdue, overdueByWorkingDays, transferStatus, transferWorkingDaysLeft } from './transfer-deadlines';
export type { TransferStatus } from './transfer-deadlines';
export { TransferError } from './transfer-error';
export type { TransferErrorCode } from './transfer-error';
export { TERMINAL_TRANSFER_EVENT_TYPES, transferStreamId } from './transfer-events';
export type {
  TransferCancelledData,
  TransferCertificate,
  TransferChannel,
  TransferCompletedData,
  TransferEnrollmentPeriod,
  TransferEvent,
  TransferOutConfirmedData,
  TransferRejectedData,
  TransferRequestedData,
  TransferScheme,
  TransferStage,
} from './transfer-events';
export { transferPersonEffects } from './transfer-person-effects';
export type { TransferEnrolledInSchemeFact, TransferEnrollmentEndedFact, TransferEnrollmentIds, TransferPersonEffect } from './transfer-person-effects';
export { DEFAULT_TRANSFER_POLICY, transferInLimitFor, transferOutLimitFor } from './transfer-policy';
export type { TransferLimits, TransferPolicy } from './transfer-policy';
export { evolveTransfer, initialTransferState, isTransferClosed } from './transfer-state';
export type { TransferState, TransferStep, TransferWaitingFor } from './transfer-state';
