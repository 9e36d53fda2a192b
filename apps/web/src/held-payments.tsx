import { useState } from 'preact/hooks';
import { ApiError, get, post } from './api';
import { humanize, yuan } from './format';
import { Empty, ProblemMessage, useAction, useLoad } from './ui';

type Row = Record<string, unknown>;

/** The held-payments endpoint belongs to the agency feature; its answer is read loosely (a list, or an object holding one). */
function rowsOf(answer: unknown): Row[] {
  if (Array.isArray(answer)) return answer as Row[];
  if (answer && typeof answer === 'object') {
    const list = Object.values(answer).find(Array.isArray);
    if (list) return list as Row[];
  }
  return [];
}

function cell(key: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number' && /fen$/i.test(key)) return yuan(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** The columns a clerk matches a payment by, when the answer has them; otherwise the first fields it has. */
const PREFERRED = ['name', 'idNumber', 'amountFen', 'period', 'agencyId', 'reference', 'paidAt', 'reason'];

export function HeldPaymentsPage() {
  const held = useLoad(() => get<unknown>('/v1/clerk/held-payments'), 'held');
  const retry = useAction();
  const [released, setReleased] = useState<string | null>(null);
  const unavailable = held.error instanceof ApiError && (held.error.status === 404 || held.error.status === 501);
  const rows = rowsOf(held.data);
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const preferred = PREFERRED.filter((k) => keys.includes(k));
  const columns = preferred.length >= 3 ? preferred : keys.filter((k) => typeof rows[0]?.[k] !== 'object').slice(0, 7);
  const tryAgain = async (receiptId: string) => {
    setReleased(null);
    const answer = await retry.run(() => post<Record<string, unknown>>(`/v1/clerk/held-payments/${receiptId}/retry`, {}));
    if (answer) {
      setReleased(`Payment ${receiptId.slice(0, 8)}: ${humanize(String(answer.status ?? answer.outcome ?? 'tried again'))}.`);
      held.reload();
    }
  };
  return (
    <section class="card">
      <div class="card-head">
        <h2>Held payments from agencies</h2>
        <button type="button" class="ghost" onClick={held.reload}>
          Refresh
        </button>
      </div>
      {held.loading && <p class="muted">Loading…</p>}
      {unavailable && (
        <div class="notice unavailable" role="status">
          <strong>Not available.</strong> This service does not offer held agency payments yet (the request answered{' '}
          {held.error instanceof ApiError ? held.error.status : ''}
          ). Payments held for matching will show here once it does.
        </div>
      )}
      {!unavailable && <ProblemMessage error={held.error} />}
      <ProblemMessage error={retry.error} onDismiss={() => retry.setError(null)} />
      {released && (
        <p class="notice" role="status">
          {released}
        </p>
      )}
      {held.data !== null && rows.length === 0 && <Empty>No payments are held: every agency payment was matched to a person.</Empty>}
      {rows.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c}>{humanize(c.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase())}</th>
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  {columns.map((c) => (
                    <td key={c} data-label={c}>
                      {cell(c, r[c])}
                    </td>
                  ))}
                  <td>
                    {typeof r.receiptId === 'string' && (
                      <button
                        type="button"
                        class="ghost"
                        disabled={retry.busy}
                        title="After registering or enrolling the person at the counter"
                        onClick={() => void tryAgain(r.receiptId as string)}
                      >
                        Try again
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
