import type { StoredEvent } from '@ledger/event-store';
import { ReleaseQueue, type ReleaseWork } from './release-queue';

const event = (position: number, type = 'PersonRegistered', streamName = `person-${position}`): StoredEvent => ({
  eventId: `e-${position}`,
  type,
  data: {},
  metadata: { recordedAt: '2026-11-27T08:00:00.000Z', correlationId: 'c', causationId: 'c', actor: 't' },
  streamName,
  revision: 0,
  position,
});

/** Everything the queue gives, in order, until it has nothing. */
function drain(queue: ReleaseQueue, max = 10): Array<number | string> {
  const out: Array<number | string> = [];
  for (let work: ReleaseWork | null; (work = queue.next(max));)
    out.push(...('sweepUpTo' in work ? [`sweep@${work.sweepUpTo}`] : work.events.map((e) => e.position)));
  return out;
}

describe('ReleaseQueue', () => {
  it('given a start at head 10, when person events up to and after it arrive, then it sweeps at 10 first and keeps only the later ones', () => {
    const queue = new ReleaseQueue(100);
    // Handed over between following and reading the head: the sweep stands for them.
    expect(queue.take(event(4))).toBe(true);
    queue.startAt(10);
    expect(queue.take(event(9))).toBe(false);
    expect(queue.take(event(11))).toBe(true);
    expect(queue.take(event(12, 'EnrolledInScheme'))).toBe(true);
    expect(drain(queue)).toEqual(['sweep@10', 11, 12]);
    expect(queue.next(10)).toBeNull();
  });

  it('keeps only registrations and enrolments of persons, and gives them in batches of the size asked', () => {
    const queue = new ReleaseQueue(100);
    queue.startAt(0);
    queue.next(10);
    const taken = [
      event(1),
      event(2, 'ContributionRecorded'),
      event(3, 'EnrolledInScheme'),
      event(4, 'PersonRegistered', 'employer-4'),
      event(5, 'EnrollmentEnded'),
      event(6),
    ].map((e) => queue.take(e));
    expect(taken).toEqual([true, false, true, false, false, true]);
    expect(queue.next(2)).toEqual({ events: [event(1), event(3, 'EnrolledInScheme')] });
    expect(queue.next(2)).toEqual({ events: [event(6)] });
  });

  it('ignores events handed over again when the reader starts over after a reset', () => {
    const queue = new ReleaseQueue(100);
    queue.startAt(0);
    queue.next(10);
    for (const p of [1, 2, 3]) queue.take(event(p));
    for (const p of [1, 2, 3, 4]) queue.take(event(p));
    expect(drain(queue)).toEqual([1, 2, 3, 4]);
  });

  it('when more events arrive than it keeps, drops them for one sweep at the last dropped, and keeps what comes after', () => {
    const queue = new ReleaseQueue(3);
    queue.startAt(0);
    queue.next(10);
    for (let p = 1; p <= 7; p++) queue.take(event(p));
    queue.take(event(8));
    // 1–3 kept, 4 overflowed (sweep at 4 stands for 1–4), 5–7 kept, 8 overflowed again (sweep at 8 stands for all).
    expect(drain(queue)).toEqual(['sweep@8']);
    queue.take(event(9));
    expect(drain(queue)).toEqual([9]);
  });

  it('keeps a sweep already due when the start reads an older head', () => {
    const queue = new ReleaseQueue(1);
    queue.take(event(20));
    queue.take(event(21));
    queue.startAt(15);
    expect(drain(queue)).toEqual(['sweep@21']);
  });
});
