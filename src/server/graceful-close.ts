/**
 * Graceful HTTP shutdown (SIGTERM from an orchestrator, Ctrl-C locally).
 *
 * `server.close()` alone stops accepting connections and (Node >= 19) closes the idle keep-alive
 * ones, but its callback waits for every busy connection to end: a client that keeps its
 * connection alive after its last response holds the server open until `keepAliveTimeout`, and a
 * slow request holds it for as long as it runs. Calling `closeAllConnections()` right away (what
 * `App.close` did before) cuts requests that are still being answered. Here: stop accepting, close
 * connections as they become idle, and only after `graceMs` cut what is left.
 *
 * @see https://nodejs.org/api/http.html#serverclosecallback
 * @see https://nodejs.org/api/http.html#servercloseidleconnections
 */
import type { Server as HttpServer } from 'node:http';

/**
 * Stops `server` gracefully. Resolves when every connection is closed (at most about `graceMs`).
 * Resolves at once when the server is not listening.
 */
export function closeHttpGracefully(server: HttpServer, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise<void>((resolve) => {
    // A response that finishes after close() leaves its keep-alive connection idle: close those
    // as they appear (a short poll: requests already running have no listener of ours).
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    sweep.unref();
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    cut.unref();
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
