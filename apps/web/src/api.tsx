/** The one way the page talks to the service: bearer token from sessionStorage, problem+json turned into ApiError. */
const TOKEN_KEY = 'ledger.clerk.token';

export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export interface Problem {
  status: number;
  code: string;
  detail: string;
  title?: string;
  errors?: string[];
  [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

let unauthorizedListener: ((problem: Problem) => void) | null = null;

/** The app logs the clerk out when the service no longer accepts the token. */
export function onUnauthorized(listener: (problem: Problem) => void): void {
  unauthorizedListener = listener;
}

export async function api<T>(method: 'GET' | 'POST', path: string, body?: unknown, token: string | null = tokenStore.get()): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: {
        Accept: 'application/json, application/problem+json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error', detail: 'The service did not answer. Check the connection and try again.' });
  }
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok) {
    const problem: Problem =
      json && typeof json === 'object' && 'code' in json
        ? (json as Problem)
        : { status: response.status, code: `http_${response.status}`, detail: text.slice(0, 300) || response.statusText || 'The service refused the request.' };
    if (response.status === 401 && token === tokenStore.get()) unauthorizedListener?.(problem);
    throw new ApiError(problem);
  }
  return json as T;
}

export const get = <T,>(path: string) => api<T>('GET', path);
export const post = <T,>(path: string, body: unknown) => api<T>('POST', path, body);

export function query(params: Record<string, string | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
