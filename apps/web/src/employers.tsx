import { useState } from 'preact/hooks';
import { get, post, query } from './api';
import { humanize, ID_NUMBER, plural, region, toFen, yuan } from './format';
import type { Deferral, Employer, EmployerList, PersonSummary } from './types';
import { Badge, Empty, Field, ProblemMessage, useAction, useLoad } from './ui';

const UNIT_TYPES = [
  'enterprise',
  'individual_business_as_unit',
  'social_organization',
  'government_body',
  'public_institution',
  'individual_business_flexible',
  'flexible_worker',
];

const DEFERRAL_LABEL: Record<string, [string, 'info' | 'warn' | 'bad' | 'good']> = {
  deferring: ['In deferral', 'info'],
  making_up: ['Make-up due', 'warn'],
  overdue: ['Make-up overdue', 'bad'],
  made_up: ['Made up', 'good'],
};

export function EmployersPage() {
  const [filter, setFilter] = useState('');
  const list = useLoad(() => get<EmployerList>(`/v1/employers${query({ deferral: filter })}`), filter);
  const replace = (fresh: Employer) => {
    if (!list.data) return;
    list.setData({ ...list.data, employers: list.data.employers.map((e) => (e.employerId === fresh.employerId ? fresh : e)) });
  };
  return (
    <div class="stack">
      <section class="card">
        <div class="card-head">
          <h2>Employers and deferrals</h2>
          <div class="filters">
            <select aria-label="Deferrals" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
              <option value="">All employers</option>
              <option value="active">Deferral outstanding</option>
              <option value="overdue">Make-up overdue</option>
            </select>
            <button type="button" class="ghost" onClick={list.reload}>
              Refresh
            </button>
          </div>
        </div>
        {list.data && (
          <p class="summary">
            {plural(list.data.count, 'employer')} ·{' '}
            <span class={list.data.overdueCount > 0 ? 'overdue-text' : ''}>{list.data.overdueCount} with overdue make-ups</span> · as of {list.data.today}
          </p>
        )}
        <ProblemMessage error={list.error} />
        {list.data && list.data.employers.length === 0 && <Empty>No employers here.</Empty>}
        <ul class="queue">
          {list.data?.employers.map((e) => (
            <EmployerCard key={e.employerId} employer={e} onFresh={replace} />
          ))}
        </ul>
      </section>
      <RegisterEmployer onDone={list.reload} />
    </div>
  );
}

/** Employees are typed as ID numbers, the way clerks know them, and looked up to person ids. */
async function personIdsFor(idNumbers: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const idNumber of idNumbers) {
    if (!ID_NUMBER.test(idNumber)) throw new Error(`${idNumber} is not an 18-character ID number.`);
    const found = await get<{ persons: PersonSummary[] }>(`/v1/persons${query({ idNumber: idNumber.toUpperCase() })}`);
    if (found.persons.length === 0) throw new Error(`No person with ID number ${idNumber} is registered.`);
    ids.push(found.persons[0]!.personId);
  }
  return ids;
}

function EmployerCard({ employer: e, onFresh }: { employer: Employer; onFresh: (e: Employer) => void }) {
  const [panel, setPanel] = useState<string | null>(null);
  const action = useAction();
  const act = async (path: string, body: Record<string, unknown>) => {
    const answer = await action.run(() =>
      post<{ employer: Employer }>(`/v1/employers/${encodeURIComponent(e.employerId)}/${path}`, { expectedRevision: e.revision, ...body }),
    );
    if (answer) {
      setPanel(null);
      onFresh(answer.employer);
    }
  };
  return (
    <li class="employer" data-employer={e.employerId}>
      <div class="transfer-head">
        <div>
          <strong>{e.name}</strong> <span class="mono small">{e.employerId}</span>
        </div>
        {e.eligibility.eligible ? <Badge tone="good">Eligible to defer</Badge> : <Badge tone="muted">Not eligible</Badge>}
      </div>
      <p class="muted">
        {region(e.regionCode)} · {humanize(e.unitType)} · {e.staffCount} staff
        {e.smeQualified ? ' · SME' : ''} · arrears {plural(e.arrears.months, 'month')} ({yuan(e.arrears.fen)})
      </p>
      {!e.eligibility.eligible && <p class="small">{e.eligibility.detail}</p>}
      {e.deferrals.length > 0 && (
        <div class="deferrals">
          {e.deferrals.map((d) => (
            <DeferralRow key={d.deferralId} d={d} busy={action.busy} act={act} />
          ))}
        </div>
      )}
      <ProblemMessage error={action.error} onDismiss={() => action.setError(null)} />
      <div class="actions">
        <button
          type="button"
          class="primary"
          aria-pressed={panel === 'grant'}
          disabled={!e.eligibility.eligible}
          title={e.eligibility.eligible ? undefined : e.eligibility.detail}
          onClick={() => setPanel(panel === 'grant' ? null : 'grant')}
        >
          Grant deferral
        </button>
        <button type="button" class="ghost" aria-pressed={panel === 'arrears'} onClick={() => setPanel(panel === 'arrears' ? null : 'arrears')}>
          Record arrears
        </button>
        <button type="button" class="ghost" aria-pressed={panel === 'departure'} onClick={() => setPanel(panel === 'departure' ? null : 'departure')}>
          Employee departure
        </button>
      </div>
      {panel === 'grant' && (
        <GrantPanel
          busy={action.busy}
          onSubmit={(months, idNumbers) => action.run(async () => act('deferrals', { months, employees: await personIdsFor(idNumbers) }))}
        />
      )}
      {panel === 'arrears' && <ArrearsPanel e={e} busy={action.busy} onSubmit={(months, fen) => act('arrears', { months, fen })} />}
      {panel === 'departure' && (
        <DeparturePanel
          busy={action.busy}
          onSubmit={(idNumber, reason) => action.run(async () => act('departures', { personId: (await personIdsFor([idNumber]))[0], reason }))}
        />
      )}
    </li>
  );
}

