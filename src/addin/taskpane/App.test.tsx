/** @jest-environment jsdom */
/**
 * Component tests of the taskpane with office.js mocked (office-addin-mock) and a fake of the
 * API port (TaskpaneApi): prefill from the open appointment, bad input inline with nothing lost,
 * an expired token (silent renewal, then a sign-in prompt that redoes the search), booking with
 * one Idempotency-Key reused on retry, slot_taken refreshing the slots, "fill this meeting".
 */
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { OfficeMockObject } from 'office-addin-mock';
import type {
  AvailabilityRequestInput,
  AvailabilityResponse,
  BookedInterview,
  CreateInterviewRequestInput,
  Interview,
} from '../../shared/api';
import { ApiProblem, SignInRequired, type TaskpaneApi } from './api';
import { App } from './App';
import type { TaskpaneAuth } from './auth';
import { detectOffice, type OfficeEnvironment, readAppointment } from './office';

const NOW = Date.parse('2026-11-23T15:00:00Z'); // Monday
const BROWSER: OfficeEnvironment = {
  kind: 'browser',
  description: 'Local preview',
  nestedAppAuth: false,
  mailbox15: false,
  appointmentCompose: false,
  appointmentRead: false,
  userProfileTimeZone: 'America/Chicago',
  userEmail: undefined,
  theme: 'light',
};

const SLOT = {
  start: '2026-11-24T15:00:00.000Z',
  end: '2026-11-24T16:00:00.000Z',
  local: {
    'ana@x.example': '2026-11-24T10:00:00-05:00',
    'ben@x.example': '2026-11-24T15:00:00+00:00',
    candidate: '2026-11-25T00:00:00+09:00',
  },
};
const RESULT: AvailabilityResponse = {
  organizer: { email: 'olga@x.example', timeZone: 'America/Chicago' },
  attendees: [
    { email: 'ana@x.example', timeZone: 'America/New_York', status: 'ok' },
    { email: 'ben@x.example', timeZone: 'Europe/London', status: 'ok' },
    { email: 'dana@x.example', status: 'blocked', reason: 'Blocked by the tenant’s application access policy' },
  ],
  complete: false,
  slots: [SLOT],
  truncated: false,
};
const BOOKED = {
  id: '6a1c3a52-1f7e-4f57-9c2e-0f6f7d4b2a10',
  status: 'scheduled',
  organizer: { oid: 'o', email: 'olga@x.example' },
  candidate: { name: 'Jane Doe', email: 'jane@c.example' },
  panel: ['ana@x.example'],
  subject: 'Interview: Jane Doe',
  start: SLOT.start,
  end: SLOT.end,
  timeZone: 'America/Chicago',
  joinUrl: 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_1%40thread.v2/0',
  channel: 'addin',
  createdAt: SLOT.start,
  updatedAt: SLOT.start,
} satisfies BookedInterview;

/** A fake of the API port that records calls; each method can be replaced per test. */
function fakeApi(overrides: Partial<TaskpaneApi> = {}) {
  const calls = { availability: [] as AvailabilityRequestInput[], book: [] as Array<{ body: CreateInterviewRequestInput; key: string }> };
  const api: TaskpaneApi = {
    me: async () => ({ email: 'olga@x.example', displayName: 'Olga', timeZone: 'America/Chicago' }),
    people: async (q) => (q.toLowerCase().startsWith('an') ? [{ email: 'ana@x.example', displayName: 'Ana Example' }] : []),
    availability: async (body) => {
      calls.availability.push(body);
      return RESULT;
    },
    book: async (body, key) => {
      calls.book.push({ body, key });
      return BOOKED;
    },
    interviews: async () => [] as Interview[],
    cancel: async () => ({ ...BOOKED, status: 'cancelled' }),
    ...overrides,
  };
  return { api, calls };
}

