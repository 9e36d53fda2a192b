import type { IsoDate } from '../dates';
import type { Scheme } from '../person/events';
import type { PolicyCatalog } from '../policy/types';

export type CoverageStatus = 'covered' | 'waiting' | 'not_covered';
export type WaitingExemption = 'centralized_period' | 'newborn' | 'low_income' | 'employee_gap_within_3_months' | 'transfer' | 'deferral';

export interface WaitingPeriodInfo {
  from: IsoDate;
  to: IsoDate;
  reason: string;
}

export interface Continuity {
  status: 'continuous' | 'broken' | 'none';
  continuousYears: number;
  since: IsoDate | null;
}

export interface CoverageAnswer {
  personId: string | null;
  asOf: IsoDate;
  status: CoverageStatus;
  scheme: Scheme | null;
  regionCode: string | null;
  coveredFrom: IsoDate | null;
  coveredTo: IsoDate | null;
  waitingPeriod: WaitingPeriodInfo | null;
  waitingExemption: WaitingExemption | null;
  continuity: Continuity;
  arrearsFen: number;
}

export interface TimelinePeriod {
  from: IsoDate;
  to: IsoDate;
  status: CoverageStatus;
  scheme: Scheme | null;
  regionCode: string | null;
  reason: string;
  /** Ids of the facts (contributions, enrollments, deferrals, lapses) that produced the period. */
  causedBy: string[];
}

export interface CoverageOptions {
  catalog?: PolicyCatalog;
}

/** A stretch of cover or waiting produced by one payment unit, before overlaps are resolved. */
export interface CoverageSegment {
  from: IsoDate;
  to: IsoDate;
  status: 'covered' | 'waiting';
  scheme: Scheme;
  regionCode: string;
  reason: string;
  exemption: WaitingExemption | null;
  causedBy: string[];
  /** Segments with the same key may merge when adjacent. */
  groupKey: string;
  /** Lower wins an overlap between two segments of the same status. */
  rank: string;
}

/** Alias under the name the application layer uses. */
export type CoverageTimelinePeriod = TimelinePeriod;
