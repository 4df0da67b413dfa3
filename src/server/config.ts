/**
 * Configuration: `loadConfig(env)` validates the environment with zod and returns a frozen,
 * fully defaulted object (msal `buildAppConfiguration`). Nothing else reads `process.env`.
 * The names are fixed by DESIGN.md ("Configuration names").
 */
import { z } from 'zod';
import { ConveneError } from '../shared/errors';
import { CLOUDS, type CloudEnvironment, type CloudName, withOverrides } from './clouds';
import { productionProblems } from './production-mode';

/** Convene's runtime configuration. */
export interface Config {
  /** HTTP port of the server (API, taskpane, admin page, bot). */
  readonly port: number;
  /** Port of the local Microsoft 365 simulator (used by `npm start` only). */
  readonly simPort: number;
  /** PostgreSQL connection string; absent = embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Where PGlite and local dev files live (`./.data`). */
  readonly dataDir: string;
  /** Seed files for the simulator, replacing the demo tenant. */
  readonly simSeedFiles: readonly string[];
  /** 32-byte master key (base64) wrapping per-tenant data keys; absent in dev (a local key is made). */
  readonly masterKey: string | undefined;
  /** Older master keys (base64) still opening envelopes while `convene keys rotate` runs (`CONVENE_MASTER_KEY_PREVIOUS`, comma-separated). */
  readonly masterKeyPrevious: readonly string[];
  /** Azure Key Vault key wrapping per-tenant data keys instead of the master key (`CONVENE_KEYVAULT_KEY_ID`). */
  readonly keyVaultKeyId: string | undefined;
  /** Convene's app registration. Absent = no Microsoft credentials: `npm start` uses the simulator. */
  readonly app:
    | {
        readonly clientId: string;
        readonly credential: { readonly kind: 'secret'; readonly secret: string } | { readonly kind: 'certificate'; readonly path: string };
      }
    | undefined;
  readonly cloud: CloudEnvironment;
  /**
   * The Teams bot: Azure Bot registration (`MicrosoftAppId`; absent = Bot Framework auth off, local
   * simulator only) and its OAuth connection for Teams SSO (`CONVENE_BOT_OAUTH_CONNECTION`).
   */
  readonly bot: {
    readonly appId: string | undefined;
    readonly appPassword: string | undefined;
    readonly tenantId: string | undefined;
    readonly oauthConnectionName: string | undefined;
  };
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Convene's public base URL (`CONVENE_PUBLIC_URL`, e.g. `https://convene.contoso.com`): the admin consent redirect URI is `<it>/admin/consent/callback`. Absent: the listen URL. */
  readonly publicUrl: string | undefined;
  readonly production: boolean;
  /** Days an audit entry is kept before the daily purge deletes it (`CONVENE_AUDIT_RETENTION_DAYS`, default 90). */
  readonly auditRetentionDays: number;
  /** Scheduled jobs this instance runs (`CONVENE_JOBS`: comma-separated, `none` for none; default all). */
  readonly jobs: readonly ('audit-purge' | 'user-archive' | 'bot-card-purge')[];
  /**
   * HTTPS on Convene's own listener (`CONVENE_TLS_CERT_PATH` + `CONVENE_TLS_KEY_PATH`, PEM files):
   * development only, e.g. office-addin-dev-certs' `localhost.crt`/`localhost.key` so Outlook can
   * load the taskpane from https://localhost:3000. Absent: plain HTTP (production: TLS ends in front).
   */
  readonly tls: { readonly certPath: string; readonly keyPath: string } | undefined;
}

const httpsUrl = z.url({ protocol: /^https$/, message: 'must be an https:// URL' });

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  CONVENE_DATA_DIR: z.string().min(1).default('.data'),
  CONVENE_SIM_SEED: z.string().optional(),
  CONVENE_MASTER_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  CONVENE_MASTER_KEY_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32),
      'must be comma-separated keys of 32 bytes each, base64-encoded',
    )
    .optional(),
  CONVENE_KEYVAULT_KEY_ID: z
    .url({ protocol: /^https$/, message: 'must be a Key Vault key id, https://<vault>.vault.azure.net/keys/<name>[/<version>]' })
    .regex(/\/keys\/[^/]+(\/[^/]+)?\/?$/, 'must be a Key Vault key id, https://<vault>.vault.azure.net/keys/<name>[/<version>]')
    .optional(),
  AZURE_CLIENT_ID: z.uuid({ message: 'must be the application (client) id, a GUID' }).optional(),
  AZURE_CLIENT_SECRET: z.string().min(1).optional(),
  AZURE_CLIENT_CERTIFICATE_PATH: z.string().min(1).optional(),
  CONVENE_CLOUD: z.enum(['global', 'usgov', 'usgovdod', 'china']).default('global'),
  GRAPH_ENDPOINT: httpsUrl.optional(),
  LOGIN_ENDPOINT: httpsUrl.optional(),
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppTenantId: z.string().optional(),
  CONVENE_BOT_OAUTH_CONNECTION: z.string().max(128).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONVENE_PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s):// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  NODE_ENV: z.string().optional(),
  CONVENE_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  CONVENE_JOBS: z
    .string()
    .regex(
      /^(none|((audit-purge|user-archive|bot-card-purge)\s*(,\s*|$))+)$/,
      'must be "none" or a comma-separated list of audit-purge, user-archive, bot-card-purge',
    )
    .default('audit-purge,user-archive,bot-card-purge'),
  CONVENE_TLS_CERT_PATH: z.string().min(1).optional(),
  CONVENE_TLS_KEY_PATH: z.string().min(1).optional(),
});

