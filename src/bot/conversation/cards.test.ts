import { proposalsCard, type ProposalsView } from './cards';

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
