import type { IsoDate, IsoMonth, Rfc3339 } from '../dates';
import type { PersonCategory } from '../policy/types';
import type { PolicyCatalog } from '../policy/types';
import type { ContributionKind, ContributionPart, EnrollmentEndReason, Payer, Scheme } from './events';

export type PersonCommand =
  | { type: 'RegisterPerson'; data: { personId: string; idNumber: string; name: string; categories?: PersonCategory[] } }
  | { type: 'ChangeCategories'; data: { categories: PersonCategory[]; effectiveFrom: IsoDate } }
  | {
      type: 'EnrollInScheme';
      data: { enrollmentId: string; scheme: Scheme; regionCode: string; enrolledOn: IsoDate; employerId?: string; via?: 'transfer'; transferId?: string };
    }
  | { type: 'EndEnrollment'; data: { enrollmentId: string; endedOn: IsoDate; reason: EnrollmentEndReason } }
  | {
      type: 'RecordContribution';
      data: {
        contributionId: string;
        /** Omitted: the person's enrollment in that scheme and region covering the period is used. */
        enrollmentId?: string;
        scheme: Scheme;
        regionCode: string;
        coverageYear?: number;
        coverageMonth?: IsoMonth;
        amountFen: number;
        payer: Payer;
        agencyId?: string;
        agencyReference?: string;
        /** The payer as an agency posted them: the receipt's content, kept with the contribution it became. */
        payerIdNumber?: string;
        payerName?: string;
        paidAt: Rfc3339;
        kind?: ContributionKind;
        part?: ContributionPart;
      };
    }
  | { type: 'ReverseContribution'; data: { contributionId: string; reversedAt: Rfc3339; reason: string } }
  | { type: 'RecordLapse'; data: { scheme: Scheme; regionCode: string; period: string; recordedFor: IsoDate } }
  | { type: 'DeferUnitContribution'; data: { deferralId: string; employerId: string; months: IsoMonth[] } }
  | { type: 'MakeUpDeferredContribution'; data: { deferralId: string; months: IsoMonth[] } };

export type PersonCommandType = PersonCommand['type'];

export interface DecideContext {
  /** China calendar date of "now" (chinaToday()); the decider never reads the clock itself. */
  today: IsoDate;
  /** Policy catalogue; defaults to the shipped one. */
  catalog?: PolicyCatalog;
}
