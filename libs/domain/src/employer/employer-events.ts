export const UNIT_TYPES = [
  'enterprise',
  'individual_business_as_unit',
  'social_organization',
  'government_body',
  'public_institution',
  'individual_business_flexible',
  'flexible_worker',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

export const DEPARTURE_REASONS = ['left', 'retired', 'transferred_out'] as const;
export type DepartureReason = (typeof DEPARTURE_REASONS)[number];

export interface EmployerRegisteredData {
  employerId: string;
  name: string;
  unitType: UnitType;
  staffCount: number;
  smeQualified: boolean;
  regionCode: string;
}

/** The unit's current arrears (totals, not a delta). */
export interface EmployerArrearsChangedData {
  months: number;
  fen: number;
}

export interface DeferralGrantedData {
  deferralId: string;
  /** Consecutive contribution months, `YYYY-MM`. */
  months: string[];
  grantedOn: string;
  makeUpDueOn: string;
  employees: string[];
}

export interface DeferralEndedData {
  deferralId: string;
  endedOn: string;
}

/** Either one employee's deferred unit part, or everything the deferral still owes. */
export type DeferredContributionsMadeUpData = {
  deferralId: string;
  fen: number;
  on: string;
  /** Paid after makeUpDueOn: accepted, but from then on late fees are the region's business. */
  late: boolean;
} & ({ personId: string } | { all: true });

export interface EmployeeDepartedData {
  personId: string;
  reason: DepartureReason;
  on: string;
}

export interface EmployerDeregisteredData {
  on: string;
}

export type EmployerEvent =
  | { type: 'EmployerRegistered'; data: EmployerRegisteredData }
  | { type: 'EmployerArrearsChanged'; data: EmployerArrearsChangedData }
  | { type: 'DeferralGranted'; data: DeferralGrantedData }
  | { type: 'DeferralEnded'; data: DeferralEndedData }
  | { type: 'DeferredContributionsMadeUp'; data: DeferredContributionsMadeUpData }
  | { type: 'EmployeeDeparted'; data: EmployeeDepartedData }
  | { type: 'EmployerDeregistered'; data: EmployerDeregisteredData };

export function employerStreamId(employerId: string): string {
  return `employer-${employerId}`;
}
