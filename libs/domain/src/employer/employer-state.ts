import type { EmployeeDepartedData, EmployerArrearsChangedData, EmployerEvent, EmployerRegisteredData } from './employer-events';

export interface DeferralRecord {
  deferralId: string;
  months: string[];
  grantedOn: string;
  makeUpDueOn: string;
  employees: string[];
  endedOn: string | null;
  /** Employees whose deferred unit part has been made up one by one. */
  madeUpEmployees: string[];
  /** Set once the unit has made up everything the deferral owed. */
  madeUpAll: boolean;
  madeUpFen: number;
}

export interface EmployerState {
  profile: EmployerRegisteredData | null;
  deregisteredOn: string | null;
  arrears: EmployerArrearsChangedData;
  deferrals: Record<string, DeferralRecord>;
  departures: EmployeeDepartedData[];
}

export const initialEmployerState: EmployerState = {
  profile: null,
  deregisteredOn: null,
  arrears: { months: 0, fen: 0 },
  deferrals: {},
  departures: [],
};

function updateDeferral(state: EmployerState, deferralId: string, change: (d: DeferralRecord) => DeferralRecord): EmployerState {
  const current = state.deferrals[deferralId];
  // A stored event for a deferral we never saw is ignored: replay must not throw.
  if (current === undefined) return state;
  return { ...state, deferrals: { ...state.deferrals, [deferralId]: change(current) } };
}

export function evolveEmployer(state: EmployerState, event: EmployerEvent): EmployerState {
  switch (event.type) {
    case 'EmployerRegistered':
      return { ...state, profile: event.data };
    case 'EmployerArrearsChanged':
      return { ...state, arrears: event.data };
    case 'DeferralGranted': {
      const d = event.data;
      const record: DeferralRecord = {
        deferralId: d.deferralId,
        months: d.months,
        grantedOn: d.grantedOn,
        makeUpDueOn: d.makeUpDueOn,
        employees: d.employees,
        endedOn: null,
        madeUpEmployees: [],
        madeUpAll: false,
        madeUpFen: 0,
      };
      return { ...state, deferrals: { ...state.deferrals, [d.deferralId]: record } };
    }
    case 'DeferralEnded':
      return updateDeferral(state, event.data.deferralId, (d) => ({ ...d, endedOn: event.data.endedOn }));
    case 'DeferredContributionsMadeUp': {
      const data = event.data;
      return updateDeferral(state, data.deferralId, (d) => ({
        ...d,
        madeUpFen: d.madeUpFen + data.fen,
        madeUpAll: d.madeUpAll || 'all' in data,
        madeUpEmployees: 'personId' in data ? [...d.madeUpEmployees, data.personId] : d.madeUpEmployees,
      }));
    }
    case 'EmployeeDeparted':
      return { ...state, departures: [...state.departures, event.data] };
    case 'EmployerDeregistered':
      return { ...state, deregisteredOn: event.data.on };
    default:
      return state;
  }
}
