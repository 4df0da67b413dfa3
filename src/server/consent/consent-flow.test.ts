import { consentErrorResult, readCookie } from './consent-flow';
import { CONSENT_RESULTS, ConsentResultCode } from '../../shared/admin';

describe('consent results', () => {
  it('maps each AADSTS code of the consent endpoint to a page', () => {
    expect(consentErrorResult('65004', 'access_denied')).toBe('declined');
    expect(consentErrorResult(undefined, 'access_denied')).toBe('declined');
    expect(consentErrorResult('700016', 'unauthorized_client')).toBe('app_not_in_tenant');
    expect(consentErrorResult('90094', 'consent_required')).toBe('approval_required');
    expect(consentErrorResult('90095', 'consent_required')).toBe('approval_required');
    expect(consentErrorResult('7000215', 'invalid_client')).toBe('convene_credential_rejected');
    expect(consentErrorResult('7000222', 'invalid_client')).toBe('convene_credential_rejected');
    expect(consentErrorResult('90002', 'invalid_tenant')).toBe('tenant_not_found');
    expect(consentErrorResult('12345', 'server_error')).toBe('consent_failed');
    expect(consentErrorResult(undefined, 'server_error')).toBe('consent_failed');
  });

  it('explains every result in plain words', () => {
    for (const code of ConsentResultCode.options) {
      const text = CONSENT_RESULTS[code];
      expect(text.title.length).toBeGreaterThan(10);
      expect(text.explanation.length).toBeGreaterThan(30);
      expect(text.nextStep.length).toBeGreaterThan(15);
    }
  });
});

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('a=1; convene_consent=xyz; b=2', 'convene_consent')).toBe('xyz');
    expect(readCookie('convene_consent=', 'convene_consent')).toBeUndefined();
    expect(readCookie(undefined, 'convene_consent')).toBeUndefined();
    expect(readCookie('xconvene_consent=1', 'convene_consent')).toBeUndefined();
  });
});
