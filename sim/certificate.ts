/**
 * A self-signed certificate for `localhost` and 127.0.0.1, made at start (the simulator's HTTPS,
 * and tests of Convene's own HTTPS listener). Marked as a CA so clients can add it as a trust
 * anchor (`ca`) directly.
 */
import { generate } from 'selfsigned';

/** PEM certificate and private key, valid from a day ago for `days` days. */
export async function localhostCertificate(days: number): Promise<{ cert: string; private: string }> {
  return generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 86_400_000),
    notAfterDate: new Date(Date.now() + days * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
}
