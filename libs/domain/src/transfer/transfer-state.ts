import type {
  TransferCancelledData,
  TransferCompletedData,
  TransferEvent,
  TransferOutConfirmedData,
  TransferRejectedData,
  TransferRequestedData,
} from './transfer-events';

export type TransferStep = 'none' | 'requested' | 'transferred_out' | 'completed' | 'rejected' | 'cancelled';
export type TransferWaitingFor = 'transfer_out_region' | 'transfer_in_region' | null;

export interface TransferState {
  step: TransferStep;
  /** Deadline of the pending step; null when nothing is pending. */
  dueOn: string | null;
  waitingFor: TransferWaitingFor;
  request: TransferRequestedData | null;
  transferOut: TransferOutConfirmedData | null;
  completion: TransferCompletedData | null;
  rejection: TransferRejectedData | null;
  cancellation: TransferCancelledData | null;
}

export const initialTransferState: TransferState = {
  step: 'none',
  dueOn: null,
  waitingFor: null,
  request: null,
  transferOut: null,
  completion: null,
  rejection: null,
  cancellation: null,
};

export function isTransferClosed(state: TransferState): boolean {
  return state.step === 'completed' || state.step === 'rejected' || state.step === 'cancelled';
}

/** Pure; a stored event is always applied, never refused (the decider guarded it when it was written). */
export function evolveTransfer(state: TransferState, event: TransferEvent): TransferState {
  switch (event.type) {
    case 'TransferRequested':
      return {
        ...state,
        step: 'requested',
        dueOn: event.data.transferOutDueOn,
        waitingFor: 'transfer_out_region',
        request: event.data,
      };
    case 'TransferOutConfirmed':
      return {
        ...state,
        step: 'transferred_out',
        dueOn: event.data.transferInDueOn,
        waitingFor: 'transfer_in_region',
        transferOut: event.data,
      };
    case 'TransferCompleted':
      return { ...state, step: 'completed', dueOn: null, waitingFor: null, completion: event.data };
    case 'TransferRejected':
      return { ...state, step: 'rejected', dueOn: null, waitingFor: null, rejection: event.data };
    case 'TransferCancelled':
      return { ...state, step: 'cancelled', dueOn: null, waitingFor: null, cancellation: event.data };
    default:
      // An event type unknown to this version is skipped rather than breaking replay.
      return state;
  }
}