function fakeAuth(token: string | null = 't1'): TaskpaneAuth & { signIns: number } {
  const auth = {
    mode: 'dev' as const,
    asksForUser: true,
    signIns: 0,
    current: token,
    silent: async () => auth.current,
    signIn: async () => {
      auth.signIns += 1;
      auth.current = 'fresh';
      return 'fresh';
    },
    getToken: async () => auth.current,
    invalidate: () => {
      auth.current = null;
    },
  };
  return auth;
}

function renderApp(props: Partial<Parameters<typeof App>[0]> & { api: TaskpaneApi }) {
  const user = userEvent.setup({ delay: null });
  render(
    <FluentProvider theme={webLightTheme}>
      <App env={BROWSER} auth={fakeAuth()} now={() => NOW} debounceMs={0} {...props} />
    </FluentProvider>,
  );
  return user;
}

async function addPanel(user: ReturnType<typeof userEvent.setup>, ...emails: string[]) {
  for (const e of emails) await user.type(screen.getByRole('combobox', { name: 'Add a panelist' }), `${e}{Enter}`);
}

afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

describe('taskpane', () => {
  it('shows bad input on its fields and keeps everything typed', async () => {
    const { api, calls } = fakeApi();
    const user = renderApp({ api });
    await screen.findByText('My upcoming interviews');
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await user.type(screen.getByRole('combobox', { name: /Candidate time zone/ }), 'Mars/Olympus');
    await addPanel(user, 'not-an-email');
    await user.clear(screen.getByLabelText('From date'));
    await user.type(screen.getByLabelText('From date'), '2026-11-01');
    await user.clear(screen.getByLabelText('To date'));
    await user.type(screen.getByLabelText('To date'), '2026-11-02');
    await user.clear(screen.getByLabelText('Duration (minutes)'));
    await user.type(screen.getByLabelText('Duration (minutes)'), '600');
    await user.click(screen.getByRole('button', { name: 'Find times' }));

    expect(await screen.findByText('Not an email address: not-an-email.')).toBeTruthy();
    expect(screen.getByText(/"Mars\/Olympus" is not a time zone/)).toBeTruthy();
    expect(screen.getByText('This date range is in the past. Pick dates from today on.')).toBeTruthy();
    expect(screen.getByText('An interview lasts at most 480 minutes.')).toBeTruthy();
    expect(calls.availability).toHaveLength(0);
    expect((screen.getByLabelText('Candidate name') as HTMLInputElement).value).toBe('Jane Doe');

    // An empty panel is named too.
    await user.click(screen.getByRole('button', { name: 'Remove not-an-email' }));
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    expect(await screen.findByText('Add at least one panelist.')).toBeTruthy();
  });

  it('finds slots grouped by day with every local time and reports unreadable calendars with the reason', async () => {
    const { api, calls } = fakeApi();
    const user = renderApp({ api });
    await screen.findByText(/times in Chicago \(your mailbox settings\)/);
    const picker = screen.getByRole('combobox', { name: 'Add a panelist' });
    await user.type(picker, 'an');
    await user.click(await screen.findByRole('option', { name: /Ana Example/ }));
    await addPanel(user, 'ben@x.example', 'dana@x.example');
    await user.type(screen.getByRole('combobox', { name: /Candidate time zone/ }), 'tokyo');
    await user.click(await screen.findByRole('option', { name: 'Asia/Tokyo' }));
    await user.click(screen.getByRole('button', { name: 'Find times' }));

    const slot = await screen.findByTestId('slot');
    expect(calls.availability[0]).toMatchObject({
      panel: ['ana@x.example', 'ben@x.example', 'dana@x.example'],
      durationMinutes: 60,
      // Dates are read in the mailbox zone (Chicago, UTC-6 in November).
      window: { start: '2026-11-23T06:00:00.000Z', end: '2026-11-30T06:00:00.000Z' },
      candidate: { timeZone: 'Asia/Tokyo', acceptableHours: { start: '08:00', end: '18:00' } },
    });
    expect(screen.getByRole('region', { name: /^Tue,? 24 Nov$/ })).toBeTruthy();
    expect(slot.textContent).toContain('09:00–10:00'); // Chicago
    expect(slot.textContent).toContain('10:00 New York');
    expect(slot.textContent).toContain('15:00 London');
    expect(slot.textContent).toContain('00:00 (Wed) Tokyo');
    expect(screen.getByTestId('unreadable').textContent).toContain('dana@x.example: calendar not checked');
    expect(screen.getByTestId('unreadable').textContent).toContain('application access policy');
  });

  it('says when Convene cannot be reached, keeps the form, and finds the times on retry', async () => {
    let down = true;
    const { api, calls } = fakeApi();
    const reachable = api.availability;
    api.availability = async (body) => {
      if (down) {
        calls.availability.push(body);
        throw new ApiProblem(
          0,
          'network_error',
          'Convene could not be reached. Check your connection and try again; your entries are kept.',
          undefined,
          [],
        );
      }
      return reachable(body);
    };
    const user = renderApp({ api });
    await screen.findByText(/times in Chicago \(your mailbox settings\)/);
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await addPanel(user, 'ben@x.example');
    await user.click(screen.getByRole('button', { name: 'Find times' }));

    await screen.findByText('Convene is not answering');
    expect(screen.getByText(/your entries are kept/)).toBeTruthy();
    expect((screen.getByLabelText('Candidate name') as HTMLInputElement).value).toBe('Jane Doe');
    expect(screen.queryByTestId('slot')).toBeNull();

    down = false;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('slot');
    expect(calls.availability).toHaveLength(2);
    expect(calls.availability[1]).toEqual(calls.availability[0]);
  });

  it("shows the server's reason when there are no slots, and a generic text when it gives none", async () => {
    const reason = {
      code: 'no_working_hours_overlap' as const,
      message:
        "ana@x.example's working hours (Mon–Fri 09:00–17:00 America/New_York) do not overlap the candidate's acceptable hours (08:00–18:00 Asia/Tokyo) by 60 minutes on any day of this date range.",
      attendees: ['ana@x.example', 'candidate'],
    };
    let answer: AvailabilityResponse = {
      ...RESULT,
      attendees: RESULT.attendees.slice(0, 1),
      complete: true,
      slots: [],
      noSlotsReason: reason,
    };
    const { api } = fakeApi({ availability: async () => answer });
    const user = renderApp({ api });
    await screen.findByText('My upcoming interviews');
    await addPanel(user, 'ana@x.example');
    await user.click(screen.getByRole('button', { name: 'Find times' }));

    const none = await screen.findByTestId('no-slots');
    expect(none.textContent).toBe(`No times found ${reason.message}`);
    expect(screen.queryByTestId('slot')).toBeNull();

    answer = { ...answer, noSlotsReason: undefined };
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    await waitFor(() => expect(screen.getByTestId('no-slots').textContent).toMatch(/No time in this date range suits the whole panel/));
  });

  it('renews an expired token silently, else prompts and redoes the search with the form intact', async () => {
    let first = true;
    const { api, calls } = fakeApi({
      availability: async (body) => {
        calls.availability.push(body);
        if (first) {
          first = false;
          throw new SignInRequired();
        }
        return RESULT;
      },
    });
    const auth = fakeAuth();
    const user = renderApp({ api, auth });
    await screen.findByText('My upcoming interviews');
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await addPanel(user, 'ana@x.example');
    await user.click(screen.getByRole('button', { name: 'Find times' }));

    expect(await screen.findByText(/Your sign-in expired/)).toBeTruthy();
    expect((screen.getByLabelText('Candidate name') as HTMLInputElement).value).toBe('Jane Doe');
    await user.type(screen.getByLabelText('Simulated user (local simulator)'), 'olga@x.example');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await screen.findByTestId('slot');
    expect(auth.signIns).toBe(1);
    expect(calls.availability).toHaveLength(2);
    expect((screen.getByLabelText('Candidate name') as HTMLInputElement).value).toBe('Jane Doe');
  });

  it('books with one Idempotency-Key per attempt, reused on retry; slot_taken refreshes the slots', async () => {
    let bookCalls = 0;
    const { api, calls } = fakeApi({
      book: async (body, key) => {
        calls.book.push({ body, key });
        bookCalls += 1;
        if (bookCalls === 1) throw new ApiProblem(0, 'network_error', 'Convene could not be reached.', undefined, []);
        if (bookCalls === 3) throw new ApiProblem(409, 'slot_taken', 'The panel is no longer free at that time.', 'r1', []);
        return BOOKED;
      },
    });
    let n = 0;
    const user = renderApp({ api, newKey: () => `key-${++n}` });
    await screen.findByText('My upcoming interviews');
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await user.type(screen.getByLabelText('Candidate email'), 'jane@c.example');
    await addPanel(user, 'ana@x.example');
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    await user.click(within(await screen.findByTestId('slot')).getByRole('button', { name: /^Book / }));
    const failed = await screen.findByTestId('booking-error');
    await user.click(within(failed).getByRole('button', { name: 'Try again' }));
    const booked = await screen.findByTestId('booked');
    expect(within(booked).getByRole('link', { name: 'Teams meeting link' }).getAttribute('href')).toBe(BOOKED.joinUrl);
    expect(calls.book.map((c) => c.key)).toEqual(['key-1', 'key-1']);
    expect(calls.book[0]?.body).toMatchObject({
      candidate: { name: 'Jane Doe', email: 'jane@c.example' },
      panel: ['ana@x.example'],
      start: SLOT.start,
    });

    // The booked time leaves the list. A new attempt gets a new key; slot_taken says so and searches again.
    expect(screen.queryByTestId('slot')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    await user.click(within(await screen.findByTestId('slot')).getByRole('button', { name: /^Book / }));
    expect(await screen.findByText(/no longer free at that time\. The slots below were refreshed\./)).toBeTruthy();
    expect(calls.book[2]?.key).toBe('key-2');
    await waitFor(() => expect(calls.availability).toHaveLength(3));
  });
});

describe('taskpane booking safety (review)', () => {
  async function bookFirstSlot(user: ReturnType<typeof userEvent.setup>) {
    await screen.findByText('My upcoming interviews');
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await user.type(screen.getByLabelText('Candidate email'), 'jane@c.example');
    await addPanel(user, 'ana@x.example');
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    await user.click(within(await screen.findByTestId('slot')).getByRole('button', { name: /^Book / }));
  }

  it("booking the same slot again after a failed attempt (not only 'Try again') reuses that attempt's Idempotency-Key", async () => {
    let bookCalls = 0;
    const { api, calls } = fakeApi({
      book: async (body, key) => {
        calls.book.push({ body, key });
        bookCalls += 1;
        // The first answer is lost: the invite may exist, so the next click must be the same booking.
        if (bookCalls === 1) throw new ApiProblem(0, 'network_error', 'Convene could not be reached.', undefined, []);
        return BOOKED;
      },
    });
    let n = 0;
    const user = renderApp({ api, newKey: () => `key-${++n}` });
    await bookFirstSlot(user);
    await screen.findByTestId('booking-error');
    await user.click(within(screen.getByTestId('slot')).getByRole('button', { name: /^Book / }));
    await screen.findByTestId('booked');
    expect(calls.book.map((c) => c.key)).toEqual(['key-1', 'key-1']);
  });

  it.each([
    ['javascript:alert(document.domain)'],
    ['http://teams.microsoft.com/l/meetup-join/x'],
    ['https://teams.microsoft.com.evil.example/l/meetup-join/x'],
    ['https://evil.example/l/meetup-join/x'],
  ])('a joinUrl that is not an https Teams link (%s) is not rendered as a link', async (joinUrl) => {
    const { api } = fakeApi({ book: async () => ({ ...BOOKED, joinUrl }) });
    const user = renderApp({ api });
    await bookFirstSlot(user);
    const booked = await screen.findByTestId('booked');
    expect(within(booked).queryByRole('link')).toBeNull();
    expect(booked.innerHTML).not.toContain(joinUrl);
  });
});

describe('taskpane in Outlook (office.js mocked)', () => {
  function mockOutlook() {
    const written: Record<string, unknown> = {};
    const field = (name: string, value: unknown) => ({
      getAsync: (cb: (r: unknown) => void) => cb({ status: 'succeeded', value }),
      setAsync: (v: unknown, cb: (r: unknown) => void) => {
        written[name] = v;
        cb({ status: 'succeeded' });
      },
    });
    const office = new OfficeMockObject({
      host: 'outlook',
      HostType: { Outlook: 'Outlook' },
      AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
      MailboxEnums: { ItemType: { Appointment: 'appointment', Message: 'message' } },
      EventType: {},
      onReady: async () => ({ host: 'Outlook', platform: 'OfficeOnline' }),
      context: {
        requirements: { isSetSupported: (name: string) => name === 'Mailbox' },
        officeTheme: { bodyBackgroundColor: '#1f1f1f' },
        mailbox: {
          userProfile: { timeZone: 'America/Chicago', emailAddress: 'olga@x.example' },
          item: {
            itemType: 'appointment',
            requiredAttendees: field('requiredAttendees', [
              { emailAddress: 'olga@x.example', displayName: 'Olga' },
              { emailAddress: 'ana@x.example', displayName: 'Ana' },
            ]),
            optionalAttendees: field('optionalAttendees', [{ emailAddress: 'ben@x.example', displayName: 'Ben' }]),
            start: field('start', new Date('2026-11-25T15:00:00Z')),
            end: field('end', new Date('2026-11-25T15:45:00Z')),
          },
        },
      },
    });
    (globalThis as { Office?: unknown }).Office = office;
    return written;
  }

  it('detects appointment compose, prefills the panel and duration, and fills the meeting instead of booking', async () => {
    const written = mockOutlook();
    const env = await detectOffice(500);
    expect(env).toMatchObject({ kind: 'outlook', appointmentCompose: true, mailbox15: true, nestedAppAuth: false, theme: 'dark' });
    const prefill = await readAppointment(env);
    expect(prefill).toEqual({
      attendees: ['ana@x.example', 'ben@x.example'],
      durationMinutes: 45,
      startMs: Date.parse('2026-11-25T15:00:00Z'),
    });

    const { api, calls } = fakeApi();
    const user = renderApp({ api, env, prefill });
    await screen.findByText('My upcoming interviews');
    expect(screen.getByRole('button', { name: 'Remove ana@x.example' })).toBeTruthy();
    expect((screen.getByLabelText('Duration (minutes)') as HTMLInputElement).value).toBe('45');
    await user.type(screen.getByLabelText('Candidate name'), 'Jane Doe');
    await user.type(screen.getByLabelText('Candidate email'), 'jane@c.example');
    await user.click(screen.getByRole('switch', { name: /Fill this meeting/ }));
    await user.click(screen.getByRole('button', { name: 'Find times' }));
    await user.click(within(await screen.findByTestId('slot')).getByRole('button', { name: /^Use / }));
    expect(await screen.findByText('Meeting filled in')).toBeTruthy();
    expect(calls.book).toHaveLength(0);
    expect((written.start as Date).toISOString()).toBe(SLOT.start);
    expect((written.end as Date).toISOString()).toBe(SLOT.end);
    expect(written.requiredAttendees).toEqual([
      { emailAddress: 'ana@x.example', displayName: 'ana@x.example' },
      { emailAddress: 'ben@x.example', displayName: 'ben@x.example' },
      { emailAddress: 'jane@c.example', displayName: 'Jane Doe' },
    ]);
  });

  it('starts and says so when office.js is absent', async () => {
    const env = await detectOffice(50);
    expect(env.kind).toBe('browser');
    expect(env.description).toMatch(/office\.js is not loaded/);
    await act(async () => undefined);
  });
});
