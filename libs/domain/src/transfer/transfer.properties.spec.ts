import fc from 'fast-check';
import { addWorkingDays } from '../calendar/working-day-calendar';
import { addDays } from '../calendar/iso-date';
import { decideTransfer } from './decide-transfer';
import type { TransferCommand } from './transfer-commands';
import { TERMINAL_TRANSFER_EVENT_TYPES, TransferEvent } from './transfer-events';
import { evolveTransfer, initialTransferState, isTransferClosed } from './transfer-state';
import { certificate, requestCommand } from './transfer.fixtures';

const commandArb: fc.Arbitrary<TransferCommand> = fc.oneof(
  fc.constant<TransferCommand>(requestCommand),
  fc.constant<TransferCommand>({ type: 'ConfirmTransferOut', certificate, by: 'old' }),
  fc.constant<TransferCommand>({ type: 'CompleteTransfer', newEnrollmentOn: '2024-09-01', by: 'new' }),
  fc.constantFrom<TransferCommand>({ type: 'RejectTransfer', reason: 'r', by: 'old' }, { type: 'RejectTransfer', reason: '', by: 'old' }),
  fc.constantFrom<TransferCommand>({ type: 'CancelTransfer', by: 'p-1' }, { type: 'CancelTransfer', by: 'x' }),
);

describe('transfer properties', () => {
  it('any sequence of commands yields at most one terminal event, and nothing after it', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(commandArb, fc.integer({ min: 0, max: 6 })), { maxLength: 12 }), (steps) => {
        let state = initialTransferState;
        let today = '2024-09-02';
        const history: TransferEvent[] = [];
        for (const [command, gap] of steps) {
          today = addDays(today, gap);
          let events: TransferEvent[] = [];
          try {
            events = decideTransfer(state, command, { today });
          } catch (e) {
            expect(typeof (e as { code?: unknown }).code).toBe('string');
          }
          if (isTransferClosed(state)) expect(events).toEqual([]);
          history.push(...events);
          state = events.reduce(evolveTransfer, state);
        }
        expect(history.filter((e) => TERMINAL_TRANSFER_EVENT_TYPES.has(e.type)).length).toBeLessThanOrEqual(1);
        expect(history.filter((e) => e.type === 'TransferRequested').length).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('when both regions act on time the whole transfer ends within 15 working days of the request', () => {
    const requestDay = fc.integer({ min: 0, max: 1800 }).map((k) => addDays('2021-01-01', k));
    fc.assert(
      fc.property(requestDay, fc.integer({ min: 0, max: 10 }), (requestedOn, workingDaysTaken) => {
        const [req] = decideTransfer(initialTransferState, requestCommand, { today: requestedOn });
        const afterRequest = evolveTransfer(initialTransferState, req!);
        const confirmedOn = addWorkingDays(requestedOn, workingDaysTaken);
        const [out] = decideTransfer(afterRequest, { type: 'ConfirmTransferOut', certificate, by: 'old' }, { today: confirmedOn });
        expect(out?.type === 'TransferOutConfirmed' && out.data.overdueByWorkingDays).toBe(0);
        const dueIn = evolveTransfer(afterRequest, out!).dueOn!;
        expect(dueIn <= addWorkingDays(requestedOn, 15)).toBe(true);
      }),
    );
  });
});
