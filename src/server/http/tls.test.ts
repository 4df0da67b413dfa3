import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { isConveneError } from '../../shared/errors';
import { loadConfig } from '../config';
import { OFFICE_ADDIN_DEV_CERTS_DIR, officeAddinDevCertificates, readTlsCredentials } from './tls';

const DAY_MS = 86_400_000;
const pem = (validFrom: number, validTo: number) =>
  generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(validFrom),
    notAfterDate: new Date(validTo),
  });

describe('TLS for the development listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convene-tls-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  let certPath = '';
  let keyPath = '';
  let otherKeyPath = '';
  let expiredCertPath = '';
  let expiredKeyPath = '';

  beforeAll(async () => {
    const now = Date.now();
    const [good, other, expired] = await Promise.all([
      pem(now - DAY_MS, now + 30 * DAY_MS),
      pem(now - DAY_MS, now + 30 * DAY_MS),
      pem(now - 60 * DAY_MS, now - 30 * DAY_MS),
    ]);
    certPath = file('localhost.crt', good.cert);
    keyPath = file('localhost.key', good.private);
    otherKeyPath = file('other.key', other.private);
    expiredCertPath = file('expired.crt', expired.cert);
    expiredKeyPath = file('expired.key', expired.private);
  }, 30_000);

  it('config: CONVENE_TLS_CERT_PATH and CONVENE_TLS_KEY_PATH come together or not at all', () => {
    expect(loadConfig({}).tls).toBeUndefined();
    expect(loadConfig({ CONVENE_TLS_CERT_PATH: 'a.crt', CONVENE_TLS_KEY_PATH: 'a.key' }).tls).toEqual({
      certPath: 'a.crt',
      keyPath: 'a.key',
    });
    for (const half of [{ CONVENE_TLS_CERT_PATH: 'a.crt' }, { CONVENE_TLS_KEY_PATH: 'a.key' }]) {
      expect(() => loadConfig(half)).toThrow(/CONVENE_TLS_CERT_PATH and CONVENE_TLS_KEY_PATH: set both/);
    }
    // Empty counts as unset (how `npm start` is told to stay on plain HTTP).
    expect(loadConfig({ CONVENE_TLS_CERT_PATH: '', CONVENE_TLS_KEY_PATH: '' }).tls).toBeUndefined();
  });

  it('reads a certificate and the key that belongs to it', () => {
    const tls = readTlsCredentials({ certPath, keyPath });
    expect(tls.certificate.toString()).toContain('BEGIN CERTIFICATE');
    expect(tls.key.toString()).toContain('PRIVATE KEY');
  });

  it.each([
    [
      'a missing certificate file',
      () => ({ certPath: join(dir, 'nope.crt'), keyPath }),
      /CONVENE_TLS_CERT_PATH: cannot read .*nope\.crt \(ENOENT\)/,
    ],
    ['a key that is not a key', () => ({ certPath, keyPath: certPath }), /CONVENE_TLS_KEY_PATH: .* is not a PEM private key/],
    ['a certificate that is not one', () => ({ certPath: keyPath, keyPath }), /CONVENE_TLS_CERT_PATH: .* is not a PEM certificate/],
    ['another certificate’s key', () => ({ certPath, keyPath: otherKeyPath }), /is not the private key of the certificate/],
    [
      'an expired certificate',
      () => ({ certPath: expiredCertPath, keyPath: expiredKeyPath }),
      /expired on .*office-addin-dev-certs install/,
    ],
  ])('refuses %s with invalid_request naming the variable', (_name, paths, message) => {
    let error: unknown;
    try {
      readTlsCredentials(paths());
    } catch (e) {
      error = e;
    }
    expect(isConveneError(error, 'invalid_request')).toBe(true);
    expect((error as Error).message).toMatch(message);
    // Never the key material in the message.
    expect((error as Error).message).not.toMatch(/BEGIN|PRIVATE KEY/);
  });

  it('finds office-addin-dev-certs’ localhost certificate and key only when both are there', () => {
    const home = mkdtempSync(join(tmpdir(), 'convene-home-'));
    expect(officeAddinDevCertificates(home)).toBeUndefined();
    const certs = join(home, OFFICE_ADDIN_DEV_CERTS_DIR);
    mkdirSync(certs);
    writeFileSync(join(certs, 'localhost.crt'), 'x');
    expect(officeAddinDevCertificates(home)).toBeUndefined();
    writeFileSync(join(certs, 'localhost.key'), 'x');
    expect(officeAddinDevCertificates(home)).toEqual({
      certPath: join(certs, 'localhost.crt'),
      keyPath: join(certs, 'localhost.key'),
      caPath: join(certs, 'ca.crt'),
    });
  });
});
