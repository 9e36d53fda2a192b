import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Problem } from './api';

/** Every error the API returns, in words: the detail, the stable code, and the field errors of a 400. */
export function ProblemMessage({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const problem: Problem =
    error instanceof ApiError ? error.problem : { status: 0, code: 'page_error', detail: error instanceof Error ? error.message : String(error) };
  return (
    <div class="problem" role="alert">
      <div class="problem-head">
        <strong>{headline(problem)}</strong>
        <code class="code">{problem.code}</code>
        {onDismiss && (
          <button type="button" class="link dismiss" onClick={onDismiss} aria-label="Dismiss">
            ✕
          </button>
        )}
      </div>
      <p>{problem.detail}</p>
      {Array.isArray(problem.errors) && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {Array.isArray(problem.refusals) && (
        <ul>
          {(problem.refusals as Array<{ personId: string; code: string; detail: string }>).map((r) => (
            <li key={r.personId}>
              {r.personId}: {r.detail} <code class="code">{r.code}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function headline(p: Problem): string {
  if (p.status === 0) return 'No answer from the service';
  if (p.status === 401) return 'Not logged in';
  if (p.status === 403) return 'Not allowed for your role';
  if (p.status === 404) return 'Not found';
  if (p.code === 'concurrency_conflict') return 'Someone else got there first';
  if (p.status === 409) return 'Not possible right now';
  if (p.status === 400 || p.status === 422) return 'Refused';
  return 'Something went wrong';
}

export function Badge({ tone, children }: { tone: 'good' | 'warn' | 'bad' | 'muted' | 'info'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint && <span class="field-hint">{hint}</span>}
    </label>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (data: T) => void;
}

/** Loads on mount and whenever `key` changes; `reload` fetches again. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load()
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** Runs one action at a time, keeping its error for display. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await work();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
