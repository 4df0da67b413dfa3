import { ACCESS_WARNING_REASON } from '../../shared/admin';
import { accessDeniedReason } from '../calendar/graph/errors';
import type { MailboxSettingsResult } from '../calendar/provider';
import { createLogger } from '../log';
import type { TenantStore } from '../store/types';
import { ACCESS_WARNING_CLEAR_INTERVAL_MS, accessSignalOf, createRevocationRecorder } from './revocation';
import type { TenantRegistry } from './tenant-registry';

const TID = '11111111-1111-4111-8111-111111111111';
const denied = (mailbox: string): MailboxSettingsResult => ({ mailbox, status: 'blocked', reason: accessDeniedReason });

/** A tenant store that records what the recorder asks of it (the port's three methods it uses). */
function fakeTenants() {
  const calls: string[] = [];
  let warned = false;
  const tenants = {
    markRevoked: async (tid: string, reason: string) => (calls.push(`revoke ${tid} ${reason}`), true),
    recordAccessWarning: async (tid: string, reason: string) => {
      calls.push(`warn ${tid} ${reason}`);
      warned = true;
      return true;
    },
    clearAccessWarning: async (tid: string) => {
      calls.push(`clear ${tid}`);
      const was = warned;
      warned = false;
      return was;
    },
  } as unknown as TenantStore;
  return { tenants, calls };
}

describe('accessSignalOf', () => {
  it('warns only when every mailbox of a call is plainly denied, and reports a success when one is reached', () => {
    expect(accessSignalOf([denied('a@x.example'), denied('b@x.example')])).toBe('graph_forbidden');
    const policy: MailboxSettingsResult = { mailbox: 'c@x.example', status: 'blocked', reason: 'Blocked by an application access policy.' };
    expect(accessSignalOf([denied('a@x.example'), policy])).toBeNull();
    const ok = { mailbox: 'd@x.example', status: 'ok' } as unknown as MailboxSettingsResult;
    expect(accessSignalOf([denied('a@x.example'), ok])).toBe('graph_reached');
    expect(accessSignalOf([])).toBeNull();
  });
});

describe('createRevocationRecorder', () => {
  it('revokes on token refusals only; a 403 on every mailbox records a warning, which a later success clears', async () => {
    const { tenants, calls } = fakeTenants();
    const forgotten: string[] = [];
    let nowMs = 1_000_000;
    const record = createRevocationRecorder({
      tenants,
      registry: () => ({ forget: (tid: string) => forgotten.push(tid) }) as unknown as TenantRegistry,
      logger: createLogger('silent'),
      now: () => nowMs,
    });

    await record(TID, 'graph_forbidden');
    expect(calls).toEqual([`warn ${TID} ${ACCESS_WARNING_REASON}`]);
    expect(forgotten).toEqual([]); // the dual lock's verdict stands

    await record(TID, 'graph_reached'); // right after this instance's warning: cleared at once
    await record(TID, 'graph_reached'); // then at most once per interval
    expect(calls.slice(1)).toEqual([`clear ${TID}`]);
    nowMs += ACCESS_WARNING_CLEAR_INTERVAL_MS;
    await record(TID, 'graph_reached'); // another instance may have warned meanwhile
    expect(calls.slice(2)).toEqual([`clear ${TID}`]);

    await record(TID.toUpperCase(), 'token');
    expect(calls.slice(3)).toEqual([`revoke ${TID} token`]);
    expect(forgotten).toEqual([TID]);
  });

  it('never throws into the request when the store fails', async () => {
    const failing = {
      recordAccessWarning: async () => {
        throw new Error('database down');
      },
    } as unknown as TenantStore;
    const record = createRevocationRecorder({
      tenants: failing,
      registry: () => ({ forget: () => undefined }) as unknown as TenantRegistry,
      logger: createLogger('silent'),
    });
    await expect(record(TID, 'graph_forbidden')).resolves.toBeUndefined();
  });
});
