import type { StoredEvent } from '@ledger/event-store';

/** The person events after which a held payment may apply: the person exists, or is enrolled. */
const RELEASING_TYPES: ReadonlySet<string> = new Set(['PersonRegistered', 'EnrolledInScheme']);

export type ReleaseWork = { sweepUpTo: number } | { events: StoredEvent[] };

/**
 * What the held-payment releaser has yet to do, from the events the projections' shared reader hands it. It keeps the
 * person events that may release a payment, at most `capacity` of them: the reader must never wait for the releaser
 * (the releaser waits for the read models that reader feeds), so past that the events are dropped and one sweep of
 * every held payment stands for them. The start is a sweep too, of whatever was held at the head.
 */
export class ReleaseQueue {
  private waiting: StoredEvent[] = [];
  /** Events at or before this position are queued or stand behind a sweep: a reader started again hands them over again. */
  private seenUpTo = 0;
  private sweepUpTo: number | null = null;

  constructor(private readonly capacity: number) {}

  /** Takes one event from the reader; true when it gave the releaser something to do. */
  take(event: StoredEvent): boolean {
    if (event.position <= this.seenUpTo) return false;
    this.seenUpTo = event.position;
    if (!RELEASING_TYPES.has(event.type) || !event.streamName.startsWith('person-')) return false;
    if (this.waiting.length < this.capacity) this.waiting.push(event);
    else this.sweepAt(event.position);
    return true;
  }

  /**
   * Everything held at `head` is to be swept, and events up to it are dropped. Called once the head is read, which is
   * after following began: an event after the head cannot have been handed over before following, so none is missed.
   */
  startAt(head: number): void {
    this.seenUpTo = Math.max(this.seenUpTo, head);
    this.sweepAt(Math.max(this.sweepUpTo ?? 0, head));
  }

  /** A sweep when one is due (it goes first: the events queued are all after it), else up to `max` events, else null. */
  next(max: number): ReleaseWork | null {
    if (this.sweepUpTo !== null) {
      const sweepUpTo = this.sweepUpTo;
      this.sweepUpTo = null;
      return { sweepUpTo };
    }
    return this.waiting.length ? { events: this.waiting.splice(0, max) } : null;
  }

  private sweepAt(position: number): void {
    this.sweepUpTo = position;
    this.waiting = this.waiting.filter((e) => e.position > position);
  }
}