function DeferralRow({ d, busy, act }: { d: Deferral; busy: boolean; act: (path: string, body: Record<string, unknown>) => Promise<void> }) {
  const [label, tone] = DEFERRAL_LABEL[d.status] ?? [d.status, 'info'];
  const [fen, setFen] = useState('');
  const [who, setWho] = useState('');
  const outstanding = d.employees.filter((x) => !x.madeUp);
  const submit = (e: Event) => {
    e.preventDefault();
    const amount = toFen(fen);
    if (amount === null || amount === 0) return;
    void act(`deferrals/${encodeURIComponent(d.deferralId)}/make-ups`, { fen: amount, ...(who ? { personId: who } : {}) });
  };
  return (
    <div class={`deferral ${d.status}`} data-deferral={d.deferralId}>
      <div class="deferral-head">
        <Badge tone={tone}>{label}</Badge>
        <span>
          Unit part deferred for <strong>{d.months.join(', ')}</strong>
        </span>
        <span class={d.status === 'overdue' ? 'overdue-text' : ''}>make-up due {d.makeUpDueOn}</span>
      </div>
      <p class="small muted">
        Granted {d.grantedOn}
        {d.endedOn ? ` · ended ${d.endedOn}` : ''} · {outstanding.length} of {d.employees.length} employees still owed · {yuan(d.madeUpFen)} made up
      </p>
      <ul class="chips">
        {d.employees.map((x) => (
          <li key={x.personId} class={x.madeUp ? 'done' : ''}>
            <a href={`#/persons/${x.personId}`}>{x.name ?? x.personId.slice(0, 8)}</a> {x.madeUp ? '✓ made up' : 'owed'}
            {x.departed ? ' · left' : ''}
          </li>
        ))}
      </ul>
      {d.status !== 'made_up' && (
        <div class="row-actions">
          {!d.endedOn && (
            <button type="button" class="ghost" disabled={busy} onClick={() => void act(`deferrals/${encodeURIComponent(d.deferralId)}/end`, {})}>
              End deferral
            </button>
          )}
          <form class="inline-form" onSubmit={submit}>
            <select aria-label="Make-up for" value={who} onChange={(e) => setWho((e.target as HTMLSelectElement).value)}>
              <option value="">Everything owed</option>
              {outstanding.map((x) => (
                <option key={x.personId} value={x.personId}>
                  {x.name ?? x.personId}
                </option>
              ))}
            </select>
            <input
              aria-label="Amount (¥)"
              placeholder="¥ amount"
              inputMode="decimal"
              value={fen}
              onInput={(e) => setFen((e.target as HTMLInputElement).value)}
              required
            />
            <button type="submit" class="ghost" disabled={busy}>
              Record make-up
            </button>
          </form>
        </div>
      )}
    </div>
  );
}

