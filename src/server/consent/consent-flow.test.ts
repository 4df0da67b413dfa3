import { consentErrorResult, createConsentFlow, readCookie } from './consent-flow';
import { CONSENT_RESULTS, ConsentResultCode } from '../../shared/admin';
import type { AppTokenSource } from '../auth/app-tokens';
import { createLogger } from '../log';
import type { TenantStore } from '../store/types';
import type { TenantRegistry } from './tenant-registry';

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

describe('the browser-binding cookie', () => {
  const flowAt = (publicUrl: string) =>
    createConsentFlow({
      clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
      loginEndpoint: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
      cloud: 'global',
      publicUrl: () => publicUrl,
      states: { create: async () => undefined, take: async () => ({ outcome: 'unknown' }) },
      // Never reached by start(): it only records a state.
      tenants: {} as TenantStore,
      tokens: {} as AppTokenSource,
      registry: {} as TenantRegistry,
      organizationName: async () => null,
      fetch: () => Promise.reject(new Error('no network in this test')),
      now: () => Date.parse('2026-11-23T10:00:00Z'),
      logger: createLogger('silent'),
    });

  it('is HttpOnly, SameSite=Lax, scoped to /admin/consent, and Secure when Convene is served over https', async () => {
    const https = await flowAt('https://convene.contoso.example').start({});
    expect(https.setCookie).toMatch(
      /^convene_consent=[A-Za-z0-9_-]{43}; Path=\/admin\/consent; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/,
    );
    expect(new URL(https.location).searchParams.get('redirect_uri')).toBe('https://convene.contoso.example/admin/consent/callback');
    const http = await flowAt('http://127.0.0.1:3000').start({});
    expect(http.setCookie).not.toMatch(/Secure/);
  });

  it('is cleared by every callback answer, with the same flags', async () => {
    const done = await flowAt('https://convene.contoso.example').callback({ state: 'x' }, 'convene_consent=y', 'req-1');
    expect(done.location).toBe('/admin?result=state_invalid');
    expect(done.setCookie).toBe('convene_consent=; Path=/admin/consent; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
  });
});
