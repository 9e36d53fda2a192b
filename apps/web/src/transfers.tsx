import { useState } from 'preact/hooks';
import { ApiError, get, post, query } from './api';
import { addDays, plural, region, STEP_LABEL, toFen, yuan } from './format';
import type { Certificate, Transfer, TransferAction, TransferQueue } from './types';
import { Badge, Empty, Field, ProblemMessage, useAction, useLoad } from './ui';

const STATUSES: Array<[string, string]> = [
  ['open', 'Open'],
  ['requested', 'Awaiting transfer-out'],
  ['transferred_out', 'Awaiting transfer-in'],
  ['completed', 'Completed'],
  ['rejected', 'Rejected'],
  ['cancelled', 'Cancelled'],
  ['all', 'All'],
];

export function TransfersPage() {
  const [status, setStatus] = useState('open');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const queue = useLoad(() => get<TransferQueue>(`/v1/transfers${query({ status, overdue: overdueOnly ? true : undefined })}`), `${status}|${overdueOnly}`);
  const replace = (fresh: Transfer) => {
    if (!queue.data) return;
    queue.setData({ ...queue.data, transfers: queue.data.transfers.map((t) => (t.transferId === fresh.transferId ? fresh : t)) });
  };
  return (
    <section class="card">
      <div class="card-head">
        <h2>Transfer queue</h2>
        <div class="filters">
          <select aria-label="Status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          <label class="check">
            <input type="checkbox" checked={overdueOnly} onChange={(e) => setOverdueOnly((e.target as HTMLInputElement).checked)} /> Overdue only
          </label>
          <button type="button" class="ghost" onClick={queue.reload}>
            Refresh
          </button>
        </div>
      </div>
      {queue.data && (
        <p class="summary">
          {plural(queue.data.count, 'transfer')} · <span class={queue.data.overdueCount > 0 ? 'overdue-text' : ''}>{queue.data.overdueCount} overdue</span> ·
          working days counted to {queue.data.today}
        </p>
      )}
      <ProblemMessage error={queue.error} />
      {queue.data && queue.data.transfers.length === 0 && <Empty>No transfers here.</Empty>}
      <ul class="queue">
        {queue.data?.transfers.map((t) => (
          <TransferCard key={t.transferId} transfer={t} onFresh={replace} />
        ))}
      </ul>
    </section>
  );
}

function Deadline({ t }: { t: Transfer }) {
  if (!t.dueOn) return null;
  if (t.isOverdue) {
    const late = t.workingDaysLeft === null ? '' : `by ${plural(-t.workingDaysLeft, 'working day')} `;
    return (
      <span class="deadline overdue">
        <Badge tone="bad">Overdue</Badge> {late}(due {t.dueOn})
      </span>
    );
  }
  return (
    <span class="deadline">
      Due {t.dueOn} ·{' '}
      {t.workingDaysLeft === null ? (t.calendarGap ?? '') : t.workingDaysLeft === 0 ? 'due today' : `${plural(t.workingDaysLeft, 'working day')} left`}
      {t.workingDaysLeft !== null && t.calendarGap ? ` (${t.calendarGap})` : ''}
    </span>
  );
}

function waitingSentence(t: Transfer): string {
  if (!t.waiting) return '';
  if (t.waiting.pendingStep === 'transfer_out') return `Applicant and ${region(t.toRegion)} wait for ${region(t.fromRegion)} to confirm the transfer-out.`;
  return `Applicant waits for ${region(t.toRegion)} to complete the transfer-in.`;
}

const ACTION_LABEL: Record<TransferAction, string> = {
  confirm_transfer_out: 'Confirm transfer-out',
  complete: 'Complete transfer',
  reject: 'Reject',
  cancel: 'Cancel request',
};

