import { createWorkingDayCalendar } from '../calendar/working-day-calendar';
import { CHINA_HOLIDAY_NOTICES } from '../calendar/holiday-notices';
import { decideTransfer } from './decide-transfer';
import { givenWhenThen } from './testing/given-when-then';
import type { TransferCommand, TransferContext } from './transfer-commands';
import { isTransferOverdue, transferStatus, transferWorkingDaysLeft } from './transfer-deadlines';
import type { TransferEvent } from './transfer-events';
import { DEFAULT_TRANSFER_POLICY, TransferPolicy } from './transfer-policy';
import { evolveTransfer, initialTransferState } from './transfer-state';
import {
  cancelled,
  certificate,
  completed,
  GUANGZHOU,
  ID_NUMBER,
  LUOYANG,
  OTHER_ID_NUMBER,
  rejected,
  requestCommand,
  requested,
  transferredOut,
} from './transfer.fixtures';

const given = givenWhenThen<TransferState, TransferCommand, TransferEvent, TransferContext>({
  initialState: initialTransferState,
  evolve: evolveTransfer,
  decide: decideTransfer,
});
type TransferState = typeof initialTransferState;

const on = (today: string): TransferContext => ({ today });
const confirm: TransferCommand = { type: 'ConfirmTransferOut', certificate, by: 'luoyang-officer' };
const complete: TransferCommand = { type: 'CompleteTransfer', newEnrollmentOn: '2024-09-01', by: 'guangzhou-officer' };
const reject: TransferCommand = { type: 'RejectTransfer', reason: '参保信息不一致', by: 'luoyang-officer' };
const cancel: TransferCommand = { type: 'CancelTransfer', by: 'p-1' };

describe('RequestTransfer', () => {
  it('opens the transfer at the new region with the transfer-out deadline in working days', () => {
    given([]).when(requestCommand, on('2024-09-20')).then([requested]);
  });

  it('leaves the transfer waiting for the old region until the due date', () => {
    given([])
      .when(requestCommand, on('2024-09-20'))
      .thenState((state) => {
        expect(state.step).toBe('requested');
        expect(state.waitingFor).toBe('transfer_out_region');
        expect(state.dueOn).toBe('2024-10-10');
      });
  });

  it('counts 10 working days across the 2024 Spring Festival (make-up Sunday 2/18 counts)', () => {
    given([])
      .when(requestCommand, on('2024-02-06'))
      .thenState((state) => expect(state.dueOn).toBe('2024-02-26'));
  });

  it('normalises a lower-case check character', () => {
    const [event] = given([])
      .when({ ...requestCommand, idNumber: OTHER_ID_NUMBER.toLowerCase() }, on('2024-09-20'))
      .then([{ ...requested, data: { ...requested.data, idNumber: OTHER_ID_NUMBER } } as TransferEvent]);
    expect(event?.type).toBe('TransferRequested');
  });

  it('uses the most specific regional limit: city for transfer-out, province for transfer-in', () => {
    const policy: TransferPolicy = {
      defaults: DEFAULT_TRANSFER_POLICY.defaults,
      byRegion: { '410300': { transferOutWorkingDays: 7 }, '410000': { transferOutWorkingDays: 9 }, '440000': { transferInWorkingDays: 3 } },
    };
    const [req] = given([])
      .when({ ...requestCommand, fromRegion: '410302' }, { today: '2024-09-20', policy })
      .then([{ ...requested, data: { ...requested.data, fromRegion: '410302', transferOutWorkingDays: 7, transferOutDueOn: '2024-09-30' } } as TransferEvent]);
    given([req!])
      .when({ ...confirm, certificate: { ...certificate, fromRegion: '410302' } }, { today: '2024-09-27', policy })
      .thenState((state) => {
        expect(state.transferOut?.transferInWorkingDays).toBe(3);
        // Friday 9/27 + 3: make-up Sunday 9/29, Monday 9/30, then 10/8 after National Day.
        expect(state.dueOn).toBe('2024-10-08');
      });
  });

  it.each([
    ['same_region', { toRegion: LUOYANG }],
    ['not_cross_province', { toRegion: '410100' }],
    ['invalid_region_code', { fromRegion: '4103' }],
    ['invalid_region_code', { toRegion: 'GZ0100' }],
    ['invalid_id_number', { idNumber: '410302199003071232' }],
    ['invalid_id_number', { idNumber: '41030219900307' }],
    ['invalid_scheme', { scheme: 'commercial' }],
    ['invalid_channel', { channel: 'fax' }],
    ['missing_field', { personId: ' ' }],
    ['missing_field', { transferId: '' }],
    ['missing_field', { requestedBy: '' }],
  ])('refuses with %s when %j', (code, patch) => {
    given([])
      .when({ ...requestCommand, ...patch } as TransferCommand, on('2024-09-20'))
      .then(code);
  });

  it('refuses a second request on the same stream', () => {
    given([requested]).when(requestCommand, on('2024-09-21')).then('transfer_already_requested');
  });

  it('refuses a deadline that would need a calendar year with no data', () => {
    given([]).when(requestCommand, on('2027-12-24')).then('calendar_year_unknown');
  });

  it('refuses a malformed today', () => {
    given([]).when(requestCommand, on('2024/09/20')).then('invalid_date');
  });
});

