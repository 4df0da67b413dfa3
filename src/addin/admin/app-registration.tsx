/**
 * The tenant-provided app registration section of the admin page (issue 3, item 3): for an
 * organization that will not consent to Convene's multitenant app, its admin registers an app of
 * their own (Calendars.ReadWrite, MailboxSettings.Read and User.ReadBasic.All application
 * permissions, admin-consented in their tenant) and gives Convene its client id with a client
 * secret or a certificate and private key.
 *
 * What it shows and sends (contract `src/shared/app-registration.ts`):
 * - the current mode: Convene's multitenant app, or the tenant's own registration with its client
 *   id, credential type, encryption key id and date; never a secret (the API never returns one);
 * - a form for the client id and a secret (password input) or a certificate and private key (PEM
 *   textareas). The secret and the private key are dropped from React state as soon as the
 *   request is answered, whether the server stored them or refused them; everything else the
 *   admin typed stays so a refused credential can be corrected. The server proves the credential
 *   with Microsoft Entra ID before storing it, so a refusal carries Entra's AADSTS code, shown
 *   inline with the request id;
 * - "Go back to Convene's app" (DELETE), after a confirmation that says what it deletes.
 *
 * Success and changes are announced in a polite live region; errors in alerts.
 *
 * @see https://learn.microsoft.com/entra/identity-platform/quickstart-register-app
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import {
  Button,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Spinner,
  Text,
  Textarea,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import {
  type AppRegistrationInput,
  AppRegistrationCertificateInput,
  AppRegistrationSecretInput,
  type AppRegistrationStatus,
} from '../../shared/app-registration';
import { ApiError } from '../common/api-client';
import type { AdminApi } from './admin-api';
import { useFactsStyles } from './facts-styles';

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '640px' },
  pem: { fontFamily: tokens.fontFamilyMonospace },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

type CredentialType = 'secret' | 'certificate';
type FieldName = 'clientId' | 'clientSecret' | 'certificatePem' | 'privateKeyPem';

/** A failed request, as the page shows it. */
interface Failure {
  title: string;
  message: string;
  requestId?: string | undefined;
}

/** Formats an ISO instant in the admin's own zone. */
function when(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' });
}

function failure(e: unknown, title: string): Failure {
  if (e instanceof ApiError) return { title, message: e.message, requestId: e.requestId };
  return { title, message: 'Something went wrong. Try again.' };
}

/** The credential type in the admin's words. */
export function credentialLabel(type: AppRegistrationStatus['credentialType']): string {
  return type === 'certificate' ? 'Certificate' : type === 'secret' ? 'Client secret' : '—';
}

export interface AppRegistrationCardProps {
  api: AdminApi;
  tid: string;
  /** The organization's name, for the confirmation. */
  orgName: string;
  /** Told after the registration was stored or removed (the page reloads the tenant's status). */
  onChanged?: () => void;
  /** What the tenant's status already says (`TenantStatus.appRegistration`); absent: fetched with `GET .../app-registration`. */
  initial?: AppRegistrationStatus | undefined;
}

