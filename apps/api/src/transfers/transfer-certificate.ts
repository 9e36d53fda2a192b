import {
  addDays,
  addMonthsToMonth,
  arrearsAsOf,
  coverageAsOf,
  coverageTimeline,
  enrollmentViews,
  minDate,
  monthOf,
  type PersonState,
  type TransferCertificate,
  type TransferRequestedData,
} from '@ledger/domain';

const provinceOf = (regionCode: string | null) => regionCode?.slice(0, 2) ?? '';

function monthsIn(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = monthOf(from); m <= monthOf(to); m = addMonthsToMonth(m, 1)) months.push(m);
  return months;
}

/**
 * The information sheet (参保人员基本医疗保险信息表) as this ledger knows it: the old
 * region's enrollments and cover, read from the person's state with the coverage calculator.
 * The clerk checks it and may correct any figure before confirming the transfer-out; the
 * personal-account balance is not kept by the ledger, so it starts at 0 for the clerk to fill in.
 */
export function draftCertificate(person: PersonState, request: TransferRequestedData, today: string): TransferCertificate {
  const oldProvince = provinceOf(request.fromRegion);
  const paid = coverageTimeline(person).filter((p) => p.status !== 'not_covered');
  const inOld = paid.filter((p) => provinceOf(p.regionCode) === oldProvince);
  const enrollments = enrollmentViews(person).filter((e) => provinceOf(e.regionCode) === oldProvince);

  // The old region covers to the end of its paid period; without any, to the end of the enrollment or the eve of the request.
  const lastCovered = inOld.filter((p) => p.status === 'covered').at(-1)?.to;
  const lastEnded = enrollments
    .map((e) => e.endedOn)
    .filter((d): d is string => d !== null)
    .sort()
    .at(-1);
  const coverageEnd = lastCovered ?? lastEnded ?? addDays(request.requestedOn, -1);

  const actual = new Set(inOld.flatMap((p) => monthsIn(p.from, p.to)));
  // Months insured elsewhere count at the new region as deemed months; overlaps count once.
  const deemed = new Set(
    paid
      .filter((p) => provinceOf(p.regionCode) !== oldProvince)
      .flatMap((p) => monthsIn(p.from, p.to))
      .filter((m) => !actual.has(m)),
  );

  return {
    name: person.name ?? '',
    idNumber: person.idNumber ?? request.idNumber,
    scheme: request.scheme,
    fromRegion: request.fromRegion,
    toRegion: request.toRegion,
    enrollmentPeriods: enrollments.map((e) => ({
      from: e.enrolledOn,
      to: e.endedOn ?? (coverageEnd >= e.enrolledOn ? coverageEnd : e.enrolledOn),
      regionCode: e.regionCode,
      scheme: e.scheme,
    })),
    actualContributionMonths: actual.size,
    deemedContributionMonths: deemed.size,
    continuousYears: coverageAsOf(person, minDate(coverageEnd, today)).continuity.continuousYears,
    coverageEnd,
    arrearsFen: arrearsAsOf(person, today),
    personalAccountFen: 0,
  };
}
