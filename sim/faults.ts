/**
 * Fault injection: global latency and per-request rules (throttling, server errors, hangs) for
 * Graph requests, including `$batch` sub-requests, so retry, backoff and timeout paths can be
 * tested against the simulator.
 *
 * @see https://learn.microsoft.com/graph/throttling
 * @see https://learn.microsoft.com/graph/errors
 */
import { z } from 'zod';

/**
 * A fault rule. It matches a Graph request (or `$batch` sub-request) whose method equals `method`
 * (any when absent) and whose path (`/v1.0/users/x/mailboxSettings`, no query) matches
 * `pathPattern` (a regular expression), `times` times, then it is gone.
 * With `hangMs` the request first waits that long (a timeout for clients with shorter limits);
 * with `status` it then fails with that status (429 and 503 carry `Retry-After` when
 * `retryAfterSeconds` is set). At least one of `status` and `hangMs` is required.
 * With `lostResponse` (needs `status`) the request is served first and takes effect (an event is
 * created, say), and only its answer is replaced by `status`: the gateway timeout after a write
 * that makes clients retry something that already happened.
 */
export interface FaultRule {
  method?: string;
  pathPattern: string | RegExp;
  status?: 429 | 500 | 503 | 504;
  hangMs?: number;
  /** How many matching requests the rule affects (>= 1). */
  times: number;
  retryAfterSeconds?: number;
  /** Serve the request, then answer `status` instead of its response. */
  lostResponse?: boolean;
}

/** A rule as listed: its id and how many matches it has left. */
export interface FaultRuleState {
  id: number;
  method?: string;
  pathPattern: string;
  status?: number;
  hangMs?: number;
  retryAfterSeconds?: number;
  lostResponse?: boolean;
  remaining: number;
}

/** Faults of a running simulator (also reachable as `POST/GET/DELETE /_sim/faults`). */
export interface FaultControl {
  /** Sets the latency (ms) added to every Graph and token response. */
  setLatency(ms: number): void;
  /** The current latency, ms. */
  latency(): number;
  /**
   * Adds a rule; rules are tried in the order added, the first match applies.
   * @returns the rule id
   * @throws Error when the rule is invalid (bad regex, status, times)
   */
  add(rule: FaultRule): number;
  /** Removes every rule and restores the start latency. */
  clear(): void;
  /** The rules still active. */
  rules(): FaultRuleState[];
}

/** zod schema of a rule as JSON (`POST /_sim/faults`). */
export const faultRuleSchema = z
  .strictObject({
    method: z.string().min(1).optional(),
    pathPattern: z.string().min(1),
    status: z.union([z.literal(429), z.literal(500), z.literal(503), z.literal(504)]).optional(),
    hangMs: z.number().int().min(0).max(600_000).optional(),
    times: z.number().int().min(1),
    retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
    lostResponse: z.boolean().optional(),
  })
  .refine((r) => r.status !== undefined || r.hangMs !== undefined, { message: 'a rule needs status, hangMs or both' })
  .refine((r) => !r.lostResponse || r.status !== undefined, { message: 'lostResponse needs the status the client sees' });

interface ActiveRule {
  id: number;
  method?: string;
  regex: RegExp;
  /** The pattern as given (RegExp.source would escape slashes). */
  source: string;
  status?: 429 | 500 | 503 | 504;
  hangMs?: number;
  retryAfterSeconds?: number;
  lostResponse?: boolean;
  remaining: number;
}

/** The rule engine behind {@link FaultControl}. */
export class FaultEngine implements FaultControl {
  private active: ActiveRule[] = [];
  private nextId = 1;
  private latencyMs: number;

  constructor(private readonly startLatencyMs = 0) {
    this.latencyMs = startLatencyMs;
  }

  setLatency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`latency must be a non-negative number of ms, got ${ms}`);
    this.latencyMs = ms;
  }

  latency(): number {
    return this.latencyMs;
  }

  add(rule: FaultRule): number {
    const source = rule.pathPattern instanceof RegExp ? rule.pathPattern.source : rule.pathPattern;
    const flags = rule.pathPattern instanceof RegExp ? rule.pathPattern.flags.replace(/[gy]/g, '') : '';
    const parsed = faultRuleSchema.safeParse({ ...rule, pathPattern: source });
    if (!parsed.success)
      throw new Error(`Invalid fault rule: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(rule)'}: ${i.message}`).join('; ')}`);
    let regex: RegExp;
    try {
      regex = new RegExp(source, flags);
    } catch (e) {
      throw new Error(`Invalid fault rule: pathPattern is not a regular expression (${(e as Error).message})`, { cause: e });
    }
    const id = this.nextId++;
    const r = parsed.data;
    this.active.push({
      id,
      regex,
      source,
      remaining: r.times,
      ...(r.method === undefined ? {} : { method: r.method.toUpperCase() }),
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.hangMs === undefined ? {} : { hangMs: r.hangMs }),
      ...(r.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: r.retryAfterSeconds }),
      ...(r.lostResponse ? { lostResponse: true } : {}),
    });
    return id;
  }

  clear(): void {
    this.active = [];
    this.latencyMs = this.startLatencyMs;
  }

  rules(): FaultRuleState[] {
    return this.active.map((r) => ({
      id: r.id,
      pathPattern: r.source,
      remaining: r.remaining,
      ...(r.method === undefined ? {} : { method: r.method }),
      ...(r.status === undefined ? {} : { status: r.status }),
      ...(r.hangMs === undefined ? {} : { hangMs: r.hangMs }),
      ...(r.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: r.retryAfterSeconds }),
      ...(r.lostResponse ? { lostResponse: true } : {}),
    }));
  }

  /** The first rule matching this request, consuming one of its `times`; undefined when none. */
  take(method: string, path: string): Pick<ActiveRule, 'status' | 'hangMs' | 'retryAfterSeconds' | 'lostResponse'> | undefined {
    const m = method.toUpperCase();
    const rule = this.active.find((r) => r.remaining > 0 && (r.method === undefined || r.method === m) && r.regex.test(path));
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining === 0) this.active = this.active.filter((r) => r !== rule);
    const { status, hangMs, retryAfterSeconds, lostResponse } = rule;
    return {
      ...(status === undefined ? {} : { status }),
      ...(hangMs === undefined ? {} : { hangMs }),
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...(lostResponse ? { lostResponse: true } : {}),
    };
  }
}

/** Graph's error code and message for an injected status. */
export function faultError(status: 429 | 500 | 503 | 504): { code: string; message: string } {
  switch (status) {
    case 429:
      return { code: 'TooManyRequests', message: 'Please retry again later.' };
    case 503:
      return { code: 'serviceNotAvailable', message: 'The service is temporarily unavailable. Please retry later.' };
    case 504:
      return { code: 'GatewayTimeout', message: 'The gateway did not receive a response from the service in time.' };
    case 500:
      return { code: 'generalException', message: 'An unspecified error has occurred.' };
  }
}
