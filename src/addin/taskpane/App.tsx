/**
 * The Outlook taskpane (issue 4): sign in, describe the interview (candidate, panel, duration,
 * dates, buffers), see the slots grouped by day in the user's zone with every panelist's and the
 * candidate's local time, book (or fill the open meeting), and manage upcoming interviews.
 *
 * Every problem is shown where it belongs and nothing typed is lost: the form stays mounted
 * through sign-in prompts, errors and retries.
 */
import {
  Button,
  Combobox,
  Divider,
  Field,
  Input,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Switch,
  Tag,
  TagGroup,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  MAX_DURATION_MINUTES,
  type AvailabilityRequestInput,
  type AvailabilityResponse,
  type BookedInterview,
  type Interview,
  type Person,
  type Slot,
} from '../../shared/api';
import { safeJoinUrl } from '../../shared/join-url';
import { ApiProblem, SignInRequired, type TaskpaneApi } from './api';
import type { TaskpaneAuth } from './auth';
import { availabilityRequest, bookingRequest, type FieldErrors, fieldOf, type FormValues, initialValues, splitAddresses } from './form';
import { type AppointmentPrefill, closeDraft, fillAppointment, type OfficeEnvironment } from './office';
import { groupByDay, ianaZones, localDate, searchZones, timeLabel, wallTime, zoneCity, dayLabel } from './time';

const useStyles = makeStyles({
  root: {
    boxSizing: 'border-box',
    width: '100%',
    maxWidth: '420px',
    minWidth: '300px',
    padding: '12px',
    display: 'flex',
    flexDirection: 'column',
    gap: '12px',
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground1,
    minHeight: '100vh',
  },
  status: { minHeight: '16px', color: tokens.colorNeutralForeground3 },
  form: { display: 'flex', flexDirection: 'column', gap: '10px' },
  row: { display: 'flex', alignItems: 'flex-start', gap: '8px', '& > *': { flex: '1 1 0', minWidth: 0 } },
  tags: { display: 'flex', flexWrap: 'wrap', gap: '4px', minHeight: '4px' },
  results: { minHeight: '48px', display: 'flex', flexDirection: 'column', gap: '8px' },
  day: { margin: '8px 0 4px', fontWeight: tokens.fontWeightSemibold },
  slot: {
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    padding: '8px',
    display: 'flex',
    flexDirection: 'column',
    gap: '4px',
  },
  slotHead: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: '8px' },
  locals: { margin: 0, padding: 0, listStyle: 'none', fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground2 },
  localRow: {
    display: 'flex',
    justifyContent: 'space-between',
    gap: '8px',
    '& > span:first-child': { overflow: 'hidden', textOverflow: 'ellipsis' },
  },
  list: { margin: 0, padding: 0, listStyle: 'none', display: 'flex', flexDirection: 'column', gap: '6px' },
  interview: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: '8px' },
});

export interface AppProps {
  env: OfficeEnvironment;
  auth: TaskpaneAuth;
  api: TaskpaneApi;
  /** The open appointment's attendees and duration (Outlook compose/read), if any. */
  prefill?: AppointmentPrefill | undefined;
  /** Epoch ms (tests pass a fixed clock). */
  now?: () => number;
  /** Type-ahead delay of the people picker, ms. */
  debounceMs?: number;
  /** Makes Idempotency-Keys (default `crypto.randomUUID`). */
  newKey?: () => string;
}

type Search =
  | { state: 'idle' }
  | { state: 'loading'; request: AvailabilityRequestInput }
  | { state: 'done'; request: AvailabilityRequestInput; result: AvailabilityResponse };

interface Booking {
  slot: Slot;
  /** One per booking attempt, reused by "Try again" so a retry can never create a second invite. */
  key: string;
  state: 'pending' | 'done' | 'error' | 'filled';
  result?: BookedInterview;
  error?: string;
}

interface Banner {
  intent: 'error' | 'warning' | 'info' | 'success';
  title: string;
  message: string;
  retry?: () => void;
}

const SLOTS_PAGE = 20;
/**
 * Shown when the server gives no reason for an empty answer (an older server): the reason itself
 * comes from the engine (`noSlotsReason`), which knows everyone's real working hours.
 */
const NO_SLOTS_FALLBACK =
  'No time in this date range suits the whole panel. Try a later or longer date range, a shorter interview or smaller buffers.';

