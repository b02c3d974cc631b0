import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z.enum(['0', '1', 'true', 'false']).transform((value) => value === '1' || value === 'true');

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  HUIKE_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().optional(),
  HUIKE_DEMO: booleanFlag.default(true),
  HUIKE_PUBLIC_URL: z.url().optional(),
  HUIKE_SECURE_COOKIES: booleanFlag.default(false),
  /** 32 bytes as base64 or hex; AES-256-GCM key for ID-card and bank-card numbers. Unset: `<dataDir>/encryption.key`. */
  HUIKE_ENCRYPTION_KEY: z.string().optional(),
  /** Largest import upload (CSV/XLSX) in bytes; default 200 MB. */
  HUIKE_IMPORT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(200 * 1024 * 1024),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Lets webhooks and channel providers reach private and loopback addresses (tests, on-premise gateways). */
  HUIKE_ALLOW_PRIVATE_WEBHOOKS: booleanFlag.default(false),
  /** Multiplies the outbox's retry backoff (benchmarks: 0.001 → retries after 10 ms, 30 ms, …). */
  HUIKE_OUTBOX_BACKOFF_SCALE: z.coerce.number().min(0).max(1).default(1),
  /** Huike's own SMTP endpoint for mail forwarded to `<inboxToken>@<HUIKE_MAIL_DOMAIN>`; unset = off. */
  HUIKE_SMTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HUIKE_MAIL_DOMAIN: z.string().min(1).default('mail.huike.local'),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  seedDemo: boolean;
  publicUrl: string | undefined;
  secureCookies: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  importMaxBytes?: number;
  encryptionKey?: string;
  allowPrivateWebhooks?: boolean;
  outboxBackoffScale?: number;
  /** Port of the forwarding SMTP endpoint (worker processes); undefined = off. */
  smtpPort?: number;
  /** The domain of forwarding addresses `<inboxToken>@<mailDomain>`. */
  mailDomain?: string;
}>;

/** Parses the environment once; the rest of the app only ever sees the frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.HUIKE_DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    seedDemo: e.HUIKE_DEMO,
    publicUrl: e.HUIKE_PUBLIC_URL,
    secureCookies: e.HUIKE_SECURE_COOKIES,
    logLevel: e.LOG_LEVEL,
    importMaxBytes: e.HUIKE_IMPORT_MAX_BYTES,
    encryptionKey: e.HUIKE_ENCRYPTION_KEY || undefined,
    allowPrivateWebhooks: e.HUIKE_ALLOW_PRIVATE_WEBHOOKS,
    outboxBackoffScale: e.HUIKE_OUTBOX_BACKOFF_SCALE,
    smtpPort: e.HUIKE_SMTP_PORT,
    mailDomain: e.HUIKE_MAIL_DOMAIN,
    ...overrides,
  });
}
