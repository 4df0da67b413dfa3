/**
 * Disconnect (offboarding): a confirmation dialog that says what is deleted and what is kept,
 * then `DELETE /api/admin/tenants/{tid}`, then the Entra link to remove Convene's enterprise
 * application (which withdraws the admin consent in Entra ID too).
 */
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Text } from '@fluentui/react-components';
import { useState } from 'react';
import type { DisconnectResponse } from '../../shared/admin';
import { ApiError } from '../common/api-client';
import type { AdminApi } from './admin-api';

/**
 * The confirmation dialog, controlled by the page. The page keeps it mounted while the admin is
 * signed in, even after the status page it was opened from is replaced: Fluent's Dialog leaves
 * `aria-hidden` on the page when it unmounts (microsoft/fluentui#35139).
 */
export function DisconnectDialog({
  api,
  tid,
  orgName,
  open,
  onOpenChange,
  onDisconnected,
}: {
  api: AdminApi;
  tid: string;
  orgName: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onDisconnected: (result: DisconnectResponse) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      const result = await api.disconnect(tid);
      onOpenChange(false);
      onDisconnected(result);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Disconnecting failed. Nothing was deleted; try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={(_, d) => (onOpenChange(d.open), setError(null))} modalType="alert">
      <DialogSurface aria-describedby="disconnect-what">
        <DialogBody>
          <DialogTitle>Disconnect {orgName} from Convene?</DialogTitle>
          <DialogContent id="disconnect-what">
            <Text as="p" block>
              Convene stops working for everyone in {orgName} right away. It deletes:
            </Text>
            <ul>
              <li>the connection and any stored credentials (including your own app registration’s secret or certificate),</li>
              <li>the interviews Convene booked (the invites already in Outlook calendars stay there),</li>
              <li>calendar subscriptions and Teams bot conversations.</li>
            </ul>
            <Text as="p" block>
              It keeps the audit log (who did what, never calendar contents) for the retention period set by the people who run Convene (90
              days by default), then purges it.
            </Text>
            <Text as="p" block>
              To remove the consent from Microsoft Entra ID too, delete Convene under Enterprise applications afterwards; the link appears
              when the disconnect is done.
            </Text>
            {error && (
              <Text as="p" block role="alert">
                {error}
              </Text>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" disabled={busy} onClick={() => onOpenChange(false)}>
              Cancel
            </Button>
            <Button appearance="primary" onClick={() => void confirm()} disabled={busy}>
              {busy ? 'Disconnecting…' : 'Disconnect and delete data'}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
