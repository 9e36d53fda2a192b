import type { RequestTransfer } from './transfer-commands';
import type { TransferCertificate, TransferEvent } from './transfer-events';

export const ID_NUMBER = '410302199003071231';
export const OTHER_ID_NUMBER = '11010519491231002X';
export const LUOYANG = '410300';
export const GUANGZHOU = '440100';

export const requestCommand: RequestTransfer = {
  type: 'RequestTransfer',
  transferId: 't-1',
  personId: 'p-1',
  idNumber: ID_NUMBER,
  fromRegion: LUOYANG,
  toRegion: GUANGZHOU,
  scheme: 'employee',
  requestedBy: 'p-1',
  channel: 'online',
};

export const certificate: TransferCertificate = {
  name: '张三',
  idNumber: ID_NUMBER,
  scheme: 'employee',
  fromRegion: LUOYANG,
  toRegion: GUANGZHOU,
  enrollmentPeriods: [{ from: '2015-07-01', to: '2024-08-31', regionCode: LUOYANG, scheme: 'employee' }],
  actualContributionMonths: 110,
  deemedContributionMonths: 0,
  continuousYears: 9,
  coverageEnd: '2024-08-31',
  arrearsFen: 0,
  personalAccountFen: 1_234_56,
};

// Requested Friday 2024-09-20: 10 working days, counting make-up Sunday 9/29 and skipping
// National Day, end on Thursday 2024-10-10.
export const requested: TransferEvent = {
  type: 'TransferRequested',
  data: {
    transferId: 't-1',
    personId: 'p-1',
    idNumber: ID_NUMBER,
    fromRegion: LUOYANG,
    toRegion: GUANGZHOU,
    scheme: 'employee',
    requestedOn: '2024-09-20',
    requestedBy: 'p-1',
    channel: 'online',
    transferOutWorkingDays: 10,
    transferOutDueOn: '2024-10-10',
  },
};

// Confirmed on the due date; 5 working days, counting make-up Saturday 10/12, end 2024-10-16:
// 15 working days after the request in all.
export const transferredOut: TransferEvent = {
  type: 'TransferOutConfirmed',
  data: {
    certificate,
    confirmedOn: '2024-10-10',
    by: 'luoyang-officer',
    overdueByWorkingDays: 0,
    transferInWorkingDays: 5,
    transferInDueOn: '2024-10-16',
  },
};

export const completed: TransferEvent = {
  type: 'TransferCompleted',
  data: { completedOn: '2024-10-16', newEnrollmentOn: '2024-09-01', by: 'guangzhou-officer', overdueByWorkingDays: 0 },
};

export const rejected: TransferEvent = {
  type: 'TransferRejected',
  data: { reason: '参保信息不一致', by: 'luoyang-officer', on: '2024-09-25', step: 'transfer_out', overdueByWorkingDays: 0 },
};

export const cancelled: TransferEvent = { type: 'TransferCancelled', data: { by: 'p-1', on: '2024-09-24' } };
