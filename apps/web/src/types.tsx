/** Shapes of the service's answers the page reads (a subset of each). */
export type CoverageStatus = 'covered' | 'waiting' | 'not_covered';

export interface Enrollment {
  enrollmentId: string;
  scheme: 'employee' | 'resident';
  regionCode: string;
  enrolledOn: string;
  endedOn: string | null;
  employerId?: string;
  via?: 'transfer';
  transferId?: string;
}

export interface PersonSummary {
  personId: string;
  idNumber: string;
  name: string;
  birthDate: string;
  categories: string[];
  enrollments: Enrollment[];
  revision: number;
}

export interface TimelinePeriod {
  from: string;
  to: string;
  status: CoverageStatus;
  scheme: string | null;
  regionCode: string | null;
  reason: string;
  causedBy: string[];
}

export interface LedgerEvent {
  eventId: string;
  type: string;
  revision: number;
  recordedAt: string;
  actor: string;
  data: Record<string, unknown>;
}

export interface Timeline {
  personId: string;
  periods: TimelinePeriod[];
  events: LedgerEvent[];
}

export interface Coverage {
  asOf: string;
  status: CoverageStatus;
  scheme: string | null;
  regionCode: string | null;
  coveredFrom: string | null;
  coveredTo: string | null;
  waitingPeriod: { from: string; to: string; reason: string } | null;
  waitingExemption: string | null;
  continuity: { status: string; continuousYears: number; since: string | null };
  arrearsFen: number;
}

export interface Certificate {
  name: string;
  idNumber: string;
  scheme: string;
  fromRegion: string;
  toRegion: string;
  enrollmentPeriods: Array<{ from: string; to: string; regionCode: string; scheme: string }>;
  actualContributionMonths: number;
  deemedContributionMonths: number;
  continuousYears: number;
  coverageEnd: string;
  arrearsFen: number;
  personalAccountFen: number;
}

export interface DuplicateEnrollment {
  from: string;
  to: string | null;
  oldRegion: { regionCode: string; scheme: string; from: string; to: string | null };
  otherRegion: { regionCode: string; scheme: string; from: string; to: string | null };
}

export type TransferStep = 'requested' | 'transferred_out' | 'completed' | 'rejected' | 'cancelled';
export type TransferAction = 'confirm_transfer_out' | 'complete' | 'reject' | 'cancel';

export interface Transfer {
  transferId: string;
  personId: string;
  personName: string | null;
  idNumber: string;
  scheme: string;
  fromRegion: string;
  toRegion: string;
  channel: string;
  requestedOn: string;
  step: TransferStep;
  waiting: { waitingParty: string; waitingOn: string; waitingOnRegion: string; pendingStep: 'transfer_out' | 'transfer_in' } | null;
  dueOn: string | null;
  workingDaysLeft: number | null;
  isOverdue: boolean;
  calendarGap: string | null;
  lateSteps: Array<{ step: string; overdueByWorkingDays: number }>;
  history: Array<{ step: string; on: string; by: string; overdueByWorkingDays?: number; reason?: string; dueOn?: string }>;
  certificate: Certificate | null;
  newEnrollmentOn: string | null;
  rejection: { reason: string } | null;
  duplicateEnrollments: DuplicateEnrollment[];
  actions: TransferAction[];
  revision: number;
  today: string;
}

export interface TransferQueue {
  today: string;
  count: number;
  overdueCount: number;
  transfers: Transfer[];
}

export type DeferralStatus = 'deferring' | 'making_up' | 'overdue' | 'made_up';

export interface Deferral {
  deferralId: string;
  months: string[];
  grantedOn: string;
  endedOn: string | null;
  makeUpDueOn: string;
  status: DeferralStatus;
  madeUpFen: number;
  employees: Array<{ personId: string; name: string | null; madeUp: boolean; departed: boolean }>;
  outstandingCount: number;
}

export interface Employer {
  employerId: string;
  name: string;
  unitType: string;
  staffCount: number;
  smeQualified: boolean;
  regionCode: string;
  deregisteredOn: string | null;
  arrears: { months: number; fen: number };
  eligibility: { eligible: true } | { eligible: false; code: string; detail: string };
  deferrals: Deferral[];
  departures: Array<{ personId: string; reason: string; on: string }>;
  makeUpDueOn: string | null;
  overdueMakeUps: Array<{ deferralId: string; makeUpDueOn: string; outstandingEmployees: string[] }>;
  revision: number;
  today: string;
}

export interface EmployerList {
  today: string;
  count: number;
  overdueCount: number;
  employers: Employer[];
}
