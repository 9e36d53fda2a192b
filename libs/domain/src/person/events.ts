import type { IsoDate, IsoMonth, Rfc3339 } from '../dates';
import type { Fen } from '../money';
import type { PersonCategory } from '../policy/types';
import type { RegionCode } from '../regions';

export type Scheme = 'resident' | 'employee';
/** Who paid: the person, their employer, medical assistance (资助参保) or someone else. */
export type Payer = 'individual' | 'employer' | 'medical_assistance' | 'other';
export type ContributionKind = 'regular' | 'make_up';
export type ContributionPart = 'individual' | 'unit' | 'both';
export type EnrollmentEndReason = 'moved_to_employee' | 'moved_to_resident' | 'transferred_out' | 'left_employer' | 'death' | 'other';

export interface PersonRegisteredData {
  personId: string;
  idNumber: string;
  name: string;
  birthDate: IsoDate;
  categories: PersonCategory[];
}

export interface PersonCategoriesChangedData {
  categories: PersonCategory[];
  effectiveFrom: IsoDate;
}

export interface EnrolledInSchemeData {
  enrollmentId: string;
  scheme: Scheme;
  regionCode: RegionCode;
  enrolledOn: IsoDate;
  employerId?: string;
  via?: 'transfer';
  transferId?: string;
}

export interface EnrollmentEndedData {
  enrollmentId: string;
  endedOn: IsoDate;
  reason: EnrollmentEndReason;
}

/**
 * One payment. Resident contributions name a `coverageYear`, employee ones a `coverageMonth`.
 * Make-up (补缴) is a contribution with kind 'make_up': the same money fact, paid late.
 */
export interface ContributionRecordedData {
  contributionId: string;
  enrollmentId: string;
  scheme: Scheme;
  regionCode: RegionCode;
  coverageYear?: number;
  coverageMonth?: IsoMonth;
  amountFen: Fen;
  payer: Payer;
  agencyId?: string;
  agencyReference?: string;
  /** The payer as an agency posted them (an agency payment that went straight to the person's ledger). */
  payerIdNumber?: string;
  payerName?: string;
  paidAt: Rfc3339;
  kind: ContributionKind;
  part?: ContributionPart;
}

export interface ContributionReversedData {
  contributionId: string;
  reversedAt: Rfc3339;
  reason: string;
}

/** `period` is a coverage year ('2024') for the resident scheme and a month ('2024-03') for the employee scheme. */
export interface LapseRecordedData {
  lapseId: string;
  scheme: Scheme;
  regionCode: RegionCode;
  period: string;
  /** The period end the lapse job ran for. */
  recordedFor: IsoDate;
}

export interface UnitContributionDeferredData {
  deferralId: string;
  employerId: string;
  months: IsoMonth[];
}

export interface DeferredContributionMadeUpData {
  deferralId: string;
  months: IsoMonth[];
}

export type PersonEvent =
  | { type: 'PersonRegistered'; data: PersonRegisteredData }
  | { type: 'PersonCategoriesChanged'; data: PersonCategoriesChangedData }
  | { type: 'EnrolledInScheme'; data: EnrolledInSchemeData }
  | { type: 'EnrollmentEnded'; data: EnrollmentEndedData }
  | { type: 'ContributionRecorded'; data: ContributionRecordedData }
  | { type: 'ContributionReversed'; data: ContributionReversedData }
  | { type: 'LapseRecorded'; data: LapseRecordedData }
  | { type: 'UnitContributionDeferred'; data: UnitContributionDeferredData }
  | { type: 'DeferredContributionMadeUp'; data: DeferredContributionMadeUpData };

export type PersonEventType = PersonEvent['type'];

export const PERSON_EVENT_TYPES: readonly PersonEventType[] = [
  'PersonRegistered',
  'PersonCategoriesChanged',
  'EnrolledInScheme',
  'EnrollmentEnded',
  'ContributionRecorded',
  'ContributionReversed',
  'LapseRecorded',
  'UnitContributionDeferred',
  'DeferredContributionMadeUp',
];

/** What the store adds when it hands an event back. */
export interface EventMeta {
  recordedAt: Rfc3339;
  position: number;
}

export function personStreamId(personId: string): string {
  return `person-${personId}`;
}

/** The person a stream belongs to, or null for another stream. */
export function personIdOfStream(streamName: string): string | null {
  return streamName.startsWith('person-') ? streamName.slice('person-'.length) : null;
}

/** Lapse ids are derived from the period so that recording one twice is detectable. */
export function lapseIdFor(scheme: Scheme, period: string): string {
  return `lapse:${scheme}:${period}`;
}