function TransferCard({ transfer: t, onFresh }: { transfer: Transfer; onFresh: (t: Transfer) => void }) {
  const [panel, setPanel] = useState<TransferAction | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const action = useAction();

  /** Sends one step with the revision this card shows; a conflict brings the fresh state in. */
  const act = async (path: string, body: Record<string, unknown>) => {
    setMessage(null);
    const answer = await action.run(async () => {
      try {
        return await post<{ transfer: Transfer }>(`/v1/transfers/${t.transferId}/${path}`, { expectedRevision: t.revision, ...body });
      } catch (error) {
        // Another clerk acted first: show what they did, keep the explanation on screen.
        const fresh = error instanceof ApiError && error.code === 'concurrency_conflict' ? (error.problem.transfer as Transfer | undefined) : undefined;
        if (fresh) {
          setPanel(null);
          onFresh(fresh);
        }
        throw error;
      }
    });
    if (answer) {
      setPanel(null);
      setMessage(`${STEP_LABEL[answer.transfer.step]}${answer.transfer.dueOn ? ` · next deadline ${answer.transfer.dueOn}` : ''}.`);
      onFresh(answer.transfer);
    }
  };

  return (
    <li class={`transfer ${t.isOverdue ? 'is-overdue' : ''}`} data-transfer={t.transferId} data-step={t.step}>
      <div class="transfer-head">
        <div>
          <a class="person-link" href={`#/persons/${t.personId}`}>
            {t.personName ?? 'Unknown person'}
          </a>{' '}
          <span class="mono small">{t.idNumber}</span>
        </div>
        <Badge tone={t.step === 'completed' ? 'good' : t.step === 'rejected' || t.step === 'cancelled' ? 'muted' : 'info'}>{STEP_LABEL[t.step]}</Badge>
      </div>
      <div class="route">
        <span>{region(t.fromRegion)}</span> <span aria-hidden="true">→</span> <span>{region(t.toRegion)}</span>
        <span class="muted">
          {' '}
          · {t.scheme} scheme · {t.channel} · requested {t.requestedOn}
        </span>
      </div>
      {t.waiting && <p class="waiting">{waitingSentence(t)}</p>}
      <Deadline t={t} />
      {t.lateSteps.length > 0 && (
        <p class="late">
          {t.lateSteps.map((s) => (
            <Badge key={s.step} tone="warn">
              {s.step === 'transferred_out' ? 'Transfer-out' : s.step === 'completed' ? 'Transfer-in' : s.step} {plural(s.overdueByWorkingDays, 'working day')}{' '}
              late
            </Badge>
          ))}
        </p>
      )}
      {t.rejection && <p class="muted">Reason: {t.rejection.reason}</p>}
      {t.duplicateEnrollments.length > 0 && (
        <div class="warning">
          <strong>Duplicate enrollment to resolve:</strong>
          <ul>
            {t.duplicateEnrollments.map((d) => (
              <li key={`${d.from}-${d.otherRegion.regionCode}`}>
                {d.from} → {d.to ?? 'open'}: {d.oldRegion.scheme} in {region(d.oldRegion.regionCode)} and {d.otherRegion.scheme} in{' '}
                {region(d.otherRegion.regionCode)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      <ProblemMessage error={action.error} onDismiss={() => action.setError(null)} />
      {t.actions.length > 0 && (
        <div class="actions">
          {t.actions.map((a) => (
            <button
              key={a}
              type="button"
              class={a === 'confirm_transfer_out' || a === 'complete' ? 'primary' : a === 'reject' ? 'danger' : 'ghost'}
              aria-pressed={panel === a}
              onClick={() => setPanel(panel === a ? null : a)}
            >
              {ACTION_LABEL[a]}
            </button>
          ))}
        </div>
      )}
      {panel === 'confirm_transfer_out' && <ConfirmPanel t={t} busy={action.busy} onSubmit={(certificate) => act('transfer-out', { certificate })} />}
      {panel === 'complete' && <CompletePanel t={t} busy={action.busy} onSubmit={(body) => act('complete', body)} />}
      {panel === 'reject' && <RejectPanel busy={action.busy} onSubmit={(reason) => act('reject', { reason })} />}
      {panel === 'cancel' && (
        <div class="panel">
          <p>Record that the applicant withdraws this request. It cannot be undone.</p>
          <button type="button" class="danger" disabled={action.busy} onClick={() => act('cancel', {})}>
            Withdraw the request
          </button>
        </div>
      )}
      <details class="history">
        <summary>History</summary>
        <ol>
          {t.history.map((h) => (
            <li key={h.step}>
              <strong>{STEP_LABEL[h.step] ?? h.step}</strong> {h.on}
              {h.step === 'requested' ? ` (transfer-out due ${h.dueOn})` : ''}
              {h.overdueByWorkingDays ? ` · ${plural(h.overdueByWorkingDays, 'working day')} late` : ''}
              {h.reason ? ` · ${h.reason}` : ''}
              <span class="muted"> · {h.by.startsWith('staff:') ? 'clerk' : h.by === t.personId ? 'applicant' : h.by}</span>
            </li>
          ))}
        </ol>
        {t.certificate && (
          <p class="muted small">
            Information sheet: cover to {t.certificate.coverageEnd}, {t.certificate.actualContributionMonths} months paid +{' '}
            {t.certificate.deemedContributionMonths} deemed, {t.certificate.continuousYears} continuous years, arrears {yuan(t.certificate.arrearsFen)},
            personal account {yuan(t.certificate.personalAccountFen)}.
          </p>
        )}
      </details>
    </li>
  );
}

function ConfirmPanel({ t, busy, onSubmit }: { t: Transfer; busy: boolean; onSubmit: (c: Partial<Certificate>) => void }) {
  const draft = useLoad(() => get<Certificate>(`/v1/transfers/${t.transferId}/certificate-draft`), t.transferId);
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [invalid, setInvalid] = useState<string | null>(null);
  if (draft.error) return <ProblemMessage error={draft.error} />;
  if (!draft.data) return <p class="muted panel">Drafting the information sheet from the ledger…</p>;
  const c = draft.data;
  const value = (k: string, initial: string) => edits[k] ?? initial;
  const set = (k: string) => (e: Event) => setEdits({ ...edits, [k]: (e.target as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    const arrears = toFen(value('arrears', (c.arrearsFen / 100).toFixed(2)));
    const account = toFen(value('account', (c.personalAccountFen / 100).toFixed(2)));
    if (arrears === null || account === null) {
      setInvalid('Amounts are in yuan, like 1234.56.');
      return;
    }
    setInvalid(null);
    onSubmit({
      coverageEnd: value('coverageEnd', c.coverageEnd),
      actualContributionMonths: Number(value('actual', String(c.actualContributionMonths))),
      deemedContributionMonths: Number(value('deemed', String(c.deemedContributionMonths))),
      continuousYears: Number(value('years', String(c.continuousYears))),
      arrearsFen: arrears,
      personalAccountFen: account,
    });
  };
  return (
    <form class="panel grid-form" onSubmit={submit}>
      <p class="span-all">
        Information sheet for <strong>{c.name}</strong>, drafted from the ledger. Check it against the old region’s records and correct any figure before
        confirming.
      </p>
      <Field label="Old cover ends">
        <input name="coverageEnd" type="date" value={value('coverageEnd', c.coverageEnd)} onInput={set('coverageEnd')} required />
      </Field>
      <Field label="Months paid (actual)">
        <input
          name="actualContributionMonths"
          type="number"
          min="0"
          value={value('actual', String(c.actualContributionMonths))}
          onInput={set('actual')}
          required
        />
      </Field>
      <Field label="Months deemed (elsewhere)">
        <input
          name="deemedContributionMonths"
          type="number"
          min="0"
          value={value('deemed', String(c.deemedContributionMonths))}
          onInput={set('deemed')}
          required
        />
      </Field>
      <Field label="Continuous years">
        <input name="continuousYears" type="number" min="0" value={value('years', String(c.continuousYears))} onInput={set('years')} required />
      </Field>
      <Field label="Arrears (¥)">
        <input name="arrears" inputMode="decimal" value={value('arrears', (c.arrearsFen / 100).toFixed(2))} onInput={set('arrears')} required />
      </Field>
      <Field label="Personal account moved (¥)" hint="not kept by this ledger: enter it">
        <input name="personalAccount" inputMode="decimal" value={value('account', (c.personalAccountFen / 100).toFixed(2))} onInput={set('account')} required />
      </Field>
      <div class="span-all small muted">
        Enrollment periods:{' '}
        {c.enrollmentPeriods.length === 0 ? 'none in the ledger' : c.enrollmentPeriods.map((p) => `${p.scheme} ${p.regionCode} ${p.from} → ${p.to}`).join('; ')}
      </div>
      {invalid && <p class="problem span-all">{invalid}</p>}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Confirm transfer-out
        </button>
      </div>
    </form>
  );
}

function CompletePanel({ t, busy, onSubmit }: { t: Transfer; busy: boolean; onSubmit: (body: Record<string, unknown>) => void }) {
  const [on, setOn] = useState(t.certificate ? addDays(t.certificate.coverageEnd, 1) : '');
  const [employerId, setEmployerId] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    onSubmit({ newEnrollmentOn: on, ...(employerId.trim() ? { employerId: employerId.trim() } : {}) });
  };
  return (
    <form class="panel grid-form" onSubmit={submit}>
      <p class="span-all">
        The person’s enrollment in {region(t.fromRegion)} ends with its cover ({t.certificate?.coverageEnd}); the new enrollment in {region(t.toRegion)} starts
        with no waiting period, and continuity carries over.
      </p>
      <Field label="New enrollment from">
        <input name="newEnrollmentOn" type="date" value={on} onInput={(e) => setOn((e.target as HTMLInputElement).value)} required />
      </Field>
      {t.scheme === 'employee' && (
        <Field label="New employer (optional)">
          <input name="employerId" value={employerId} onInput={(e) => setEmployerId((e.target as HTMLInputElement).value)} />
        </Field>
      )}
      <div class="form-actions">
        <button type="submit" class="primary" disabled={busy}>
          Complete transfer
        </button>
      </div>
    </form>
  );
}

function RejectPanel({ busy, onSubmit }: { busy: boolean; onSubmit: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  return (
    <form
      class="panel"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason);
      }}
    >
      <Field label="Reason (shown to the applicant)">
        <textarea name="reason" rows={2} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} required />
      </Field>
      <div class="form-actions">
        <button type="submit" class="danger" disabled={busy}>
          Reject transfer
        </button>
      </div>
    </form>
  );
}
