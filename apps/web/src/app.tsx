import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, onUnauthorized, tokenStore, type Problem } from './api';
import { EmployersPage } from './employers';
import { HeldPaymentsPage } from './held-payments';
import { PersonsPage } from './persons';
import { TransfersPage } from './transfers';
import { ProblemMessage } from './ui';

type Tab = 'persons' | 'transfers' | 'employers' | 'held';
const TABS: Array<[Tab, string]> = [
  ['persons', 'Persons'],
  ['transfers', 'Transfers'],
  ['employers', 'Employers'],
  ['held', 'Held payments'],
];

function readHash(): { tab: Tab; id: string | null } {
  const [, tab, id] = location.hash.split('/');
  const known = TABS.some(([t]) => t === tab) ? (tab as Tab) : 'persons';
  return { tab: known, id: id ?? null };
}

function useRoute() {
  const [route, setRoute] = useState(readHash);
  useEffect(() => {
    const update = () => setRoute(readHash());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function App() {
  const [token, setToken] = useState(tokenStore.get());
  const [loggedOutBecause, setLoggedOutBecause] = useState<Problem | null>(null);
  const route = useRoute();
  useEffect(() => {
    onUnauthorized((problem) => {
      tokenStore.clear();
      setToken(null);
      setLoggedOutBecause(problem);
    });
  }, []);

  if (!token) {
    return (
      <Login
        reason={loggedOutBecause}
        onLogin={(t) => {
          tokenStore.set(t);
          setLoggedOutBecause(null);
          setToken(t);
        }}
      />
    );
  }
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="logo" aria-hidden="true">
            ✚
          </span>
          <div>
            <strong>Clerk workspace</strong>
            <span class="muted small">Coverage ledger</span>
          </div>
        </div>
        <nav class="tabs" aria-label="Sections">
          {TABS.map(([tab, label]) => (
            <a key={tab} href={`#/${tab}`} class={route.tab === tab ? 'active' : ''} aria-current={route.tab === tab ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="ghost logout"
          onClick={() => {
            tokenStore.clear();
            setToken(null);
          }}
        >
          Log out
        </button>
      </header>
      <main>
        {route.tab === 'persons' && <PersonsPage personId={route.id} />}
        {route.tab === 'transfers' && <TransfersPage />}
        {route.tab === 'employers' && <EmployersPage />}
        {route.tab === 'held' && <HeldPaymentsPage />}
      </main>
    </div>
  );
}

function Login({ reason, onLogin }: { reason: Problem | null; onLogin: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(reason ? new ApiError(reason) : null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return;
    setBusy(true);
    setError(null);
    try {
      // Any clerk-only read proves the token and the role before the workspace opens.
      await api('GET', '/v1/transfers?status=open', undefined, t);
      onLogin(t);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="card login-card" onSubmit={submit}>
        <h1>Clerk workspace</h1>
        <p class="muted">Transfers, deferrals and coverage of the insured, for counter clerks.</p>
        <label class="field">
          <span class="field-label">Your clerk token</span>
          <input
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            placeholder="lt_…"
            required
          />
          <span class="field-hint">Paste the bearer token you were given. It is kept only in this browser tab until you log out or close it.</span>
        </label>
        <button type="submit" class="primary wide" disabled={busy}>
          {busy ? 'Checking…' : 'Log in as a clerk'}
        </button>
        <ProblemMessage error={error} />
      </form>
    </main>
  );
}