describe('ConfirmTransferOut', () => {
  it('on the due date: not overdue, transfer-in due 5 working days later', () => {
    given([requested]).when(confirm, on('2024-10-10')).then([transferredOut]);
  });

  it('moves the wait to the new region', () => {
    given([requested])
      .when(confirm, on('2024-10-10'))
      .thenState((state) => {
        expect(state.step).toBe('transferred_out');
        expect(state.waitingFor).toBe('transfer_in_region');
        expect(state.dueOn).toBe('2024-10-16');
        expect(state.transferOut?.certificate.personalAccountFen).toBe(123456);
      });
  });

  it.each([
    // [confirmedOn, overdue working days, why]
    ['2024-10-11', 1, 'the next working day'],
    ['2024-10-12', 2, 'a make-up Saturday is a working day'],
    ['2024-10-13', 3, 'a Sunday counts as of Monday 10/14'],
  ])('late on %s is accepted and recorded %i working day(s) overdue (%s)', (today, overdue) => {
    given([requested])
      .when(confirm, on(today))
      .thenState((state) => {
        expect(state.transferOut?.overdueByWorkingDays).toBe(overdue);
        expect(state.transferOut?.confirmedOn).toBe(today);
      });
  });

  it('gives the new region its own 5 working days after a late transfer-out', () => {
    // Monday 10/14 + 5 = 10/21.
    given([requested])
      .when(confirm, on('2024-10-14'))
      .thenState((state) => expect(state.dueOn).toBe('2024-10-21'));
  });

  it('refuses a certificate for another person', () => {
    given([requested])
      .when({ ...confirm, certificate: { ...certificate, idNumber: OTHER_ID_NUMBER } }, on('2024-10-08'))
      .thenRefused('certificate_person_mismatch', { personId: 'p-1' });
  });

  it('matches the id number regardless of the check character case', () => {
    const req = { ...requested, data: { ...requested.data, idNumber: OTHER_ID_NUMBER } } as TransferEvent;
    given([req])
      .when({ ...confirm, certificate: { ...certificate, idNumber: OTHER_ID_NUMBER.toLowerCase() } }, on('2024-10-08'))
      .thenState((state) => expect(state.step).toBe('transferred_out'));
  });

  it('refuses a certificate issued for other regions', () => {
    given([requested])
      .when({ ...confirm, certificate: { ...certificate, toRegion: '310100' } }, on('2024-10-08'))
      .then('certificate_region_mismatch');
  });

  it.each([
    ['actualContributionMonths', { actualContributionMonths: -1 }],
    ['personalAccountFen', { personalAccountFen: 12.5 }],
    ['coverageEnd', { coverageEnd: '2024-02-30' }],
    ['name', { name: '' }],
    ['enrollmentPeriods', { enrollmentPeriods: [{ from: '2024-08-31', to: '2015-07-01', regionCode: LUOYANG, scheme: 'employee' }] }],
  ])('refuses an invalid certificate (%s)', (field, patch) => {
    given([requested])
      .when({ ...confirm, certificate: { ...certificate, ...patch } } as TransferCommand, on('2024-10-08'))
      .thenRefused('invalid_certificate', { field });
  });

  it('refuses a confirmation dated before the request', () => {
    given([requested]).when(confirm, on('2024-09-19')).then('date_out_of_order');
  });

  it('refuses without an officer', () => {
    given([requested])
      .when({ ...confirm, by: '' }, on('2024-10-08'))
      .then('missing_field');
  });

  it('refuses before any request', () => {
    given([]).when(confirm, on('2024-10-08')).then('transfer_not_requested');
  });

  it('refuses a second confirmation', () => {
    given([requested, transferredOut]).when(confirm, on('2024-10-11')).then('transfer_out_already_confirmed');
  });
});

