import { addDays, assertIsoDate, IsoDate } from '../dates';
import type { PersonState } from '../person/state';
import { arrearsAsOf } from './arrears';
import { continuityFromIndex } from './continuity';
import { buildCoverageModel, DetailedPeriod } from './timeline';
import type { CoverageAnswer, CoverageOptions, WaitingPeriodInfo } from './types';

/** The person's cover on one date, read from the same timeline `coverageTimeline` returns. */
export function coverageAsOf(state: PersonState, asOf: IsoDate, opts: CoverageOptions = {}): CoverageAnswer {
  assertIsoDate(asOf, 'asOf');
  const model = buildCoverageModel(state, opts);
  const periods = model.periods;
  const index = periods.findIndex((p) => p.from <= asOf && asOf <= p.to);
  const period = index >= 0 ? periods[index]! : null;
  const status = period?.status ?? 'not_covered';
  const contiguous = (a: DetailedPeriod | undefined, b: DetailedPeriod | undefined) =>
    !!a && !!b && addDays(a.to, 1) === b.from && a.scheme === b.scheme && a.regionCode === b.regionCode;

  let coveredFrom: IsoDate | null = null;
  let coveredTo: IsoDate | null = null;
  let waitingPeriod: WaitingPeriodInfo | null = null;
  if (period && status === 'covered') {
    coveredFrom = period.from;
    coveredTo = period.to;
    const prev = periods[index - 1];
    if (prev && prev.status === 'waiting' && contiguous(prev, period)) waitingPeriod = { from: prev.from, to: prev.to, reason: prev.reason };
  } else if (period && status === 'waiting') {
    waitingPeriod = { from: period.from, to: period.to, reason: period.reason };
    const next = periods[index + 1];
    if (next && next.status === 'covered' && contiguous(period, next)) {
      coveredFrom = next.from;
      coveredTo = next.to;
    }
  }
  return {
    personId: state.personId,
    asOf,
    status,
    scheme: status === 'not_covered' ? null : period!.scheme,
    regionCode: status === 'not_covered' ? null : period!.regionCode,
    coveredFrom,
    coveredTo,
    waitingPeriod,
    waitingExemption: status === 'covered' ? period!.exemption : null,
    continuity: continuityFromIndex(model.insuredIndex, asOf, state.birthDate),
    arrearsFen: arrearsAsOf(state, asOf, opts.catalog),
  };
}
