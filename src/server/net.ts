/**
 * The HTTP transport seam (msal `INetworkModule`): every outbound call Convene makes (Entra ID,
 * JWKS, Microsoft Graph) goes through one injected `fetch`, so tests and the local simulator can
 * supply a transport that trusts the simulator's self-signed certificate without touching globals.
 */
import { Agent, fetch as undiciFetch } from 'undici';

/** The WHATWG fetch signature. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * A fetch that trusts `caPem` in addition to nothing else (the simulator's certificate), or the
 * platform's global fetch when `caPem` is absent.
 */
export function createFetch(options: { caPem?: string } = {}): FetchLike {
  if (!options.caPem) return (input, init) => fetch(input, init);
  const dispatcher = new Agent({ connect: { ca: options.caPem }, keepAliveTimeout: 10_000 });
  return (input, init) =>
    undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher }) as unknown as Promise<Response>;
}