const FIELD_OF_VALUE: Record<keyof FormValues, keyof FieldErrors> = {
  candidateName: 'candidateName',
  candidateEmail: 'candidateEmail',
  candidateZone: 'candidateZone',
  candidateStart: 'candidateHours',
  candidateEnd: 'candidateHours',
  panel: 'panel',
  durationMinutes: 'durationMinutes',
  from: 'range',
  to: 'range',
  bufferMinutes: 'bufferMinutes',
};

/** The taskpane. */
export function App(props: AppProps) {
  const { env, auth, api } = props;
  const now = props.now ?? Date.now;
  const s = useStyles();
  const [signedIn, setSignedIn] = useState<'unknown' | 'yes' | 'no'>('unknown');
  const [signInUser, setSignInUser] = useState('');
  const [signInError, setSignInError] = useState<string>();
  const [signingIn, setSigningIn] = useState(false);
  const [me, setMe] = useState<{ email: string; timeZone: string; source: string }>();
  const fallbackZone = useMemo(() => pickFallbackZone(env), [env]);
  const zone = me?.timeZone ?? fallbackZone;
  const [values, setValues] = useState<FormValues>(() => initialValues(now(), fallbackZone));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [search, setSearch] = useState<Search>({ state: 'idle' });
  const [shown, setShown] = useState(SLOTS_PAGE);
  const [booking, setBooking] = useState<Booking>();
  const [banner, setBanner] = useState<Banner>();
  const [fillMode, setFillMode] = useState(false);
  const [upcoming, setUpcoming] = useState<Interview[]>();
  const [cancelling, setCancelling] = useState<string>();
  const pending = useRef<(() => void) | undefined>(undefined);
  const formRef = useRef<HTMLFormElement>(null);
  const resultsRef = useRef<HTMLHeadingElement>(null);
  const submittedAt = useRef<number | undefined>(undefined);

  /** Sets a value and clears that field's problem (it is checked again on the next submit). */
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    setValues((v) => ({ ...v, [key]: value }));
    const field = FIELD_OF_VALUE[key];
    setErrors((old) => (old[field] ? { ...old, [field]: undefined } : old));
  };

  /** Every API failure goes through here: sign-in prompts keep the action to redo after. */
  const fail = useCallback((e: unknown, redo?: () => void): void => {
    if (e instanceof SignInRequired) {
      pending.current = redo;
      setSignedIn('no');
      setBanner({ intent: 'warning', title: 'Sign in again', message: e.message });
      return;
    }
    if (e instanceof ApiProblem) {
      if (e.status === 400 && e.details.length > 0) {
        const mapped: FieldErrors = {};
        for (const d of e.details) {
          const f = fieldOf(d.path);
          if (f && !mapped[f]) mapped[f] = d.message;
        }
        if (Object.keys(mapped).length > 0) {
          setErrors(mapped);
          return;
        }
      }
      const unreachable = e.status === 0 || e.status === 502 || e.status === 503 || e.status === 504;
      setBanner({
        intent: 'error',
        title: unreachable ? 'Convene is not answering' : errorTitle(e.code),
        message: `${e.message}${e.retryAfterSeconds ? ` (try again in ${e.retryAfterSeconds} s)` : ''}${e.requestId ? ` Request id: ${e.requestId}.` : ''}`,
        ...(redo ? { retry: redo } : {}),
      });
      return;
    }
    setBanner({
      intent: 'error',
      title: 'Something went wrong',
      message: (e as Error).message ?? String(e),
      ...(redo ? { retry: redo } : {}),
    });
  }, []);

  const loadProfile = useCallback(async () => {
    try {
      const m = await api.me();
      setMe({ email: m.email, timeZone: m.timeZone, source: 'your mailbox settings' });
    } catch (e) {
      if (e instanceof SignInRequired) return fail(e, () => void loadProfile());
      // The zone falls back to Outlook's (or the browser's); the form still works.
    }
  }, [api, fail]);

  const loadUpcoming = useCallback(async () => {
    try {
      const list = await api.interviews(new Date(now()).toISOString());
      setUpcoming(list.filter((i) => i.status === 'scheduled').sort((a, b) => a.start.localeCompare(b.start)));
    } catch (e) {
      if (e instanceof SignInRequired) fail(e, () => void loadUpcoming());
    }
  }, [api, fail, now]);

  const afterSignIn = useCallback(() => {
    setSignedIn('yes');
    setBanner(undefined);
    void loadProfile();
    void loadUpcoming();
    const redo = pending.current;
    pending.current = undefined;
    redo?.();
  }, [loadProfile, loadUpcoming]);

  // Start: silent sign-in, then the profile and upcoming interviews.
  useEffect(() => {
    let live = true;
    auth
      .silent()
      .then((t) => live && (t ? afterSignIn() : setSignedIn('no')))
      .catch(() => live && setSignedIn('no'));
    return () => {
      live = false;
    };
  }, []);

  // Outlook's open appointment: its attendees become the panel, its length the duration.
  useEffect(() => {
    const p = props.prefill;
    if (!p) return;
    setValues((v) => ({
      ...v,
      panel: v.panel.length ? v.panel : p.attendees,
      durationMinutes: p.durationMinutes ? String(p.durationMinutes) : v.durationMinutes,
      ...(p.startMs && p.startMs > now() ? { from: localDate(p.startMs, fallbackZone) } : {}),
    }));
  }, [props.prefill]);

  // Submit-to-slots time, for the e2e measurement.
  useEffect(() => {
    if (search.state === 'done' && submittedAt.current !== undefined) {
      mark('convene:slots-shown');
      (window as unknown as { conveneTimings?: Record<string, number> }).conveneTimings = {
        ...(window as unknown as { conveneTimings?: Record<string, number> }).conveneTimings,
        submitToSlotsMs: performance.now() - submittedAt.current,
      };
      submittedAt.current = undefined;
    }
  }, [search]);

  async function doSignIn() {
    setSigningIn(true);
    setSignInError(undefined);
    try {
      await auth.signIn(signInUser);
      afterSignIn();
    } catch (e) {
      setSignInError((e as Error).message);
    } finally {
      setSigningIn(false);
    }
  }

  const runSearch = useCallback(
    async (request: AvailabilityRequestInput) => {
      setSearch({ state: 'loading', request });
      setBanner(undefined);
      try {
        const result = await api.availability(request);
        setSearch({ state: 'done', request, result });
        setShown(SLOTS_PAGE);
        resultsRef.current?.focus();
      } catch (e) {
        setSearch({ state: 'idle' });
        fail(e, () => void runSearch(request));
      }
    },
    [api, fail],
  );

  function onFind(e?: React.FormEvent) {
    e?.preventDefault();
    const { errors: errs, request } = availabilityRequest(values, zone, now());
    setErrors(errs);
    if (!request) {
      focusFirstInvalid(formRef.current);
      return;
    }
    setBooking(undefined);
    submittedAt.current = performance.now();
    mark('convene:submit');
    void runSearch(request);
  }

  async function runBooking(b: Booking) {
    const { errors: errs, request } = bookingRequest(values, b.slot);
    if (!request) {
      setErrors((old) => ({ ...old, ...errs }));
      setBooking(undefined);
      focusFirstInvalid(formRef.current);
      return;
    }
    setBooking({ ...b, state: 'pending' });
    setBanner(undefined);
    if (fillMode) {
      try {
        await fillAppointment({ startMs: Date.parse(b.slot.start), endMs: Date.parse(b.slot.end) }, [
          ...values.panel.map((email) => ({ email })),
          { email: request.candidate.email, name: request.candidate.name },
        ]);
        setBooking({ ...b, state: 'filled' });
      } catch (e) {
        setBooking({ ...b, state: 'error', error: `Outlook did not accept the change: ${(e as Error).message}` });
      }
      return;
    }
    try {
      const result = await api.book(request, b.key);
      setBooking({ ...b, state: 'done', result });
      // The booked time is no longer free for this panel.
      setSearch((cur) =>
        cur.state === 'done' ? { ...cur, result: { ...cur.result, slots: cur.result.slots.filter((x) => x.start !== b.slot.start) } } : cur,
      );
      void loadUpcoming();
    } catch (e) {
      if (e instanceof ApiProblem && e.code === 'slot_taken') {
        setBooking({ ...b, state: 'error', error: `${e.message} The slots below were refreshed.` });
        if (search.state === 'done') void runSearch(search.request);
        return;
      }
      if (e instanceof SignInRequired) {
        setBooking({ ...b, state: 'error', error: 'Sign in again, then try again: the same booking is retried, never doubled.' });
        fail(e, () => void runBooking(b));
        return;
      }
      setBooking({
        ...b,
        state: 'error',
        error: e instanceof ApiProblem ? `${e.message}${e.requestId ? ` Request id: ${e.requestId}.` : ''}` : (e as Error).message,
      });
    }
  }

  function onBook(slot: Slot) {
    // A failed attempt at this same slot may have reached Graph (answer lost): booking it again is
    // that attempt's retry, with its key, so it can never become a second invite.
    const again = booking?.state === 'error' && booking.slot.start === slot.start && booking.slot.end === slot.end;
    const key = again ? booking.key : (props.newKey ?? (() => crypto.randomUUID()))();
    void runBooking({ slot, key, state: 'pending' });
  }

  async function onCancel(i: Interview) {
    setCancelling(i.id);
    try {
      await api.cancel(i.id);
      setUpcoming((list) => list?.filter((x) => x.id !== i.id));
      setBanner({ intent: 'success', title: 'Interview cancelled', message: `${i.subject}: the panel and the candidate were notified.` });
    } catch (e) {
      fail(e, () => void onCancel(i));
    } finally {
      setCancelling(undefined);
    }
  }

  const result = search.state === 'done' ? search.result : undefined;
  const groups = useMemo(() => (result ? groupByDay(result.slots.slice(0, shown), zone) : []), [result, shown, zone]);
  const unreadable = result?.attendees.filter((a) => a.status !== 'ok') ?? [];

  return (
    <main className={s.root} aria-label="Convene">
      <header>
        <Text as="h1" size={500} weight="semibold" block>
          Convene
        </Text>
        <Text className={s.status} size={200} block data-testid="where">
          {env.description}
          {signedIn === 'yes'
            ? ` · times in ${zoneCity(zone)} (${me ? me.source : env.userProfileTimeZone ? 'Outlook' : 'this browser'})`
            : ''}
        </Text>
      </header>

      {signedIn === 'no' && (
        <section aria-label="Sign in">
          <form
            className={s.form}
            onSubmit={(e) => {
              e.preventDefault();
              void doSignIn();
            }}
          >
            {auth.asksForUser ? (
              <Field
                label="Simulated user (local simulator)"
                hint="The local Microsoft 365 simulator signs you in as this user."
                validationMessage={signInError}
              >
                <Input
                  value={signInUser}
                  onChange={(_, d) => setSignInUser(d.value)}
                  placeholder="bob@contoso.example"
                  autoComplete="username"
                />
              </Field>
            ) : (
              signInError && (
                <MessageBar intent="error">
                  <MessageBarBody>{signInError}</MessageBarBody>
                </MessageBar>
              )
            )}
            <Button appearance="primary" type="submit" disabled={signingIn}>
              {signingIn ? 'Signing in…' : auth.asksForUser ? 'Sign in' : 'Sign in with Microsoft'}
            </Button>
          </form>
        </section>
      )}

      {banner && (
        <MessageBar intent={banner.intent} role={banner.intent === 'error' ? 'alert' : 'status'}>
          <MessageBarBody>
            <MessageBarTitle>{banner.title}</MessageBarTitle> {banner.message}
          </MessageBarBody>
          {banner.retry && signedIn === 'yes' && (
            <MessageBarActions>
              <Button onClick={() => banner.retry?.()}>Try again</Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}

      <form ref={formRef} className={s.form} onSubmit={onFind} noValidate aria-label="Interview">
        <Field label="Candidate name" validationMessage={errors.candidateName}>
          <Input value={values.candidateName} onChange={(_, d) => set('candidateName', d.value)} autoComplete="off" />
        </Field>
        <Field label="Candidate email" validationMessage={errors.candidateEmail}>
          <Input type="email" value={values.candidateEmail} onChange={(_, d) => set('candidateEmail', d.value)} autoComplete="off" />
        </Field>
        <ZonePicker value={values.candidateZone} onChange={(z) => set('candidateZone', z)} error={errors.candidateZone} />
        {values.candidateZone.trim() !== '' && (
          <Field label="Candidate's hours (their time)" validationMessage={errors.candidateHours}>
            <div className={s.row}>
              <Input
                type="time"
                aria-label="Candidate's hours from"
                value={values.candidateStart}
                onChange={(_, d) => set('candidateStart', d.value)}
              />
              <Input
                type="time"
                aria-label="Candidate's hours to"
                value={values.candidateEnd}
                onChange={(_, d) => set('candidateEnd', d.value)}
              />
            </div>
          </Field>
        )}
        <PeoplePicker
          api={api}
          panel={values.panel}
          onChange={(p) => set('panel', p)}
          error={errors.panel}
          debounceMs={props.debounceMs ?? 250}
          enabled={signedIn === 'yes'}
        />
        <div className={s.row}>
          <Field label="Duration (minutes)" validationMessage={errors.durationMinutes}>
            <Input
              type="number"
              inputMode="numeric"
              min={5}
              max={MAX_DURATION_MINUTES}
              step={5}
              value={values.durationMinutes}
              onChange={(_, d) => set('durationMinutes', d.value)}
            />
          </Field>
          <Field label="Buffer (minutes)" validationMessage={errors.bufferMinutes} hint="Free time around it">
            <Input
              type="number"
              inputMode="numeric"
              min={0}
              max={240}
              step={5}
              value={values.bufferMinutes}
              onChange={(_, d) => set('bufferMinutes', d.value)}
            />
          </Field>
        </div>
        <Field label={`Dates (${zoneCity(zone)})`} validationMessage={errors.range}>
          <div className={s.row}>
            <Input type="date" aria-label="From date" value={values.from} onChange={(_, d) => set('from', d.value)} />
            <Input type="date" aria-label="To date" value={values.to} onChange={(_, d) => set('to', d.value)} />
          </div>
        </Field>
        {env.appointmentCompose && (
          <Switch
            checked={fillMode}
            onChange={(_, d) => setFillMode(d.checked)}
            label="Fill this meeting (set its time and attendees) instead of sending an invite"
          />
        )}
        <Button appearance="primary" type="submit" disabled={signedIn !== 'yes' || search.state === 'loading'}>
          {search.state === 'loading' ? 'Finding times…' : 'Find times'}
        </Button>
      </form>

      <Divider />

      <section className={s.results} aria-label="Times" aria-busy={search.state === 'loading'}>
        <Text as="h2" size={400} weight="semibold" ref={resultsRef} tabIndex={-1}>
          Times
        </Text>
        {search.state === 'idle' && !result && <Text size={200}>Fill in the panel and dates, then Find times.</Text>}
        {search.state === 'loading' && <Spinner size="tiny" label="Reading the panel’s free/busy…" />}
        {booking && <BookingStatus booking={booking} env={env} zone={zone} onRetry={() => void runBooking(booking)} />}
        {unreadable.map((a) => (
          <MessageBar key={a.email} intent="warning" data-testid="unreadable">
            <MessageBarBody>
              <MessageBarTitle>{a.email}: calendar not checked</MessageBarTitle> {(a.reason ?? a.status).replace(/\.+$/, '')}. This person
              may be busy at the times below.
            </MessageBarBody>
          </MessageBar>
        ))}
        {result && result.slots.length === 0 && (
          <MessageBar intent="info" data-testid="no-slots">
            <MessageBarBody>
              <MessageBarTitle>No times found</MessageBarTitle> {result.noSlotsReason?.message ?? NO_SLOTS_FALLBACK}
            </MessageBarBody>
          </MessageBar>
        )}
        {groups.map((g) => (
          <section key={g.day} aria-label={g.label}>
            <Text as="h3" size={300} className={s.day} block>
              {g.label}
            </Text>
            <ul className={s.list}>
              {g.slots.map((slot) => (
                <li key={slot.start} className={s.slot} data-testid="slot">
                  <div className={s.slotHead}>
                    <Text weight="semibold">
                      {timeLabel(Date.parse(slot.start), zone)}–{timeLabel(Date.parse(slot.end), zone)}
                    </Text>
                    <Button
                      size="small"
                      appearance="primary"
                      disabled={booking?.state === 'pending'}
                      onClick={() => onBook(slot)}
                      aria-label={`${fillMode ? 'Use' : 'Book'} ${g.label} ${timeLabel(Date.parse(slot.start), zone)}`}
                    >
                      {fillMode ? 'Use' : 'Book'}
                    </Button>
                  </div>
                  <ul className={s.locals} aria-label="Local times">
                    {Object.entries(slot.local)
                      .filter(([who]) => who !== 'candidate')
                      .map(([who, iso]) => (
                        <li key={who} className={s.localRow}>
                          <span>{who.split('@')[0]}</span>
                          <span>
                            {wallTime(iso, localDate(Date.parse(slot.start), zone))} {attendeeCity(result, who)}
                          </span>
                        </li>
                      ))}
                    {slot.local.candidate && (
                      <li className={s.localRow}>
                        <span>Candidate</span>
                        <span>
                          {wallTime(slot.local.candidate, localDate(Date.parse(slot.start), zone))} {zoneCity(values.candidateZone)}
                        </span>
                      </li>
                    )}
                  </ul>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {result && result.slots.length > shown && (
          <Button onClick={() => setShown((n) => n + SLOTS_PAGE)}>Show more times ({result.slots.length - shown} more)</Button>
        )}
      </section>

      {signedIn === 'yes' && (
        <section aria-label="My upcoming interviews">
          <Divider />
          <Text as="h2" size={400} weight="semibold" block>
            My upcoming interviews
          </Text>
          {upcoming === undefined ? (
            <Spinner size="tiny" label="Loading…" />
          ) : upcoming.length === 0 ? (
            <Text size={200}>None booked through Convene.</Text>
          ) : (
            <ul className={s.list}>
              {upcoming.map((i) => (
                <li key={i.id} className={s.interview} data-testid="upcoming">
                  <div>
                    <Text block weight="semibold" size={200}>
                      {i.subject}
                    </Text>
                    <Text block size={200}>
                      {dayLabel(Date.parse(i.start), zone)} {timeLabel(Date.parse(i.start), zone)}–{timeLabel(Date.parse(i.end), zone)}
                    </Text>
                  </div>
                  <Button size="small" disabled={cancelling === i.id} onClick={() => void onCancel(i)} aria-label={`Cancel ${i.subject}`}>
                    {cancelling === i.id ? 'Cancelling…' : 'Cancel'}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </main>
  );
}

function BookingStatus(props: { booking: Booking; env: OfficeEnvironment; zone: string; onRetry: () => void }) {
  const { booking, env, zone } = props;
  const when = `${dayLabel(Date.parse(booking.slot.start), zone)} ${timeLabel(Date.parse(booking.slot.start), zone)}`;
  if (booking.state === 'pending') return <Spinner size="tiny" label={`Booking ${when}…`} />;
  if (booking.state === 'filled')
    return (
      <MessageBar intent="success" role="status">
        <MessageBarBody>
          <MessageBarTitle>Meeting filled in</MessageBarTitle> {when} and the attendees are set on this meeting. Review it and send it from
          Outlook.
        </MessageBarBody>
      </MessageBar>
    );
  if (booking.state === 'error')
    return (
      <MessageBar intent="error" role="alert" data-testid="booking-error">
        <MessageBarBody>
          <MessageBarTitle>Not booked</MessageBarTitle> {booking.error}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={props.onRetry}>Try again</Button>
        </MessageBarActions>
      </MessageBar>
    );
  const r = booking.result;
  // Only an https Teams link (or the local simulator's) becomes a link: see shared/join-url.ts.
  const joinUrl = safeJoinUrl(r?.joinUrl);
  return (
    <MessageBar intent="success" role="status" data-testid="booked">
      <MessageBarBody>
        <MessageBarTitle>Invite sent</MessageBarTitle> {r?.subject}, {when}. You are the organizer.{' '}
        {joinUrl && (
          <Link href={joinUrl} target="_blank" rel="noopener noreferrer">
            Teams meeting link
          </Link>
        )}
        {r?.warnings?.length ? ` Not checked: ${r.warnings.map((w) => w.email).join(', ')}.` : ''}
      </MessageBarBody>
      {env.appointmentCompose && (
        <MessageBarActions>
          <Button onClick={() => closeDraft()}>Close this draft</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

function ZonePicker(props: { value: string; onChange: (zone: string) => void; error: string | undefined }) {
  const zones = useMemo(() => ianaZones(), []);
  const options = useMemo(() => searchZones(props.value, zones, 30), [props.value, zones]);
  return (
    <Field label="Candidate time zone (optional)" validationMessage={props.error} hint="Type a city, e.g. Tokyo">
      <Combobox
        freeform
        value={props.value}
        selectedOptions={zones.includes(props.value) ? [props.value] : []}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).value)}
        onOptionSelect={(_, d) => d.optionValue && props.onChange(d.optionValue)}
        placeholder="Search time zones"
      >
        {options.map((z) => (
          <Option key={z} value={z}>
            {z}
          </Option>
        ))}
      </Combobox>
    </Field>
  );
}

function PeoplePicker(props: {
  api: TaskpaneApi;
  panel: string[];
  onChange: (panel: string[]) => void;
  error: string | undefined;
  debounceMs: number;
  enabled: boolean;
}) {
  const s = useStyles();
  const [query, setQuery] = useState('');
  const [people, setPeople] = useState<Person[]>([]);
  const { api, debounceMs, enabled } = props;
  useEffect(() => {
    const q = query.trim();
    if (!enabled || q.length < 2 || q.includes(',') || q.includes(';')) {
      setPeople([]);
      return;
    }
    const abort = new AbortController();
    const timer = setTimeout(() => {
      api
        .people(q, abort.signal)
        .then((found) => setPeople(found))
        .catch(() => setPeople([]));
    }, debounceMs);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [query, api, debounceMs, enabled]);

  const add = (emails: string[]) => {
    const have = new Set(props.panel.map((p) => p.toLowerCase()));
    const next = [...props.panel];
    for (const e of emails)
      if (!have.has(e.toLowerCase())) {
        have.add(e.toLowerCase());
        next.push(e);
      }
    props.onChange(next);
    setQuery('');
    setPeople([]);
  };

  return (
    <Field label="Panel" validationMessage={props.error} hint="Type a name or an email address, then pick or press Enter">
      <div>
        <TagGroup className={s.tags} aria-label="Panelists" onDismiss={(_, d) => props.onChange(props.panel.filter((p) => p !== d.value))}>
          {props.panel.map((p) => (
            // The whole tag is the dismiss button (click, Delete or Backspace): name it for what it does.
            <Tag key={p} value={p} dismissible dismissIcon={{ 'aria-hidden': true }} aria-label={`Remove ${p}`} size="small">
              {p}
            </Tag>
          ))}
        </TagGroup>
        <Combobox
          freeform
          aria-label="Add a panelist"
          value={query}
          selectedOptions={[]}
          onChange={(e) => setQuery((e.target as HTMLInputElement).value)}
          onOptionSelect={(_, d) => d.optionValue && add([d.optionValue])}
          onKeyDown={(e) => {
            if ((e.key === 'Enter' || e.key === ',' || e.key === ';') && people.length === 0 && query.trim()) {
              e.preventDefault();
              const emails = splitAddresses(query);
              add(emails.length ? emails : [query.trim()]);
            }
          }}
          onBlur={() => {
            const emails = splitAddresses(query);
            if (emails.length) add(emails);
          }}
          placeholder="Name or email"
        >
          {people.map((p) => (
            <Option key={p.email} value={p.email} text={p.email}>
              {`${p.displayName} <${p.email}>`}
            </Option>
          ))}
        </Combobox>
      </div>
    </Field>
  );
}

function attendeeCity(result: AvailabilityResponse | undefined, email: string): string {
  const z = result?.attendees.find((a) => a.email.toLowerCase() === email.toLowerCase())?.timeZone;
  return z ? zoneCity(z) : '';
}

function errorTitle(code: string): string {
  switch (code) {
    case 'tenant_not_consented':
      return 'Your organization has not connected Convene';
    case 'forbidden':
      return 'Not allowed';
    case 'unprocessable':
      return 'Cannot schedule this';
    case 'too_many_requests':
      return 'Too many requests';
    default:
      return 'Something went wrong';
  }
}

/** The zone until the mailbox answers: Outlook's userProfile zone if it is IANA, else the browser's. */
function pickFallbackZone(env: OfficeEnvironment): string {
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const z = env.userProfileTimeZone;
  if (!z) return browser;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: z });
    return z;
  } catch {
    return browser;
  }
}

/** A User Timing mark where the runtime has them (jsdom has none). */
function mark(name: string): void {
  if (typeof performance.mark === 'function') performance.mark(name);
}

function focusFirstInvalid(form: HTMLFormElement | null): void {
  // Fluent marks invalid fields' controls with aria-invalid after the re-render.
  setTimeout(() => (form?.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus(), 0);
}