describe('CompleteTransfer', () => {
  it('on the due date: completes with no overdue', () => {
    given([requested, transferredOut]).when(complete, on('2024-10-16')).then([completed]);
  });

  it('closes the transfer: nothing pending, nothing due', () => {
    given([requested, transferredOut])
      .when(complete, on('2024-10-16'))
      .thenState((state) => {
        expect(state.step).toBe('completed');
        expect(state.waitingFor).toBeNull();
        expect(state.dueOn).toBeNull();
      });
  });

  it('late on Friday 10/18 is accepted and recorded 2 working days overdue', () => {
    given([requested, transferredOut])
      .when(complete, on('2024-10-18'))
      .thenState((state) => expect(state.completion?.overdueByWorkingDays).toBe(2));
  });

  it('refuses before the transfer-out', () => {
    given([requested]).when(complete, on('2024-10-08')).then('transfer_out_not_confirmed');
  });

  it('refuses before any request', () => {
    given([]).when(complete, on('2024-10-08')).then('transfer_not_requested');
  });

  it('refuses a new enrollment starting before the old cover ends', () => {
    given([requested, transferredOut])
      .when({ ...complete, newEnrollmentOn: '2024-08-31' }, on('2024-10-16'))
      .thenRefused('new_enrollment_overlaps_old_coverage', { coverageEnd: '2024-08-31' });
  });

  it('refuses an impossible new enrollment date', () => {
    given([requested, transferredOut])
      .when({ ...complete, newEnrollmentOn: '2024-09-31' }, on('2024-10-16'))
      .then('invalid_date');
  });

  it('refuses a completion dated before the transfer-out', () => {
    given([requested, transferredOut]).when(complete, on('2024-10-09')).then('date_out_of_order');
  });
});

describe('RejectTransfer', () => {
  it('at the transfer-out step, by the old region', () => {
    given([requested]).when(reject, on('2024-09-25')).then([rejected]);
  });

  it('at the transfer-in step, late, with the reason trimmed', () => {
    given([requested, transferredOut])
      .when({ ...reject, reason: '  个人账户资金未到账 ', by: 'guangzhou-officer' }, on('2024-10-17'))
      .then([
        {
          type: 'TransferRejected',
          data: { reason: '个人账户资金未到账', by: 'guangzhou-officer', on: '2024-10-17', step: 'transfer_in', overdueByWorkingDays: 1 },
        },
      ]);
  });

  it.each([[''], ['   ']])('refuses a rejection without a reason (%j)', (reason) => {
    given([requested])
      .when({ ...reject, reason }, on('2024-09-25'))
      .then('rejection_reason_required');
  });

  it('refuses before any request', () => {
    given([]).when(reject, on('2024-09-25')).then('transfer_not_requested');
  });
});

