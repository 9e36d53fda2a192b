import { createHash } from 'node:crypto';
import {
  decidePerson,
  detectDuplicateEnrollment,
  enrollmentViews,
  evolvePerson,
  transferPersonEffects,
  type PersonCommand,
  type PersonEvent,
  type PersonState,
  type TransferState,
} from '@ledger/domain';

const provinceOf = (regionCode: string) => regionCode.slice(0, 2);

/** Deterministic, so applying a completed transfer's effects again finds them already recorded. */
export function transferEnrollmentId(transferId: string): string {
  const h = createHash('sha256').update(`transfer-enrollment:${transferId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The old region's enrollment the transfer ends: the person's open one in the old province, if the ledger holds it. */
function openOldEnrollment(person: PersonState, transfer: TransferState): string | null {
  const from = transfer.request?.fromRegion ?? '';
  const open = enrollmentViews(person).filter(
    (e) => e.endedOn === null && provinceOf(e.regionCode) === provinceOf(from) && e.transferId !== transfer.request?.transferId,
  );
  return open.at(-1)?.enrollmentId ?? null;
}

/**
 * The person events a completed transfer produces (transferPersonEffects), decided one by one by
 * the person decider on the person's current state, so the person ledger's own rules (one scheme
 * at a time, no duplicate enrollment) apply and a repeated application yields nothing.
 */
export function decideTransferPersonEvents(person: PersonState, completed: TransferState, today: string, employerId?: string): PersonEvent[] {
  const transferId = completed.request!.transferId;
  const ended = openOldEnrollment(person, completed);
  const effects = transferPersonEffects(completed, {
    endedEnrollmentId: ended ?? '',
    newEnrollmentId: transferEnrollmentId(transferId),
    ...(employerId ? { employerId } : {}),
  });
  const commands: PersonCommand[] = effects.flatMap((effect): PersonCommand[] => {
    if (effect.type === 'EnrollmentEnded') return ended === null ? [] : [{ type: 'EndEnrollment', data: effect.data }];
    return [{ type: 'EnrollInScheme', data: effect.data }];
  });
  const events: PersonEvent[] = [];
  let state = person;
  for (const command of commands) {
    for (const event of decidePerson(state, command, { today })) {
      events.push(event);
      state = evolvePerson(state, event);
    }
  }
  return events;
}

export function personLedgerApplied(person: PersonState | null, transferId: string): boolean {
  return person !== null && Object.values(person.enrollments).some((e) => e.transferId === transferId);
}

export interface DuplicateEnrollment {
  from: string;
  to: string | null;
  oldRegion: { regionCode: string; scheme: string; from: string; to: string | null };
  otherRegion: { regionCode: string; scheme: string; from: string; to: string | null; enrollmentId: string };
}

/**
 * Periods insured both in the old region (the information sheet once issued, else the ledger's
 * own enrollments there) and elsewhere: 重复参保, shown to the clerk for resolution.
 */
export function duplicateEnrollments(person: PersonState | null, transfer: TransferState): DuplicateEnrollment[] {
  if (person === null || transfer.request === null) return [];
  const oldProvince = provinceOf(transfer.request.fromRegion);
  const views = enrollmentViews(person);
  const old = transfer.transferOut
    ? transfer.transferOut.certificate.enrollmentPeriods.map((p) => ({ from: p.from, to: p.to as string | null, regionCode: p.regionCode, scheme: p.scheme }))
    : views
        .filter((e) => provinceOf(e.regionCode) === oldProvince)
        .map((e) => ({ from: e.enrolledOn, to: e.endedOn, regionCode: e.regionCode, scheme: e.scheme }));
  const elsewhere = views
    .filter((e) => provinceOf(e.regionCode) !== oldProvince)
    .map((e) => ({ from: e.enrolledOn, to: e.endedOn, regionCode: e.regionCode, scheme: e.scheme, enrollmentId: e.enrollmentId }));
  return detectDuplicateEnrollment(old, elsewhere).map((o) => ({ from: o.from, to: o.to, oldRegion: o.a, otherRegion: o.b }));
}
