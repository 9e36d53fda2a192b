import { useState } from 'preact/hooks';
import { get, post, query } from './api';
import { actorLabel, chinaToday, humanize, ID_NUMBER, region, STATUS_LABEL, STEP_LABEL, yuan } from './format';
import { TimelineChart } from './timeline-chart';
import type { Coverage, LedgerEvent, PersonSummary, Timeline, TimelinePeriod, Transfer, TransferQueue } from './types';
import { Badge, Empty, Field, ProblemMessage, useAction, useLoad } from './ui';

export function PersonsPage({ personId }: { personId: string | null }) {
  return (
    <div class="stack">
      <PersonSearch />
      {personId ? <PersonDetail key={personId} personId={personId} /> : null}
    </div>
  );
}

function PersonSearch() {
  const [term, setTerm] = useState('');
  const [results, setResults] = useState<PersonSummary[] | null>(null);
  const search = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = term.trim();
    if (!t) return;
    const params = ID_NUMBER.test(t) ? { idNumber: t.toUpperCase() } : { name: t };
    const answer = await search.run(() => get<{ persons: PersonSummary[] }>(`/v1/persons${query(params)}`));
    if (answer) {
      setResults(answer.persons);
      if (answer.persons.length === 1) location.hash = `#/persons/${answer.persons[0]!.personId}`;
    }
  };
  return (
    <section class="card">
      <h2>Find a person</h2>
      <form class="search" onSubmit={submit}>
        <input
          name="q"
          type="search"
          value={term}
          onInput={(e) => setTerm((e.target as HTMLInputElement).value)}
          placeholder="ID number (18 characters) or name"
          aria-label="ID number or name"
          autoComplete="off"
        />
        <button type="submit" class="primary" disabled={search.busy}>
          {search.busy ? 'Searching…' : 'Search'}
        </button>
      </form>
      <ProblemMessage error={search.error} />
      {results && results.length === 0 && <Empty>No person matches “{term}”.</Empty>}
      {results && results.length > 1 && (
        <ul class="results">
          {results.map((p) => (
            <li key={p.personId}>
              <a href={`#/persons/${p.personId}`}>
                <strong>{p.name}</strong> <span class="mono">{p.idNumber}</span> <span class="muted">born {p.birthDate}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface PersonData {
  person: PersonSummary;
  timeline: Timeline;
  coverage: Coverage;
  transfers: Transfer[];
}

function PersonDetail({ personId }: { personId: string }) {
  const loaded = useLoad<PersonData>(async () => {
    const [person, timeline, coverage, transfers] = await Promise.all([
      get<PersonSummary>(`/v1/persons/${personId}`),
      get<Timeline>(`/v1/persons/${personId}/timeline`),
      get<Coverage>(`/v1/persons/${personId}/coverage`),
      get<TransferQueue>(`/v1/transfers${query({ status: 'all', personId })}`),
    ]);
    return { person, timeline, coverage, transfers: transfers.transfers };
  }, personId);
  if (loaded.error) return <ProblemMessage error={loaded.error} />;
  if (!loaded.data) return <p class="muted">Loading…</p>;
  const { person, timeline, coverage, transfers } = loaded.data;
  return (
    <div class="stack" data-person={person.personId}>
      <section class="card person-head">
        <div>
          <h2>{person.name}</h2>
          <p class="mono">{person.idNumber}</p>
          <p class="muted">
            Born {person.birthDate}
            {person.categories.length > 0 && ` · ${person.categories.map(humanize).join(', ')}`}
          </p>
        </div>
        <dl class="facts">
          <div>
            <dt>Today ({coverage.asOf})</dt>
            <dd>
              <Badge tone={coverage.status === 'covered' ? 'good' : coverage.status === 'waiting' ? 'warn' : 'muted'}>{STATUS_LABEL[coverage.status]}</Badge>
              {coverage.scheme && ` ${coverage.scheme} · ${region(coverage.regionCode)}`}
            </dd>
          </div>
          <div>
            <dt>Continuity</dt>
            <dd>
              {coverage.continuity.status === 'continuous'
                ? `${coverage.continuity.continuousYears} full years since ${coverage.continuity.since}`
                : humanize(coverage.continuity.status)}
            </dd>
          </div>
          <div>
            <dt>Arrears</dt>
            <dd>{yuan(coverage.arrearsFen)}</dd>
          </div>
        </dl>
      </section>
      <section class="card">
        <div class="card-head">
          <h2>Timeline</h2>
          <button type="button" class="ghost" onClick={loaded.reload}>
            Refresh
          </button>
        </div>
        <TimelineChart periods={timeline.periods} enrollments={person.enrollments} today={chinaToday()} />
        <PeriodList periods={timeline.periods} events={timeline.events} />
      </section>
      <PersonTransfers person={person} transfers={transfers} onChange={loaded.reload} />
    </div>
  );
}

const EVENT_LABEL: Record<string, string> = {
  PersonRegistered: 'Registered',
  PersonCategoriesChanged: 'Categories changed',
  EnrolledInScheme: 'Enrolled',
  EnrollmentEnded: 'Enrollment ended',
  ContributionRecorded: 'Contribution',
  ContributionReversed: 'Contribution reversed',
  LapseRecorded: 'Lapse recorded',
  UnitContributionDeferred: 'Unit part deferred',
  DeferredContributionMadeUp: 'Deferred part made up',
};

function eventSummary(e: LedgerEvent): string {
  const d = e.data as Record<string, never>;
  switch (e.type) {
    case 'PersonRegistered':
      return `${d.name}`;
    case 'EnrolledInScheme':
      return `${d.scheme} scheme in ${region(d.regionCode)} from ${d.enrolledOn}${d.via === 'transfer' ? ' · via transfer, no waiting period' : ''}`;
    case 'EnrollmentEnded':
      return `ended ${d.endedOn} · ${humanize(d.reason)}`;
    case 'ContributionRecorded':
      return `${yuan(d.amountFen)} for ${d.coverageYear ?? d.coverageMonth} · ${humanize(d.payer)}${d.kind === 'make_up' ? ' · make-up' : ''}`;
    case 'ContributionReversed':
      return `${d.reason}`;
    case 'LapseRecorded':
      return `${d.period} not paid`;
    case 'UnitContributionDeferred':
    case 'DeferredContributionMadeUp':
      return (d.months as unknown as string[]).join(', ');
    case 'PersonCategoriesChanged':
      return `${(d.categories as unknown as string[]).map(humanize).join(', ') || 'none'} from ${d.effectiveFrom}`;
    default:
      return '';
  }
}

/** The business date an event speaks about, to place it under the period it belongs to. */
function eventDate(e: LedgerEvent): string {
  const d = e.data as Record<string, unknown>;
  const months = d.months as string[] | undefined;
  const candidate =
    d.enrolledOn ??
    d.endedOn ??
    d.effectiveFrom ??
    (typeof d.paidAt === 'string' ? d.paidAt.slice(0, 10) : undefined) ??
    (months ? `${months[0]}-01` : undefined);
  return typeof candidate === 'string' ? candidate : e.recordedAt.slice(0, 10);
}

function eventIds(e: LedgerEvent): string[] {
  const d = e.data as Record<string, unknown>;
  return ['contributionId', 'enrollmentId', 'deferralId', 'lapseId'].map((k) => d[k]).filter((v): v is string => typeof v === 'string');
}

function groupEvents(periods: TimelinePeriod[], events: LedgerEvent[]) {
  const under = new Map<number, LedgerEvent[]>();
  const outside: LedgerEvent[] = [];
  for (const e of events) {
    const ids = eventIds(e);
    let index = periods.findIndex((p) => ids.some((id) => p.causedBy.includes(id)));
    if (index < 0) {
      const date = eventDate(e);
      index = periods.findIndex((p) => p.from <= date && date <= p.to);
    }
    if (index < 0) outside.push(e);
    else under.set(index, [...(under.get(index) ?? []), e]);
  }
  return { under, outside };
}

function EventItems({ events }: { events: LedgerEvent[] }) {
  return (
    <ul class="events">
      {events.map((e) => (
        <li key={e.eventId} data-event-type={e.type}>
          <span class="event-type">{EVENT_LABEL[e.type] ?? e.type}</span> <span>{eventSummary(e)}</span>{' '}
          <span class="muted small">
            recorded {e.recordedAt.slice(0, 10)} {actorLabel(e.actor) && `by ${actorLabel(e.actor)}`}
          </span>
        </li>
      ))}
    </ul>
  );
}

function PeriodList({ periods, events }: { periods: TimelinePeriod[]; events: LedgerEvent[] }) {
  const { under, outside } = groupEvents(periods, events);
  return (
    <div class="periods">
      {periods.map((p, i) => (
        <details key={`${p.from}-${p.status}`} class={`period ${p.status}`} open={(under.get(i)?.length ?? 0) > 0 && i >= periods.length - 3}>
          <summary>
            <Badge tone={p.status === 'covered' ? 'good' : p.status === 'waiting' ? 'warn' : 'muted'}>{STATUS_LABEL[p.status]}</Badge>
            <span class="mono">
              {p.from} → {p.to}
            </span>
            <span class="muted">
              {[p.scheme, p.regionCode && region(p.regionCode), p.reason].filter(Boolean).join(' · ')}
              {under.get(i) ? ` · ${under.get(i)!.length} event${under.get(i)!.length === 1 ? '' : 's'}` : ''}
            </span>
          </summary>
          {under.get(i) ? <EventItems events={under.get(i)!} /> : <p class="muted small">No events recorded in this period.</p>}
        </details>
      ))}
      {outside.length > 0 && (
        <details class="period other" open>
          <summary>
            <Badge tone="info">Other events</Badge>
            <span class="muted">registration and enrollment facts outside the periods above</span>
          </summary>
          <EventItems events={outside} />
        </details>
      )}
    </div>
  );
}

function PersonTransfers({ person, transfers, onChange }: { person: PersonSummary; transfers: Transfer[]; onChange: () => void }) {
  const open = person.enrollments.filter((e) => e.endedOn === null);
  const [fromRegion, setFrom] = useState(open[0]?.regionCode ?? '');
  const [toRegion, setTo] = useState('');
  const [scheme, setScheme] = useState<string>(open[0]?.scheme ?? 'employee');
  const [channel, setChannel] = useState('counter');
  const action = useAction();
  const [done, setDone] = useState<Transfer | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const answer = await action.run(() =>
      post<{ transfer: Transfer }>('/v1/transfers', { personId: person.personId, fromRegion, toRegion, scheme, channel, requestedBy: 'person' }),
    );
    if (answer) {
      setDone(answer.transfer);
      onChange();
    }
  };
  return (
    <section class="card">
      <h2>Transfers</h2>
      {transfers.length === 0 ? (
        <Empty>No cross-province transfer for this person.</Empty>
      ) : (
        <ul class="plain">
          {transfers.map((t) => (
            <li key={t.transferId}>
              <Badge tone={t.step === 'completed' ? 'good' : t.step === 'rejected' || t.step === 'cancelled' ? 'muted' : t.isOverdue ? 'bad' : 'info'}>
                {STEP_LABEL[t.step]}
              </Badge>{' '}
              {region(t.fromRegion)} → {region(t.toRegion)} · requested {t.requestedOn}
              {t.dueOn && ` · due ${t.dueOn}`} · <a href={`#/transfers`}>open the queue</a>
            </li>
          ))}
        </ul>
      )}
      <details class="subform" open={transfers.every((t) => t.step !== 'requested' && t.step !== 'transferred_out')}>
        <summary>Request a transfer for this person</summary>
        <form class="grid-form" onSubmit={submit}>
          <Field label="From (old region)" hint="6-digit region code">
            <input
              name="fromRegion"
              value={fromRegion}
              onInput={(e) => setFrom((e.target as HTMLInputElement).value)}
              inputMode="numeric"
              pattern="\d{6}"
              required
            />
          </Field>
          <Field label="To (new region)" hint="where the request is made">
            <input name="toRegion" value={toRegion} onInput={(e) => setTo((e.target as HTMLInputElement).value)} inputMode="numeric" pattern="\d{6}" required />
          </Field>
          <Field label="Scheme">
            <select name="scheme" value={scheme} onChange={(e) => setScheme((e.target as HTMLSelectElement).value)}>
              <option value="employee">Employee</option>
              <option value="resident">Resident</option>
            </select>
          </Field>
          <Field label="Channel">
            <select name="channel" value={channel} onChange={(e) => setChannel((e.target as HTMLSelectElement).value)}>
              <option value="counter">At the counter</option>
              <option value="online">Online</option>
            </select>
          </Field>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={action.busy}>
              Request transfer
            </button>
          </div>
        </form>
        <ProblemMessage error={action.error} onDismiss={() => action.setError(null)} />
      </details>
      {/* Outside the form: the form folds away once the new transfer is open, the confirmation must stay in view. */}
      {done && (
        <p class="notice" role="status">
          Transfer requested: the old region must confirm the transfer-out by {done.dueOn}. <a href="#/transfers">Go to the queue</a>
        </p>
      )}
    </section>
  );
}