/** The section: current mode, the form, and "Go back to Convene's app". */
export function AppRegistrationCard({ api, tid, orgName, onChanged, initial }: AppRegistrationCardProps) {
  const s = useStyles();
  const f = useFactsStyles();
  const clientIdRef = useRef<HTMLInputElement>(null);
  const openButtonRef = useRef<HTMLButtonElement>(null);
  const removeButtonRef = useRef<HTMLButtonElement>(null);
  const cancelRemoveRef = useRef<HTMLButtonElement>(null);
  // Where focus goes after the form or the confirmation closes: the button that opened it.
  const [returnFocus, setReturnFocus] = useState<'open' | 'remove' | null>(null);
  const [current, setCurrent] = useState<AppRegistrationStatus | null>(initial ?? null);
  const fetchOnMount = useRef(!initial);
  const [loadError, setLoadError] = useState<Failure | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [clientId, setClientId] = useState('');
  const [credentialType, setCredentialType] = useState<CredentialType>('secret');
  // The two secrets: held only while the admin types, dropped once the request is answered.
  const [clientSecret, setClientSecret] = useState('');
  const [privateKeyPem, setPrivateKeyPem] = useState('');
  const [certificatePem, setCertificatePem] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [saveError, setSaveError] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [confirmOpen, setConfirmOpen] = useState(false);
  const [removeError, setRemoveError] = useState<Failure | null>(null);
  const [removing, setRemoving] = useState(false);

  const load = useCallback(async () => {
    setLoadError(null);
    try {
      setCurrent(await api.appRegistration(tid));
    } catch (e) {
      setLoadError(failure(e, 'Your app registration’s status could not be loaded'));
    }
  }, [api, tid]);

  useEffect(() => {
    if (fetchOnMount.current) void load();
  }, [load]);

  useEffect(() => {
    if (formOpen) clientIdRef.current?.focus();
  }, [formOpen]);

  useEffect(() => {
    if (!returnFocus) return;
    (returnFocus === 'remove' ? (removeButtonRef.current ?? openButtonRef.current) : openButtonRef.current)?.focus();
    setReturnFocus(null);
  }, [returnFocus]);

  const openForm = () => {
    setClientId(current?.mode === 'tenant' ? (current.clientId ?? '') : '');
    setSaveError(null);
    setFieldErrors({});
    setFormOpen(true);
  };

  const closeForm = () => {
    setFormOpen(false);
    setReturnFocus('open');
    setClientSecret('');
    setPrivateKeyPem('');
    setCertificatePem('');
    setFieldErrors({});
    setSaveError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed =
      credentialType === 'secret'
        ? AppRegistrationSecretInput.safeParse({ clientId: clientId.trim(), clientSecret })
        : AppRegistrationCertificateInput.safeParse({ clientId: clientId.trim(), certificatePem, privateKeyPem });
    if (!parsed.success) {
      // Nothing was sent: point at the fields (zod's messages never echo the values).
      const errors: Partial<Record<FieldName, string>> = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as FieldName;
        errors[field] ??= `${issue.message[0]?.toUpperCase() ?? ''}${issue.message.slice(1)}.`;
      }
      setFieldErrors(errors);
      return;
    }
    setFieldErrors({});
    setSaveError(null);
    setAnnouncement('');
    setBusy(true);
    const body: AppRegistrationInput = parsed.data;
    try {
      const stored = await api.setAppRegistration(tid, body);
      setCurrent(stored);
      setFormOpen(false);
      setReturnFocus('open');
      setCertificatePem('');
      setClientId('');
      setAnnouncement(
        `Saved. Convene now signs in to ${orgName} with your app registration ${stored.clientId ?? ''} (${credentialLabel(stored.credentialType).toLowerCase()}).`,
      );
      onChanged?.();
    } catch (err) {
      setSaveError(failure(err, 'Nothing was saved'));
    } finally {
      // Stored or refused, the secret leaves the page's state now; the admin re-enters it to retry.
      setClientSecret('');
      setPrivateKeyPem('');
      setBusy(false);
    }
  };

  const remove = async () => {
    setRemoving(true);
    setRemoveError(null);
    setAnnouncement('');
    try {
      setCurrent(await api.removeAppRegistration(tid));
      setConfirmOpen(false);
      closeForm();
      setAnnouncement(
        `Convene uses its own multitenant app for ${orgName} again; your app registration’s credential was deleted from Convene.`,
      );
      onChanged?.();
    } catch (err) {
      setRemoveError(failure(err, 'Convene still uses your app registration'));
    } finally {
      setRemoving(false);
    }
  };

  useEffect(() => {
    // The safe choice has focus when the confirmation opens.
    if (confirmOpen) cancelRemoveRef.current?.focus();
  }, [confirmOpen]);

  const cancelRemove = () => {
    setConfirmOpen(false);
    setRemoveError(null);
    setReturnFocus('remove');
  };

  const own = current?.mode === 'tenant';

  return (
    <>
      <div role="status" aria-live="polite" data-testid="app-registration-announcement">
        {announcement && (
          <Text as="p" block weight="semibold">
            {announcement}
          </Text>
        )}
      </div>

      {loadError && (
        <div role="alert">
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{loadError.title}</MessageBarTitle>
              {loadError.message}
              {loadError.requestId ? ` (request id ${loadError.requestId})` : ''}
            </MessageBarBody>
          </MessageBar>
          <Button appearance="secondary" onClick={() => void load()}>
            Try again
          </Button>
        </div>
      )}
      {!current && !loadError && <Spinner size="tiny" label="Loading…" />}

      {current && (
        <dl className={f.facts} data-testid="app-registration-status" data-mode={current.mode}>
          <dt className={f.dt}>Convene signs in with</dt>
          <dd className={f.dd}>{own ? 'Your own app registration' : 'Convene’s multitenant app'}</dd>
          {own && (
            <>
              <dt className={f.dt}>Application (client) id</dt>
              <dd className={f.dd}>{current.clientId ?? '—'}</dd>
              <dt className={f.dt}>Credential</dt>
              <dd className={f.dd}>{credentialLabel(current.credentialType)} (stored encrypted; never shown again)</dd>
              <dt className={f.dt}>Encryption key id</dt>
              <dd className={f.dd}>{current.keyId ?? '—'}</dd>
              <dt className={f.dt}>Stored</dt>
              <dd className={f.dd}>{when(current.createdAt)}</dd>
            </>
          )}
        </dl>
      )}

      {current && !formOpen && !confirmOpen && (
        <div className={s.actions}>
          <Button appearance="secondary" ref={openButtonRef} onClick={openForm}>
            {own ? 'Replace the secret or certificate…' : 'Use your own app registration…'}
          </Button>
          {own && (
            <Button appearance="secondary" ref={removeButtonRef} onClick={() => (setRemoveError(null), setConfirmOpen(true))}>
              Go back to Convene’s app…
            </Button>
          )}
        </div>
      )}

      {formOpen && (
        <form className={s.form} onSubmit={(e) => void submit(e)} aria-label="Your own app registration" noValidate>
          <Text as="p" block>
            Register an app in your tenant (Entra admin center › App registrations), add the application permissions Calendars.ReadWrite,
            MailboxSettings.Read and User.ReadBasic.All, grant admin consent, and add a client secret or a certificate. Convene checks it
            with Microsoft Entra ID before storing it, encrypted.
          </Text>
          <Field
            label="Application (client) id"
            required
            validationMessage={fieldErrors.clientId}
            validationState={fieldErrors.clientId ? 'error' : 'none'}
          >
            <Input
              ref={clientIdRef}
              name="clientId"
              value={clientId}
              onChange={(_, d) => setClientId(d.value)}
              placeholder="00000000-0000-0000-0000-000000000000"
              autoComplete="off"
              spellCheck={false}
            />
          </Field>
          <Field label="Credential">
            <RadioGroup
              value={credentialType}
              onChange={(_, d) => {
                setCredentialType(d.value as CredentialType);
                setFieldErrors({});
              }}
              layout="horizontal"
            >
              <Radio value="secret" label="Client secret" />
              <Radio value="certificate" label="Certificate" />
            </RadioGroup>
          </Field>
          {credentialType === 'secret' ? (
            <Field
              label="Client secret (value)"
              required
              hint="The secret’s Value, not its Secret ID. Sent once; Convene never shows it again."
              validationMessage={fieldErrors.clientSecret}
              validationState={fieldErrors.clientSecret ? 'error' : 'none'}
            >
              <Input
                name="clientSecret"
                type="password"
                value={clientSecret}
                onChange={(_, d) => setClientSecret(d.value)}
                autoComplete="new-password"
                spellCheck={false}
              />
            </Field>
          ) : (
            <>
              <Field
                label="Certificate (PEM)"
                required
                hint="The public certificate you uploaded to the app registration: -----BEGIN CERTIFICATE----- …"
                validationMessage={fieldErrors.certificatePem}
                validationState={fieldErrors.certificatePem ? 'error' : 'none'}
              >
                <Textarea
                  name="certificatePem"
                  className={s.pem}
                  value={certificatePem}
                  onChange={(_, d) => setCertificatePem(d.value)}
                  rows={4}
                  resize="vertical"
                  spellCheck={false}
                />
              </Field>
              <Field
                label="Private key (PEM, unencrypted)"
                required
                hint="-----BEGIN PRIVATE KEY----- … Sent once; Convene never shows it again."
                validationMessage={fieldErrors.privateKeyPem}
                validationState={fieldErrors.privateKeyPem ? 'error' : 'none'}
              >
                <Textarea
                  name="privateKeyPem"
                  className={s.pem}
                  value={privateKeyPem}
                  onChange={(_, d) => setPrivateKeyPem(d.value)}
                  rows={4}
                  resize="vertical"
                  spellCheck={false}
                  autoComplete="off"
                />
              </Field>
            </>
          )}
          {saveError && (
            <div role="alert" data-testid="app-registration-error">
              <MessageBar intent="error" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{saveError.title}</MessageBarTitle>
                  {saveError.message}
                  {saveError.requestId ? ` (request id ${saveError.requestId})` : ''}
                  {own ? ' Convene keeps using the credential stored before.' : ''} Enter the{' '}
                  {credentialType === 'secret' ? 'client secret' : 'private key'} again to retry.
                </MessageBarBody>
              </MessageBar>
            </div>
          )}
          <div className={s.actions}>
            <Button appearance="primary" type="submit" disabled={busy}>
              Check and save
            </Button>
            <Button appearance="secondary" disabled={busy} onClick={closeForm}>
              Cancel
            </Button>
            {busy && <Spinner size="tiny" label="Checking with Microsoft Entra ID…" />}
          </div>
        </form>
      )}

      {confirmOpen && (
        // Inline, not a Fluent Dialog: the page already has one (Disconnect), and two tabster
        // modalizers leave stale aria-hidden on each other (microsoft/fluentui#35985, #35139).
        <div
          role="group"
          aria-labelledby="app-registration-remove-title"
          aria-describedby="app-registration-remove-what"
          data-testid="app-registration-confirm"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !removing) cancelRemove();
          }}
        >
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle id="app-registration-remove-title">Go back to Convene’s app?</MessageBarTitle>
              <span id="app-registration-remove-what">
                Convene deletes the stored {credentialLabel(current?.credentialType).toLowerCase()} of your app registration{' '}
                {current?.clientId ?? ''} and signs in to {orgName} with its own multitenant app again. That works only if an administrator
                has granted admin consent to Convene’s app; until then scheduling in {orgName} stops. Your app registration stays in
                Microsoft Entra ID: delete it, or its secret or certificate, there if you no longer need it.
              </span>
            </MessageBarBody>
          </MessageBar>
          {removeError && (
            <div role="alert">
              <Text as="p" block weight="semibold">
                {removeError.title}
              </Text>
              <Text as="p" block>
                {removeError.message}
                {removeError.requestId ? ` (request id ${removeError.requestId})` : ''}
              </Text>
            </div>
          )}
          <div className={s.actions}>
            <Button appearance="secondary" ref={cancelRemoveRef} disabled={removing} onClick={cancelRemove}>
              Cancel
            </Button>
            <Button appearance="primary" disabled={removing} onClick={() => void remove()}>
              {removing ? 'Going back…' : 'Go back to Convene’s app'}
            </Button>
          </div>
        </div>
      )}
    </>
  );
}
