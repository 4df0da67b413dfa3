/**
 * HTTPS on Convene's own listener, for development: Office add-ins must be served over HTTPS, so
 * Outlook loads the taskpane from `https://localhost:3000` with the certificate that
 * office-addin-dev-certs makes and trusts (`npx office-addin-dev-certs install` writes
 * `~/.office-addin-dev-certs/localhost.crt`, `localhost.key` and the developer CA `ca.crt`, and
 * adds that CA to the system's trust store). Production listens on plain HTTP behind a
 * TLS-terminating front (App Service, ingress), which `CONVENE_PUBLIC_URL` declares.
 *
 * @see https://learn.microsoft.com/office/dev/add-ins/testing/install-self-signed-certificate
 * @see https://www.npmjs.com/package/office-addin-dev-certs
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConveneError } from '../../shared/errors';

/** A certificate chain and its private key, PEM, as restify's `createServer` takes them. */
export interface TlsCredentials {
  readonly certificate: Buffer;
  readonly key: Buffer;
}

/** Where office-addin-dev-certs keeps its files, under the user's home directory. */
export const OFFICE_ADDIN_DEV_CERTS_DIR = '.office-addin-dev-certs';

/** Paths of office-addin-dev-certs' files. */
export interface DevCertificatePaths {
  /** `localhost.crt`: the server certificate (for `localhost` and `127.0.0.1`). */
  readonly certPath: string;
  /** `localhost.key`: its private key. */
  readonly keyPath: string;
  /** `ca.crt`: the developer CA that issued it (what clients such as the CLI trust). */
  readonly caPath: string;
}

/**
 * office-addin-dev-certs' certificate and key under `homeDir`, when both exist (the CA path is
 * given either way; it may be missing when the files were generated elsewhere).
 * @example officeAddinDevCertificates(os.homedir()) // { certPath: '/home/me/.office-addin-dev-certs/localhost.crt', ... } | undefined
 */
export function officeAddinDevCertificates(homeDir: string): DevCertificatePaths | undefined {
  const dir = join(homeDir, OFFICE_ADDIN_DEV_CERTS_DIR);
  const paths = { certPath: join(dir, 'localhost.crt'), keyPath: join(dir, 'localhost.key'), caPath: join(dir, 'ca.crt') };
  return existsSync(paths.certPath) && existsSync(paths.keyPath) ? paths : undefined;
}

/**
 * Reads and checks the PEM certificate and private key named by `CONVENE_TLS_CERT_PATH` /
 * `CONVENE_TLS_KEY_PATH`: both readable, the certificate parses, the key parses and belongs to
 * the certificate, the certificate has not expired (at `nowMs`). Never logs or returns the key's
 * content in an error.
 * @throws ConveneError `invalid_request` naming the variable and the problem
 */
export function readTlsCredentials(paths: { certPath: string; keyPath: string }, nowMs: number = Date.now()): TlsCredentials {
  const certificate = readPem(paths.certPath, 'CONVENE_TLS_CERT_PATH');
  const key = readPem(paths.keyPath, 'CONVENE_TLS_KEY_PATH');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certificate);
  } catch (e) {
    throw invalid(`CONVENE_TLS_CERT_PATH: ${paths.certPath} is not a PEM certificate`, e);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (e) {
    throw invalid(`CONVENE_TLS_KEY_PATH: ${paths.keyPath} is not a PEM private key (an encrypted key is not supported)`, e);
  }
  if (!x509.checkPrivateKey(privateKey))
    throw invalid(`CONVENE_TLS_KEY_PATH: ${paths.keyPath} is not the private key of the certificate in ${paths.certPath}`);
  if (Date.parse(x509.validTo) < nowMs)
    throw invalid(
      `CONVENE_TLS_CERT_PATH: the certificate in ${paths.certPath} expired on ${new Date(x509.validTo).toISOString()}` +
        ' (office-addin-dev-certs: run `npx office-addin-dev-certs install` again)',
    );
  return { certificate, key };
}

function readPem(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw invalid(`${variable}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, e);
  }
}

function invalid(message: string, cause?: unknown): ConveneError {
  return new ConveneError('invalid_request', message, cause === undefined ? {} : { cause });
}
