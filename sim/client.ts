/**
 * A small client for the simulator, for tests and scripts: a fetch that trusts the simulator's
 * certificate, app-only tokens by client credentials, and JSON Graph calls. Not used by product
 * code (which has its own Graph client and MSAL).
 */
import { Agent, fetch as undiciFetch } from 'undici';
import type { Simulator } from './server';

/** A parsed response. */
export interface SimClientResponse<T = unknown> {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text when not JSON, or undefined when empty. */
  body: T;
}

/** The client. Call `close()` to release the connection pool. */
export interface SimClient {
  /** A WHATWG fetch that trusts only the simulator's certificate. */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  /** `POST /{tenant}/oauth2/v2.0/token` with client credentials; the raw response. */
  requestAppToken(
    tenant: string,
    options?: { clientId?: string; clientSecret?: string; scope?: string },
  ): Promise<SimClientResponse<Record<string, unknown>>>;
  /** An app-only Graph token for a tenant (throws when the simulator refuses). */
  appToken(tenant: string): Promise<string>;
  /** A JSON request to `<sim url><path>` (path like `/v1.0/users`). */
  request<T = unknown>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; form?: Record<string, string> },
  ): Promise<SimClientResponse<T>>;
  close(): Promise<void>;
}

/** Creates a client for a running simulator. */
export function createSimClient(sim: Pick<Simulator, 'url' | 'caPem' | 'clientId' | 'clientSecret'>): SimClient {
  const dispatcher = new Agent({ connect: { ca: sim.caPem }, keepAliveTimeout: 1000 });
  const fetchImpl = (input: string | URL, init?: RequestInit) =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher }) as unknown as Promise<Response>;

  async function request<T>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {},
  ): Promise<SimClientResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetchImpl(`${sim.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual' });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  const requestAppToken = (tenant: string, o: { clientId?: string; clientSecret?: string; scope?: string } = {}) =>
    request<Record<string, unknown>>('POST', `/${tenant}/oauth2/v2.0/token`, {
      form: {
        grant_type: 'client_credentials',
        client_id: o.clientId ?? sim.clientId,
        client_secret: o.clientSecret ?? sim.clientSecret,
        scope: o.scope ?? `${sim.url}/.default`,
      },
    });

  return {
    fetch: fetchImpl,
    requestAppToken,
    async appToken(tenant) {
      const res = await requestAppToken(tenant);
      if (res.status !== 200 || typeof res.body.access_token !== 'string')
        throw new Error(`The simulator refused an app token for ${tenant}: ${JSON.stringify(res.body)}`);
      return res.body.access_token;
    },
    request,
    close: () => dispatcher.close(),
  };
}
