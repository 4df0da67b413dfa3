/**
 * The mailbox access check: the admin enters mailboxes (or a group's address) and sees for each
 * whether Convene can read it, as the tenant's Application Access Policy or RBAC for Applications
 * scope decides. Results are announced in a live region.
 */
import {
  Badge,
  Button,
  Field,
  makeStyles,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useId, useState, type FormEvent } from 'react';
import { MAX_MAILBOX_CHECK, type MailboxAccess, type MailboxCheckResponse } from '../../shared/admin';
import { ApiError } from '../common/api-client';
import { type AdminApi, parseMailboxes } from './admin-api';

const LABELS: Record<MailboxAccess, { text: string; color: 'success' | 'danger' | 'warning' | 'severe' }> = {
  reachable: { text: 'Reachable', color: 'success' },
  blocked: { text: 'Blocked', color: 'danger' },
  notFound: { text: 'Not found', color: 'warning' },
  error: { text: 'Error', color: 'severe' },
};

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, maxWidth: '640px' },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  scroll: { overflowX: 'auto', marginTop: tokens.spacingVerticalM },
  mailbox: { wordBreak: 'break-all' },
});

/** One sentence summing up the results, e.g. "3 mailboxes checked: 2 reachable, 1 blocked." */
export function summarize(results: MailboxCheckResponse): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.access, (counts.get(r.access) ?? 0) + 1);
  const parts = (['reachable', 'blocked', 'notFound', 'error'] as const)
    .filter((a) => counts.has(a))
    .map((a) => `${counts.get(a)} ${LABELS[a].text.toLowerCase()}`);
  return `${results.length} mailbox${results.length === 1 ? '' : 'es'} checked: ${parts.join(', ')}.`;
}

export function MailboxCheck({ api, tid, initial = '' }: { api: AdminApi; tid: string; initial?: string }) {
  const s = useStyles();
  const hintId = useId();
  const [text, setText] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<MailboxCheckResponse | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const mailboxes = parseMailboxes(text);
    if (mailboxes.length === 0) return setError('Enter at least one mailbox address, such as interviewer@contoso.com.');
    if (mailboxes.length > MAX_MAILBOX_CHECK) return setError(`Check at most ${MAX_MAILBOX_CHECK} mailboxes at a time.`);
    setError(null);
    setBusy(true);
    try {
      setResults(await api.mailboxCheck(tid, mailboxes));
    } catch (err) {
      setResults(null);
      setError(err instanceof ApiError ? err.message : 'The check failed. Try again.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <form className={s.form} onSubmit={(e) => void submit(e)} aria-label="Mailbox access check">
        <Field
          label="Mailboxes to check"
          hint={`One address per line (or separated by commas), up to ${MAX_MAILBOX_CHECK}: the interviewers' mailboxes, or the mail address of the group you scoped Convene to.`}
          validationMessage={error ?? undefined}
          validationState={error ? 'error' : 'none'}
        >
          <Textarea
            value={text}
            onChange={(_, d) => setText(d.value)}
            resize="vertical"
            rows={4}
            aria-describedby={hintId}
            name="mailboxes"
          />
        </Field>
        <div className={s.actions}>
          <Button appearance="primary" type="submit" disabled={busy}>
            Check access
          </Button>
          {busy && <Spinner size="tiny" label="Checking…" />}
        </div>
      </form>
      <div role="status" aria-live="polite" id={hintId}>
        {results && (
          <Text as="p" block weight="semibold" data-testid="mailbox-summary">
            {summarize(results)}
          </Text>
        )}
      </div>
      {results && (
        <div className={s.scroll}>
          <Table aria-label="Mailbox access results" size="small">
            <TableHeader>
              <TableRow>
                <TableHeaderCell scope="col">Mailbox</TableHeaderCell>
                <TableHeaderCell scope="col">Access</TableHeaderCell>
                <TableHeaderCell scope="col">Reason</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {results.map((r) => {
                const label = LABELS[r.access] ?? LABELS.error;
                return (
                  <TableRow key={r.mailbox} data-mailbox={r.mailbox} data-access={r.access}>
                    <TableCell className={s.mailbox}>{r.mailbox}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={label.color}>
                        {label.text}
                      </Badge>
                    </TableCell>
                    <TableCell>{r.reason}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </div>
  );
}