describe('CancelTransfer', () => {
  it('by the applicant before the transfer-out', () => {
    given([requested]).when(cancel, on('2024-09-24')).then([cancelled]);
  });

  it('by the applicant after the transfer-out but before completion', () => {
    given([requested, transferredOut])
      .when(cancel, on('2024-10-11'))
      .thenState((state) => {
        expect(state.step).toBe('cancelled');
        expect(state.waitingFor).toBeNull();
      });
  });

  it('by whoever filed for the person', () => {
    const filedByAgent = { ...requested, data: { ...requested.data, requestedBy: 'agent-9' } } as TransferEvent;
    given([filedByAgent])
      .when({ ...cancel, by: 'agent-9' }, on('2024-09-24'))
      .then([{ type: 'TransferCancelled', data: { by: 'agent-9', on: '2024-09-24' } }]);
  });

  it('refuses anyone else', () => {
    given([requested])
      .when({ ...cancel, by: 'luoyang-officer' }, on('2024-09-24'))
      .then('not_applicant');
  });
});

describe('anything after the transfer is closed', () => {
  const closings: [string, TransferEvent[]][] = [
    ['completed', [requested, transferredOut, completed]],
    ['rejected', [requested, rejected]],
    ['cancelled', [requested, cancelled]],
  ];
  const commands: [string, TransferCommand][] = [
    ['confirm', confirm],
    ['complete', complete],
    ['reject', reject],
    ['cancel', cancel],
  ];
  for (const [closedBy, history] of closings) {
    it.each(commands)(`after ${closedBy}: %s is refused as transfer_closed`, (_name, command) => {
      given(history).when(command, on('2024-10-20')).thenRefused('transfer_closed', { step: closedBy });
    });
    it(`after ${closedBy}: a new request is refused`, () => {
      given(history).when(requestCommand, on('2024-10-20')).then('transfer_already_requested');
    });
  }
});

describe('deadline status', () => {
  const afterRequest = given([requested]).state;
  it.each([
    // [today, working days left, overdue?, why]
    ['2024-09-30', 3, false, '10/8, 10/9, 10/10 remain after National Day'],
    ['2024-10-05', 3, false, 'a holiday Saturday has the same three ahead'],
    ['2024-10-10', 0, false, 'the due date itself'],
    ['2024-10-11', -1, true, 'one working day late'],
    ['2024-10-13', -3, true, 'Sunday counts as of Monday 10/14'],
  ])('on %s: %i working days left, overdue %s (%s)', (today, left, overdue) => {
    expect(transferWorkingDaysLeft(afterRequest, today)).toBe(left);
    expect(isTransferOverdue(afterRequest, today)).toBe(overdue);
  });

  it('follows the transfer-in deadline once transferred out', () => {
    const state = given([requested, transferredOut]).state;
    expect(transferStatus(state, '2024-10-11')).toEqual({
      step: 'transferred_out',
      waitingFor: 'transfer_in_region',
      dueOn: '2024-10-16',
      workingDaysLeft: 4,
      isOverdue: false,
    });
  });

  it('has nothing pending once closed', () => {
    const state = given([requested, transferredOut, completed]).state;
    expect(transferStatus(state, '2024-12-01')).toEqual({
      step: 'completed',
      waitingFor: null,
      dueOn: null,
      workingDaysLeft: null,
      isOverdue: false,
    });
  });

  it('uses the calendar it is given', () => {
    // A calendar that knows no holidays in 2024: 9/30 → 10/10 is 8 plain weekdays.
    const plain = createWorkingDayCalendar(CHINA_HOLIDAY_NOTICES.map((n) => (n.year === 2024 ? { ...n, holidays: [] } : n)));
    expect(transferWorkingDaysLeft(afterRequest, '2024-09-30', plain)).toBe(8);
  });
});

describe('evolveTransfer', () => {
  it('skips an event type it does not know instead of throwing', () => {
    const state = given([requested]).state;
    expect(evolveTransfer(state, { type: 'TransferNoted', data: {} } as unknown as TransferEvent)).toBe(state);
  });

  it('is pure: the previous state is untouched', () => {
    const before = given([requested]).state;
    const snapshot = JSON.stringify(before);
    evolveTransfer(before, transferredOut);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('keeps the certificate ID equal to the request’s', () => {
    expect(given([requested, transferredOut]).state.transferOut?.certificate.idNumber).toBe(ID_NUMBER);
    expect(given([requested]).state.request?.toRegion).toBe(GUANGZHOU);
  });
});