function nextMonths(first: string, count: number): string[] {
  const [y, m] = first.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const month = m - 1 + i;
    return `${y + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
  });
}

function GrantPanel({ busy, onSubmit }: { busy: boolean; onSubmit: (months: string[], idNumbers: string[]) => void }) {
  const [first, setFirst] = useState('');
  const [employees, setEmployees] = useState('');
  return (
    <form
      class="panel grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(nextMonths(first, 3), employees.split(/[\s,;]+/).filter(Boolean));
      }}
    >
      <Field label="First deferred month" hint="3 consecutive months, no late fee">
        <input name="firstMonth" type="month" value={first} onInput={(e) => setFirst((e.target as HTMLInputElement).value)} required />
      </Field>
      <Field label="Employees (ID numbers)" hint="one per line">
        <textarea name="employees" rows={3} value={employees} onInput={(e) => setEmployees((e.target as HTMLTextAreaElement).value)} required />
      </Field>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Grant deferral
        </button>
      </div>
    </form>
  );
}

function ArrearsPanel({ e, busy, onSubmit }: { e: Employer; busy: boolean; onSubmit: (months: number, fen: number) => void }) {
  const [months, setMonths] = useState(String(e.arrears.months));
  const [amount, setAmount] = useState((e.arrears.fen / 100).toFixed(2));
  return (
    <form
      class="panel grid-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        const fen = toFen(amount);
        if (fen !== null) onSubmit(Number(months), fen);
      }}
    >
      <Field label="Months in arrears now">
        <input name="months" type="number" min="0" value={months} onInput={(ev) => setMonths((ev.target as HTMLInputElement).value)} required />
      </Field>
      <Field label="Amount owed now (¥)">
        <input name="amount" inputMode="decimal" value={amount} onInput={(ev) => setAmount((ev.target as HTMLInputElement).value)} required />
      </Field>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Save arrears
        </button>
      </div>
    </form>
  );
}

function DeparturePanel({ busy, onSubmit }: { busy: boolean; onSubmit: (idNumber: string, reason: string) => void }) {
  const [idNumber, setIdNumber] = useState('');
  const [reason, setReason] = useState('left');
  return (
    <form
      class="panel grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(idNumber.trim(), reason);
      }}
    >
      <Field label="Employee ID number">
        <input name="idNumber" value={idNumber} onInput={(e) => setIdNumber((e.target as HTMLInputElement).value)} required />
      </Field>
      <Field label="Reason">
        <select name="reason" value={reason} onChange={(e) => setReason((e.target as HTMLSelectElement).value)}>
          <option value="left">Leaves the unit</option>
          <option value="retired">Retires</option>
          <option value="transferred_out">Transfers out</option>
        </select>
      </Field>
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Record departure
        </button>
      </div>
    </form>
  );
}

function RegisterEmployer({ onDone }: { onDone: () => void }) {
  const [form, setForm] = useState({ employerId: '', name: '', unitType: 'enterprise', staffCount: '', smeQualified: false, regionCode: '' });
  const action = useAction();
  const set = (k: string) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setForm({ ...form, [k]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const answer = await action.run(() =>
      post('/v1/employers', {
        ...(form.employerId.trim() ? { employerId: form.employerId.trim() } : {}),
        name: form.name,
        unitType: form.unitType,
        staffCount: Number(form.staffCount),
        smeQualified: form.smeQualified,
        regionCode: form.regionCode,
      }),
    );
    if (answer) {
      setForm({ employerId: '', name: '', unitType: 'enterprise', staffCount: '', smeQualified: false, regionCode: '' });
      onDone();
    }
  };
  return (
    <section class="card">
      <details class="subform">
        <summary>Register an employer</summary>
        <form class="grid-form" onSubmit={submit}>
          <Field label="Name">
            <input name="name" value={form.name} onInput={set('name')} required />
          </Field>
          <Field label="Unit code" hint="optional">
            <input name="employerId" value={form.employerId} onInput={set('employerId')} />
          </Field>
          <Field label="Unit type">
            <select name="unitType" value={form.unitType} onChange={set('unitType')}>
              {UNIT_TYPES.map((t) => (
                <option key={t} value={t}>
                  {humanize(t)}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Staff">
            <input name="staffCount" type="number" min="0" value={form.staffCount} onInput={set('staffCount')} required />
          </Field>
          <Field label="Region code">
            <input name="regionCode" inputMode="numeric" pattern="\d{6}" value={form.regionCode} onInput={set('regionCode')} required />
          </Field>
          <label class="check">
            <input type="checkbox" checked={form.smeQualified} onChange={set('smeQualified')} /> Meets the SME classification
          </label>
          <div class="form-actions">
            <button type="submit" class="primary" disabled={action.busy}>
              Register
            </button>
          </div>
        </form>
        <ProblemMessage error={action.error} onDismiss={() => action.setError(null)} />
      </details>
    </section>
  );
}
