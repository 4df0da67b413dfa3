import type { Interview } from '../../shared/api';
import { bookedCard, proposalsCard, type ProposalsView } from './cards';

const view: ProposalsView = {
  cardId: 'card-1',
  request: {
    candidate: { name: 'Jane Doe', email: 'jane@candidates.example' },
    panel: ['carol@contoso.example', 'lukas@contoso.example'],
    durationMinutes: 60,
  },
  zone: 'America/Los_Angeles',
  organizerEmail: 'bob@contoso.example',
  slots: [],
  attendees: [],
  names: {},
};

const texts = (card: unknown): string => JSON.stringify(card);

describe('proposals card without slots', () => {
  it("says why, in the API's words, when the search knows", () => {
    const card = proposalsCard({
      ...view,
      noSlotsReason: "carol@contoso.example's working hours do not overlap lukas@contoso.example's.",
    });
    expect(texts(card)).toContain("No time works for the whole panel: carol@contoso.example's working hours do not overlap");
  });

  it('falls back to a hint when no reason is given', () => {
    expect(texts(proposalsCard(view))).toContain('Try a longer window or another day.');
  });
});

describe('booked card (review)', () => {
  const interview = {
    id: '6a1c3a52-1f7e-4f57-9c2e-0f6f7d4b2a10',
    status: 'scheduled',
    organizer: { oid: 'o', email: 'bob@contoso.example' },
    candidate: { name: 'Jane Doe', email: 'jane@candidates.example' },
    panel: ['carol@contoso.example'],
    subject: 'Interview: Jane Doe',
    start: '2026-11-24T17:00:00.000Z',
    end: '2026-11-24T18:00:00.000Z',
    timeZone: 'America/Los_Angeles',
    channel: 'bot',
    createdAt: '2026-11-20T17:00:00.000Z',
    updatedAt: '2026-11-20T17:00:00.000Z',
  } satisfies Interview;
  const openUrls = (card: unknown): string[] =>
    (JSON.stringify(card).match(/"type":"Action\.OpenUrl"[^}]*"url":"([^"]*)"/g) ?? []).map((m) => m.replace(/.*"url":"/, '').slice(0, -1));

  it('offers an https Teams join link as a button', () => {
    const joinUrl = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting_1%40thread.v2/0';
    expect(openUrls(bookedCard({ ...interview, joinUrl }, [], false))).toEqual([joinUrl]);
  });

  it.each(['javascript:alert(1)', 'http://teams.microsoft.com/l/x', 'https://teams.microsoft.com.evil.example/l/x', 'file:///etc/passwd'])(
    'never turns %s into a button',
    (joinUrl) => {
      const card = bookedCard({ ...interview, joinUrl }, [], false);
      expect(openUrls(card)).toEqual([]);
      expect(JSON.stringify(card)).not.toContain(joinUrl);
    },
  );
});
