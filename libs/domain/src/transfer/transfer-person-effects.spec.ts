import type { PersonEvent } from '../person/events';
import { evolveTransfer, initialTransferState } from './transfer-state';
import { transferPersonEffects } from './transfer-person-effects';
import { TransferError } from './transfer-error';
import type { TransferEvent } from './transfer-events';
import { completed, GUANGZHOU, requested, transferredOut } from './transfer.fixtures';

const stateOf = (events: TransferEvent[]) => events.reduce(evolveTransfer, initialTransferState);
const ids = { endedEnrollmentId: 'enr-luoyang', newEnrollmentId: 'enr-guangzhou' };

describe('transferPersonEffects', () => {
  it('ends the old enrollment at the certificate’s coverage end and enrolls in the new region via the transfer', () => {
    expect(transferPersonEffects(stateOf([requested, transferredOut, completed]), ids)).toEqual([
      { type: 'EnrollmentEnded', data: { enrollmentId: 'enr-luoyang', endedOn: '2024-08-31', reason: 'transferred_out' } },
      {
        type: 'EnrolledInScheme',
        data: {
          enrollmentId: 'enr-guangzhou',
          scheme: 'employee',
          regionCode: GUANGZHOU,
          enrolledOn: '2024-09-01',
          via: 'transfer',
          transferId: 't-1',
        },
      },
    ]);
  });

  it('produces events the person stream accepts as its own (type-checked against person/events)', () => {
    const effects: PersonEvent[] = transferPersonEffects(stateOf([requested, transferredOut, completed]), ids);
    expect(effects.map((e) => e.type)).toEqual(['EnrollmentEnded', 'EnrolledInScheme']);
  });

  it('carries the new employer when given, and nothing undefined otherwise (JSON-safe)', () => {
    const state = stateOf([requested, transferredOut, completed]);
    const [, withEmployer] = transferPersonEffects(state, { ...ids, employerId: 'emp-7' });
    expect(withEmployer?.data).toMatchObject({ employerId: 'emp-7' });
    const [, without] = transferPersonEffects(state, ids);
    expect(Object.keys(without!.data)).not.toContain('employerId');
  });

  it.each([
    ['requested', [requested]],
    ['transferred_out', [requested, transferredOut]],
  ] as [string, TransferEvent[]][])('refuses while the transfer is %s', (step, events) => {
    let caught: unknown;
    try {
      transferPersonEffects(stateOf(events), ids);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TransferError);
    expect((caught as TransferError).code).toBe('transfer_not_completed');
    expect((caught as TransferError).details).toEqual({ step });
  });
});
