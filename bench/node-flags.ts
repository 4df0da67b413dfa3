/**
 * The Node.js flags Convene's server runs with, the same in every start path: the Dockerfile's
 * CMD, App Service's `appCommandLine` (infra/modules/appservice.bicep), `npm start` and the
 * bench's server process. test/ship/infra.test.ts checks that each passes exactly these.
 *
 * Both bound V8's heap growth, which is most of the server's peak RSS under load (measured with
 * `npm run bench` on 2 cores, server on PostgreSQL, medians of 3-5 runs):
 * - `--max-semi-space-size=16`: the young generation capped at 2 x 16 MB semi-spaces. Without it
 *   V8 grows the young generation to 128 MB under load, ~100 MB of RSS a short-lived-object
 *   workload does not need (350-360 MB peak without it). 8 MB saved ~15 MB more for ~70 % more
 *   scavenges. `v8.setFlagsFromString` at run time has no effect on it, so it has to be a
 *   command-line flag (or NODE_OPTIONS).
 * - `--max-old-space-size=768`: after each full GC V8 lets the old generation grow to its live
 *   size times a factor of at most 4 when the heap limit is V8's default maximum (~4 GB on this
 *   24 GB machine), but of 1.3-2 (scaled by the limit, ~1.4 here) when the limit is set lower
 *   (V8's heap-controller.cc, `MaxGrowingFactor`). The server's ~40 MB live heap plus the
 *   promoted Buffers those full GCs free then stay smaller: peak RSS ~190-198 MB instead of
 *   ~260 MB, for ~12 % more server CPU per request (about 50 full GCs of ~6 ms per bench run
 *   instead of 14). 512 MB and 1024 MB gave about the same peak (the factor barely differs);
 *   768 MB is far above anything Convene holds live, so it never limits work, and leaves room
 *   on a 1.75 GB App Service B1 instance.
 * @see https://nodejs.org/api/cli.html#--max-old-space-sizesize-in-mib
 * @see https://nodejs.org/api/cli.html#--max-semi-space-sizesize-in-mib
 */
export const serverNodeFlags: readonly string[] = ['--max-semi-space-size=16', '--max-old-space-size=768'];
