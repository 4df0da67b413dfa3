/**
 * The admin page (`/admin`, issue 3): connect a Microsoft 365 organization through Microsoft's
 * admin consent page, read the answer of the consent callback in plain words, then, signed in as
 * a `Convene.Admin` user of the tenant, the tenant's status: consent, the permissions table, the
 * mailbox access check, the PowerShell to scope Convene, and Disconnect.
 *
 * Everything it shows comes from Convene's admin API (`src/shared/admin.ts`); it never calls Graph.
 */
import {
  Badge,
  Button,
  Card,
  Divider,
  Field,
  Input,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { type ConsentStatus, type DisconnectResponse, TenantHint, type TenantStatus } from '../../shared/admin';
import { ApiError } from '../common/api-client';
import { type SignedInUser, type SignIn, SignInError } from '../common/sign-in';
import { type AdminApi, consentStartUrl } from './admin-api';
import { AppRegistrationCard } from './app-registration';
import { ConsentResult } from './consent-result';
import { DisconnectDialog } from './disconnect';
import { MailboxCheck } from './mailbox-check';
import { PermissionsTable } from './permissions-table';
import { ScopingScripts } from './scoping-scripts';
import { useFactsStyles } from './facts-styles';

const useStyles = makeStyles({
  page: {
    maxWidth: '1040px',
    margin: '0 auto',
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalL}`,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalL,
    boxSizing: 'border-box',
  },
  header: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
  h1: { fontSize: tokens.fontSizeHero700, lineHeight: tokens.lineHeightHero700, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  h2: { fontSize: tokens.fontSizeBase500, lineHeight: tokens.lineHeightBase500, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  card: { padding: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  form: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'flex-end', flexWrap: 'wrap' },
  grow: { flexGrow: 1, minWidth: '220px', maxWidth: '420px' },
  user: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
});

const STATUS_LABEL: Record<ConsentStatus, { text: string; color: 'success' | 'danger' | 'warning' | 'informative' }> = {
  granted: { text: 'Connected', color: 'success' },
  revoked: { text: 'Access revoked', color: 'danger' },
  disconnected: { text: 'Disconnected', color: 'warning' },
  notConnected: { text: 'Not connected', color: 'informative' },
};

/** Formats an ISO instant in the admin's own zone, with the zone named. */
function when(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  // `timeStyle: 'long'` names the zone (dateStyle/timeStyle cannot be mixed with timeZoneName).
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

export interface AdminAppProps {
  signIn: SignIn;
  api: AdminApi;
  /** The page's query string (`?tenant=<tid>&result=connected`, `?result=declined`). */
  search: string;
  /** Navigates the browser (default: `location.assign`). */
  navigate?: (url: string) => void;
}

/**
 * The connect form: an optional tenant id or domain, then Microsoft's admin consent page. With
 * `start` (a signed-in Convene admin), the consent is started through the admin API: the only
 * way to connect a disconnected organization again, and it records who consented.
 */
export function ConnectCard({
  initialTenant = '',
  navigate,
  again,
  start,
}: {
  initialTenant?: string;
  navigate: (url: string) => void;
  again?: boolean;
  /** Starts the consent signed in; resolves to Microsoft's consent URL. */
  start?: (tenant: string) => Promise<string>;
}) {
  const s = useStyles();
  const [tenant, setTenant] = useState(initialTenant);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = tenant.trim();
    if (t) {
      const parsed = TenantHint.safeParse(t);
      if (!parsed.success)
        return setError('Enter a tenant id (a GUID) or a verified domain such as contoso.onmicrosoft.com, or leave it empty.');
    }
    setError(null);
    if (!start) return navigate(consentStartUrl(t));
    start(t).then(navigate, (err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <Card className={s.card} aria-labelledby="connect-heading">
      <h2 id="connect-heading" className={s.h2}>
        {again ? 'Connect your Microsoft 365 organization again' : 'Connect your Microsoft 365 organization'}
      </h2>
      <Text as="p" block>
        Convene finds times when a whole interview panel is free and books the interview in the organizer’s own calendar. An administrator
        of your organization grants it these Microsoft Graph application permissions on Microsoft’s consent page: Calendars.ReadWrite,
        MailboxSettings.Read and User.ReadBasic.All. You can then limit it to the interviewers’ mailboxes.
      </Text>
      <form className={s.form} onSubmit={submit} aria-label="Connect your organization">
        <Field
          className={s.grow}
          label="Tenant id or domain (optional)"
          hint="Leave empty to pick the organization when you sign in."
          validationMessage={error ?? undefined}
          validationState={error ? 'error' : 'none'}
        >
          <Input
            name="tenant"
            value={tenant}
            onChange={(_, d) => setTenant(d.value)}
            placeholder="contoso.onmicrosoft.com"
            autoComplete="off"
          />
        </Field>
        <Button appearance="primary" type="submit">
          Connect with Microsoft
        </Button>
      </form>
    </Card>
  );
}

/** Sign-in for the admin API: Microsoft (MSAL redirect) or, on the local simulator, a UPN. */
function SignInCard({ signIn, onSignedIn }: { signIn: SignIn; onSignedIn: (u: SignedInUser) => void }) {
  const s = useStyles();
  const [upn, setUpn] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await signIn.signIn(signIn.mode === 'dev' ? upn : undefined);
      if (user) onSignedIn(user);
    } catch (err) {
      setError(err instanceof SignInError ? err.message : 'Signing in failed. Try again.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card className={s.card} aria-labelledby="signin-heading">
      <h2 id="signin-heading" className={s.h2}>
        Sign in to see your organization’s status
      </h2>
      <Text as="p" block>
        The status page, the mailbox check and Disconnect are for users your organization assigned Convene’s <strong>Convene.Admin</strong>{' '}
        role (Entra admin center › Enterprise applications › Convene › Users and groups).
      </Text>
      <form className={s.form} onSubmit={(e) => void submit(e)} aria-label="Sign in">
        {signIn.mode === 'dev' && (
          <Field
            className={s.grow}
            label="User principal name"
            hint="Local Microsoft 365 simulator: there is no Microsoft sign-in page; enter a simulated user."
            validationMessage={error ?? undefined}
            validationState={error ? 'error' : 'none'}
          >
            <Input
              name="upn"
              type="email"
              value={upn}
              onChange={(_, d) => setUpn(d.value)}
              placeholder="adele@contoso.example"
              autoComplete="username"
            />
          </Field>
        )}
        <Button appearance="primary" type="submit" disabled={busy}>
          {signIn.mode === 'dev' ? 'Sign in (simulator)' : 'Sign in with Microsoft'}
        </Button>
      </form>
      {signIn.mode !== 'dev' && error && (
        <Text as="p" block role="alert">
          {error}
        </Text>
      )}
    </Card>
  );
}

/** The status page of a connected (or revoked) tenant. */
export function TenantStatusView({
  status,
  api,
  onDisconnect,
  navigate,
}: {
  status: TenantStatus;
  api: AdminApi;
  /** Opens the disconnect confirmation. */
  onDisconnect: () => void;
  navigate: (url: string) => void;
}) {
  const s = useStyles();
  const f = useFactsStyles();
  const label = STATUS_LABEL[status.consentStatus] ?? STATUS_LABEL.notConnected;
  const name = status.displayName ?? status.tid;
  return (
    <>
      <Card className={s.card} aria-labelledby="status-heading">
        <div className={s.header}>
          <h2 id="status-heading" className={s.h2}>
            {name}
          </h2>
          <Badge appearance="filled" color={label.color} data-testid="consent-status" data-status={status.consentStatus}>
            {label.text}
          </Badge>
        </div>
        {status.consentStatus === 'revoked' && (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>Microsoft Entra ID or Microsoft Graph is refusing Convene</MessageBarTitle>
              Microsoft Entra ID no longer issues Convene a token for your organization: the admin consent was removed, or Convene’s
              enterprise application was disabled or deleted. Connect again to grant consent.
              <div>
                <Button
                  appearance="primary"
                  onClick={() =>
                    void api.startConsent(status.tid).then(
                      (r) => navigate(r.url),
                      () => navigate(status.connectUrl || consentStartUrl(status.tid)),
                    )
                  }
                >
                  Connect again
                </Button>
              </div>
            </MessageBarBody>
          </MessageBar>
        )}
        {status.accessWarning && (
          <MessageBar intent="warning" layout="multiline" data-testid="access-warning">
            <MessageBarBody>
              <MessageBarTitle>Microsoft Graph refused every mailbox Convene asked for</MessageBarTitle>
              {status.accessWarning.reason} Last seen {when(status.accessWarning.at)}. Run the mailbox check below with the interviewers’
              mailboxes; this warning clears when Convene reaches a mailbox again.
            </MessageBarBody>
          </MessageBar>
        )}
        <dl className={f.facts}>
          <dt className={f.dt}>Tenant id</dt>
          <dd className={f.dd}>{status.tid}</dd>
          <dt className={f.dt}>Consent</dt>
          <dd className={f.dd}>
            {label.text}
            {status.consentedAt ? `, ${when(status.consentedAt)}` : ''}
          </dd>
          <dt className={f.dt}>Consenting admin</dt>
          <dd className={f.dd}>{status.consentedBy ?? 'Not known (consent given in the Entra admin center)'}</dd>
          <dt className={f.dt}>Microsoft cloud</dt>
          <dd className={f.dd}>{status.cloud ?? '—'}</dd>
          <dt className={f.dt}>Application (client) id</dt>
          <dd className={f.dd}>
            {status.appId} ({status.credentialMode === 'tenant' ? 'your own app registration' : 'Convene’s multitenant app'})
          </dd>
        </dl>
      </Card>

      <Card className={s.card} aria-labelledby="permissions-heading">
        <h2 id="permissions-heading" className={s.h2}>
          Permissions Convene needs
        </h2>
        <PermissionsTable permissions={status.permissions ?? []} />
      </Card>

      <Card className={s.card} aria-labelledby="mailbox-heading">
        <h2 id="mailbox-heading" className={s.h2}>
          Mailbox access check
        </h2>
        <Text as="p" block>
          See which mailboxes Convene can read under your Application Access Policy or RBAC for Applications scope. A blocked interviewer is
          shown to organizers as unknown, never as free.
        </Text>
        <MailboxCheck api={api} tid={status.tid} />
      </Card>

      <Card className={s.card} aria-labelledby="scope-heading">
        <h2 id="scope-heading" className={s.h2}>
          Limit Convene to the interviewers’ mailboxes
        </h2>
        <Text as="p" block>
          Run one of these in Exchange Online PowerShell (Connect-ExchangeOnline) as an Exchange administrator. Replace the group with your
          interviewers’ mail-enabled security group.
        </Text>
        <ScopingScripts scripts={status.powershell ?? { rbacForApplications: '', applicationAccessPolicy: '' }} />
      </Card>

      <Card className={s.card} aria-labelledby="disconnect-heading">
        <h2 id="disconnect-heading" className={s.h2}>
          Disconnect
        </h2>
        <Text as="p" block>
          Stop using Convene in {name} and delete its data from Convene.
        </Text>
        <div>
          <Button appearance="secondary" onClick={onDisconnect}>
            Disconnect {name}…
          </Button>
        </div>
      </Card>
    </>
  );
}

type Loaded =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'status'; status: TenantStatus }
  | { kind: 'error'; title: string; message: string; requestId?: string | undefined };

/** The whole page. */
export function AdminApp({ signIn, api, search, navigate = (u) => location.assign(u) }: AdminAppProps) {
  const s = useStyles();
  const params = new URLSearchParams(search);
  const result = params.get('result');
  const tenantParam = params.get('tenant') ?? '';
  const [user, setUser] = useState<SignedInUser | null>(null);
  const [restoring, setRestoring] = useState(true);
  const [restoreError, setRestoreError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'idle' });
  const [disconnected, setDisconnected] = useState<DisconnectResponse | null>(null);
  const [confirmDisconnect, setConfirmDisconnect] = useState(false);
  const tid = user?.claims.tid;

  useEffect(() => {
    let live = true;
    signIn
      .restore()
      .then((u) => live && setUser(u))
      .catch((e: unknown) => live && setRestoreError(e instanceof Error ? e.message : String(e)))
      .finally(() => live && setRestoring(false));
    return () => {
      live = false;
    };
  }, [signIn]);

  /** Loads the tenant's status; `quiet` keeps the page (and its forms) on screen meanwhile. */
  const load = useCallback(
    async (quiet = false) => {
      if (!tid) return;
      if (!quiet) setLoaded({ kind: 'loading' });
      try {
        setLoaded({ kind: 'status', status: await api.tenantStatus(tid) });
      } catch (e) {
        if (e instanceof ApiError && e.code === 'forbidden')
          setLoaded({
            kind: 'error',
            title: 'You are not a Convene admin of this organization',
            message: e.message,
            requestId: e.requestId,
          });
        else if (e instanceof ApiError && e.status === 401)
          setLoaded({ kind: 'error', title: 'Your sign-in expired', message: 'Sign out and sign in again.', requestId: e.requestId });
        else
          setLoaded({
            kind: 'error',
            title: 'The status could not be loaded',
            message: e instanceof Error ? e.message : String(e),
            requestId: e instanceof ApiError ? e.requestId : undefined,
          });
      }
    },
    [api, tid],
  );

  useEffect(() => {
    void load();
  }, [load]);

  const signOut = async () => {
    await signIn.signOut();
    setUser(null);
    setLoaded({ kind: 'idle' });
  };

  const status = loaded.kind === 'status' ? loaded.status : null;
  const connected = status && (status.consentStatus === 'granted' || status.consentStatus === 'revoked');

  return (
    <main className={s.page}>
      <header className={s.header}>
        <h1 className={s.h1}>Convene for IT admins</h1>
        {user && (
          <div className={s.user}>
            <Text>
              Signed in as <strong>{user.claims.username ?? user.claims.name ?? user.claims.oid}</strong>
            </Text>
            <Button appearance="subtle" onClick={() => void signOut()}>
              Sign out
            </Button>
          </div>
        )}
      </header>

      <div role="status" aria-live="polite">
        {result && <ConsentResult code={result} />}
        {disconnected && (
          <MessageBar intent="success" layout="multiline" data-testid="disconnected">
            <MessageBarBody>
              <MessageBarTitle>{status?.displayName ?? disconnected.tid} is disconnected</MessageBarTitle>
              Convene deleted{' '}
              {Object.entries(disconnected.deleted)
                .map(([table, n]) => `${n} ${table}`)
                .join(', ') || 'its data'}
              ; the audit log is kept for its retention period. To remove Convene’s consent from Microsoft Entra ID as well, delete its
              enterprise application:{' '}
              <Link href={disconnected.entraEnterpriseAppUrl} target="_blank" rel="noopener noreferrer">
                Convene in the Entra admin center
              </Link>
              .
            </MessageBarBody>
          </MessageBar>
        )}
      </div>

      {restoring ? (
        <Spinner label="Loading…" />
      ) : (
        <>
          {restoreError && (
            <MessageBar intent="error">
              <MessageBarBody>{restoreError}</MessageBarBody>
            </MessageBar>
          )}
          {user && loaded.kind === 'loading' && <Spinner label="Loading your organization’s status…" />}
          {user && loaded.kind === 'error' && (
            <MessageBar intent="error" layout="multiline" data-testid="status-error">
              <MessageBarBody>
                <MessageBarTitle>{loaded.title}</MessageBarTitle>
                {loaded.message}
                {loaded.requestId ? ` (request id ${loaded.requestId})` : ''}
              </MessageBarBody>
            </MessageBar>
          )}
          {status && connected && (
            <TenantStatusView status={status} api={api} navigate={navigate} onDisconnect={() => setConfirmDisconnect(true)} />
          )}
          {(!user || (status && !connected)) && (
            <>
              {status && !connected && (
                <Text as="p" block data-testid="consent-status" data-status={status.consentStatus}>
                  {status.displayName ?? status.tid}: {STATUS_LABEL[status.consentStatus]?.text ?? status.consentStatus}
                  {status.offboardedAt ? ` since ${when(status.offboardedAt)}` : ''}.
                </Text>
              )}
              <ConnectCard
                initialTenant={status?.tid ?? (TenantHint.safeParse(tenantParam).success ? tenantParam : '')}
                navigate={navigate}
                again={status?.consentStatus === 'disconnected'}
                start={user && status ? async (t) => (await api.startConsent(t || undefined)).url : undefined}
              />
            </>
          )}
          {user && tid && status && (
            <Card className={s.card} aria-labelledby="app-registration-heading">
              <h2 id="app-registration-heading" className={s.h2}>
                Your own app registration (optional)
              </h2>
              <Text as="p" block>
                If your organization will not consent to Convene’s multitenant app, Convene can sign in to {status.displayName ?? tid} with
                an app registration of your own instead.
              </Text>
              <AppRegistrationCard
                api={api}
                tid={tid}
                orgName={status.displayName ?? tid}
                initial={status.appRegistration}
                onChanged={() => void load(true)}
              />
            </Card>
          )}
          {!user && <SignInCard signIn={signIn} onSignedIn={setUser} />}
          {user && tid && (
            <DisconnectDialog
              api={api}
              tid={tid}
              orgName={status?.displayName ?? tid}
              open={confirmDisconnect}
              onOpenChange={setConfirmDisconnect}
              onDisconnected={(r) => {
                setDisconnected(r);
                void load();
              }}
            />
          )}
        </>
      )}
      <Divider />
      <Text size={200}>
        Convene reads free/busy and working hours only when someone schedules, never stores calendar contents, and records every Microsoft
        Graph call in an audit log.
      </Text>
    </main>
  );
}