/**
 * Reads and validates configuration from `env`.
 * @throws ConveneError `invalid_request` naming every bad or half-set variable, e.g. `AZURE_CLIENT_ID`
 *   without `AZURE_CLIENT_SECRET` or `AZURE_CLIENT_CERTIFICATE_PATH`; with `NODE_ENV=production` also a
 *   missing master key, TLS off or the simulator enabled (see `production-mode.ts`).
 * @example const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // Empty strings count as unset: `FOO= npm start` must not mean "FOO is the empty string".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  const problems: string[] = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (!parsed.success) throw configError(problems);
  const e = parsed.data;

  if (e.AZURE_CLIENT_SECRET && e.AZURE_CLIENT_CERTIFICATE_PATH)
    problems.push('AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH: set one, not both');
  if (e.AZURE_CLIENT_ID && !e.AZURE_CLIENT_SECRET && !e.AZURE_CLIENT_CERTIFICATE_PATH)
    problems.push('AZURE_CLIENT_ID is set but neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is');
  if (!e.AZURE_CLIENT_ID && (e.AZURE_CLIENT_SECRET || e.AZURE_CLIENT_CERTIFICATE_PATH))
    problems.push('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH is set but AZURE_CLIENT_ID is not');
  if (e.MicrosoftAppId && !e.MicrosoftAppPassword) problems.push('MicrosoftAppId is set but MicrosoftAppPassword is not');
  if (e.MicrosoftAppId && !e.CONVENE_BOT_OAUTH_CONNECTION)
    problems.push('MicrosoftAppId is set but CONVENE_BOT_OAUTH_CONNECTION (the Azure Bot OAuth connection for Teams SSO) is not');
  if (!e.CONVENE_TLS_CERT_PATH !== !e.CONVENE_TLS_KEY_PATH)
    problems.push('CONVENE_TLS_CERT_PATH and CONVENE_TLS_KEY_PATH: set both (the PEM certificate and its private key) or neither');
  problems.push(...productionProblems(cleaned));
  if (problems.length > 0) throw configError(problems);

  const app: Config['app'] = e.AZURE_CLIENT_ID
    ? {
        clientId: e.AZURE_CLIENT_ID,
        credential: e.AZURE_CLIENT_SECRET
          ? { kind: 'secret', secret: e.AZURE_CLIENT_SECRET }
          : { kind: 'certificate', path: e.AZURE_CLIENT_CERTIFICATE_PATH as string },
      }
    : undefined;

  return Object.freeze({
    port: e.PORT,
    simPort: e.SIM_PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.CONVENE_DATA_DIR,
    simSeedFiles: Object.freeze(
      (e.CONVENE_SIM_SEED ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    masterKey: e.CONVENE_MASTER_KEY,
    masterKeyPrevious: Object.freeze(
      (e.CONVENE_MASTER_KEY_PREVIOUS ?? '')
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean),
    ),
    keyVaultKeyId: e.CONVENE_KEYVAULT_KEY_ID,
    app,
    cloud: withOverrides(CLOUDS[e.CONVENE_CLOUD as CloudName], { loginEndpoint: e.LOGIN_ENDPOINT, graphEndpoint: e.GRAPH_ENDPOINT }),
    bot: Object.freeze({
      appId: e.MicrosoftAppId,
      appPassword: e.MicrosoftAppPassword,
      tenantId: e.MicrosoftAppTenantId,
      oauthConnectionName: e.CONVENE_BOT_OAUTH_CONNECTION,
    }),
    logLevel: e.LOG_LEVEL,
    publicUrl: e.CONVENE_PUBLIC_URL,
    production: e.NODE_ENV === 'production',
    auditRetentionDays: e.CONVENE_AUDIT_RETENTION_DAYS,
    jobs: Object.freeze(
      e.CONVENE_JOBS === 'none'
        ? []
        : [...new Set(e.CONVENE_JOBS.split(',').map((s) => s.trim() as Config['jobs'][number]))].filter(Boolean),
    ),
    tls:
      e.CONVENE_TLS_CERT_PATH && e.CONVENE_TLS_KEY_PATH
        ? Object.freeze({ certPath: e.CONVENE_TLS_CERT_PATH, keyPath: e.CONVENE_TLS_KEY_PATH })
        : undefined,
  });
}

function configError(problems: string[]): ConveneError {
  return new ConveneError('invalid_request', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
    details: problems.map((p) => ({ path: p.split(':')[0] ?? '', message: p })),
  });
}
