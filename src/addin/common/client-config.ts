/**
 * Loads the server's public sign-in settings (`GET /api/client-config`, {@link ClientConfig}).
 */
import { ClientConfig } from '../../shared/client-config';

/**
 * Fetches and validates the client configuration.
 * @throws Error when the server does not answer with a valid configuration
 */
export async function loadClientConfig(fetchImpl: typeof fetch = (i, init) => fetch(i, init), baseUrl = ''): Promise<ClientConfig> {
  const res = await fetchImpl(`${baseUrl}/api/client-config`, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`Convene's sign-in settings could not be loaded (HTTP ${res.status}).`);
  return ClientConfig.parse(await res.json());
}
