import { TransferError } from './transfer-error';
import type { TransferScheme } from './transfer-events';
import type { TransferState } from './transfer-state';

/**
 * The person stream's own events (EnrollmentEnded, EnrolledInScheme) belong to the person
 * module; these are structurally identical plain objects so this module needs no import
 * from it and the application can append them as they are.
 */
export interface TransferEnrollmentEndedFact {
  type: 'EnrollmentEnded';
  data: { enrollmentId: string; endedOn: string; reason: 'transferred_out' };
}

export interface TransferEnrolledInSchemeFact {
  type: 'EnrolledInScheme';
  data: {
    enrollmentId: string;
    scheme: TransferScheme;
    regionCode: string;
    enrolledOn: string;
    employerId?: string;
    via: 'transfer';
    transferId: string;
  };
}

export type TransferPersonEffect = TransferEnrollmentEndedFact | TransferEnrolledInSchemeFact;

export interface TransferEnrollmentIds {
  /** The person's enrollment in the old region, which the transfer ends. */
  endedEnrollmentId: string;
  /** The id to give the new region's enrollment. */
  newEnrollmentId: string;
  employerId?: string;
}

/** What the application must append to `person-<personId>` once the transfer is completed. */
export function transferPersonEffects(state: TransferState, ids: TransferEnrollmentIds): TransferPersonEffect[] {
  const { request, transferOut, completion } = state;
  if (state.step !== 'completed' || request === null || transferOut === null || completion === null) {
    throw new TransferError('transfer_not_completed', { step: state.step });
  }
  const enrolled: TransferEnrolledInSchemeFact['data'] = {
    enrollmentId: ids.newEnrollmentId,
    scheme: request.scheme,
    regionCode: request.toRegion,
    enrolledOn: completion.newEnrollmentOn,
    via: 'transfer',
    transferId: request.transferId,
  };
  if (ids.employerId !== undefined) enrolled.employerId = ids.employerId;
  return [
    {
      type: 'EnrollmentEnded',
      data: { enrollmentId: ids.endedEnrollmentId, endedOn: transferOut.certificate.coverageEnd, reason: 'transferred_out' },
    },
    { type: 'EnrolledInScheme', data: enrolled },
  ];
}
