import { missingPermissions, REQUIRED_APP_PERMISSIONS } from './permissions';

describe('least privilege', () => {
  it('asks for exactly Calendars.ReadWrite, MailboxSettings.Read and User.ReadBasic.All, each with a reason', () => {
    expect(REQUIRED_APP_PERMISSIONS.map((p) => p.name)).toEqual(['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All']);
    for (const p of REQUIRED_APP_PERMISSIONS) expect(p.reason.length).toBeGreaterThan(20);
  });

  it('names what a tenant has not granted', () => {
    expect(missingPermissions(['Calendars.ReadWrite', 'User.ReadBasic.All'])).toEqual(['MailboxSettings.Read']);
    expect(missingPermissions(['Calendars.ReadWrite', 'MailboxSettings.Read', 'User.ReadBasic.All', 'Mail.Read'])).toEqual([]);
  });
});
