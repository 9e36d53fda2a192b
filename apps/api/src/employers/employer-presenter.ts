import {
  deferralEligibility,
  isDeferralMadeUp,
  isEmployeeMadeUp,
  listOverdueMakeUps,
  type DeferralPolicy,
  type DeferralRecord,
  type EmployerState,
} from '@ledger/domain';
import { deferralRefusalDetail } from './employer-problems';
import { earliestOutstandingMakeUp } from './employer.projection';

export type DeferralStatus = 'deferring' | 'making_up' | 'overdue' | 'made_up';

function deferralStatus(d: DeferralRecord, today: string): DeferralStatus {
  if (isDeferralMadeUp(d)) return 'made_up';
  if (today > d.makeUpDueOn) return 'overdue';
  return d.endedOn === null ? 'deferring' : 'making_up';
}

/** The unit as the deferral list shows it: eligibility now, each deferral with its make-up due date and who is still owed. */
export function presentEmployer(state: EmployerState, revision: number, today: string, policy: DeferralPolicy, names: ReadonlyMap<string, string>) {
  const p = state.profile!;
  const eligibility = deferralEligibility(state, policy);
  const departed = new Set(state.departures.map((d) => d.personId));
  return {
    employerId: p.employerId,
    name: p.name,
    unitType: p.unitType,
    staffCount: p.staffCount,
    smeQualified: p.smeQualified,
    regionCode: p.regionCode,
    deregisteredOn: state.deregisteredOn,
    arrears: state.arrears,
    eligibility: eligibility.eligible
      ? { eligible: true as const }
      : { eligible: false as const, code: eligibility.code, detail: deferralRefusalDetail(eligibility.code, eligibility.details) },
    deferrals: Object.values(state.deferrals)
      .sort((a, b) => (a.months[0]! < b.months[0]! ? 1 : -1))
      .map((d) => ({
        deferralId: d.deferralId,
        months: d.months,
        grantedOn: d.grantedOn,
        endedOn: d.endedOn,
        makeUpDueOn: d.makeUpDueOn,
        status: deferralStatus(d, today),
        madeUpFen: d.madeUpFen,
        employees: d.employees.map((personId) => ({
          personId,
          name: names.get(personId) ?? null,
          madeUp: isEmployeeMadeUp(d, personId),
          departed: departed.has(personId),
        })),
        outstandingCount: d.employees.filter((personId) => !isEmployeeMadeUp(d, personId)).length,
      })),
    departures: state.departures,
    makeUpDueOn: earliestOutstandingMakeUp(state),
    overdueMakeUps: listOverdueMakeUps(state, today),
    revision,
    today,
  };
}

export type EmployerPresentation = ReturnType<typeof presentEmployer>;
