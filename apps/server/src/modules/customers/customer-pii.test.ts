import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isValidBankCard, isValidIdCard, maskBankCard, maskIdCard, maskPhone, normalizePhone } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import {
  type Client,
  createTestApp,
  createWorkspace,
  insertCustomer,
  TEST_ENCRYPTION_KEY,
} from '../../../test/harness.ts';
import { createFieldCipher, loadEncryptionKey, parseEncryptionKey } from '../../platform/crypto.ts';
import { createSmsInbox, sendReply, startProvider } from '../channels/adapters/sms/sms-test-support.ts';

const context = await createTestApp({ env: { HUIKE_ALLOW_PRIVATE_WEBHOOKS: '1' } });
const { pool } = context.database;

const ID_CARD = '11010519491231002X';
const BANK_CARD = '6222021234567890128';

async function shopWithSensitiveCustomer() {
  const workspace = await createWorkspace(context);
  const workspaceId = workspace.owner.workspaceId!;
  const customerId = await insertCustomer(context, workspaceId, { name: '韩梅梅', phone: '13812345678' });
  const saved = await workspace.owner.patch(`/api/v1/customers/${customerId}`, {
    phones: ['0571-88888888'],
    idCard: ID_CARD.toLowerCase(),
    bankCard: '6222 0212 3456 7890 128',
  });
  if (saved.statusCode !== 200) throw new Error(saved.body);
  return { ...workspace, workspaceId, customerId };
}

const auditOf = async (workspaceId: string) =>
  (
    await pool.query(
      'select action, actor_id, target_id, details from audit_log where workspace_id = $1 order by seq',
      [workspaceId],
    )
  ).rows;

describe('contact formats and masks', () => {
  it('normalises Chinese mobiles, landlines and international numbers', () => {
    expect(normalizePhone('+86 138-1234-5678')).toBe('13812345678');
    expect(normalizePhone('8613812345678')).toBe('13812345678');
    expect(normalizePhone('0571-88888888')).toBe('0571-88888888');
    expect(normalizePhone('057188888888')).toBe('0571-88888888');
    expect(normalizePhone('01088888888')).toBe('010-88888888');
    expect(normalizePhone('+14155552671')).toBe('+14155552671');
    expect(normalizePhone('12345678901')).toBeNull();
    expect(normalizePhone('打我电话')).toBeNull();
    // As Chinese input methods type them.
    expect(normalizePhone('１３８　１２３４　５６７８')).toBe('13812345678');
    expect(normalizePhone('０５７１－８８８８８８８８')).toBe('0571-88888888');
  });

  it('checks ID card check digits (GB 11643) and bank cards (Luhn)', () => {
    expect(isValidIdCard(ID_CARD)).toBe(true);
    expect(isValidIdCard('110105194912310021')).toBe(false);
    expect(isValidIdCard('110105194902300026')).toBe(false); // 30 February
    expect(isValidBankCard(BANK_CARD)).toBe(true);
    expect(isValidBankCard('6222021234567890123')).toBe(false);
    expect(isValidBankCard('12345')).toBe(false);
  });

  it('masks phones, ID cards and bank cards', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0571-88888888')).toBe('0571-****8888');
    expect(maskIdCard(ID_CARD)).toBe('110105********002X');
    expect(maskBankCard(BANK_CARD)).toBe('6222 **** **** 0128');
  });
});

describe('masking by role', () => {
  it('shows phones to roles that may reveal, masks them for agents and analysts, and always masks card numbers', async () => {
    const { owner, addUser, customerId } = await shopWithSensitiveCustomer();
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    const analyst = await addUser('analyst');
    for (const lead of [owner, supervisor]) {
      expect((await lead.get(`/api/v1/customers/${customerId}`)).json()).toMatchObject({
        phone: '13812345678',
        phones: ['0571-88888888'],
        idCard: '110105********002X',
        bankCard: '6222 **** **** 0128',
        piiMasked: false,
      });
    }
    for (const reader of [agent, analyst]) {
      const response = await reader.get(`/api/v1/customers/${customerId}`);
      expect(response.json()).toMatchObject({
        phone: '138****5678',
        phones: ['0571-****8888'],
        idCard: '110105********002X',
        bankCard: '6222 **** **** 0128',
        piiMasked: true,
      });
      const list = await reader.get('/api/v1/customers');
      for (const body of [response.body, list.body]) {
        expect(body).not.toContain('13812345678');
        expect(body).not.toContain('88888888');
        expect(body).not.toContain(ID_CARD);
        expect(body).not.toContain(BANK_CARD);
      }
    }
  });
});

describe('revealing PII', () => {
  it('answers the plaintext to a supervisor and audit-logs which fields, never the values', async () => {
    const { addUser, workspaceId, customerId } = await shopWithSensitiveCustomer();
    const supervisor = await addUser('supervisor');
    const response = await supervisor.post(`/api/v1/customers/${customerId}/reveal`, {
      fields: ['phone', 'phones', 'idCard', 'bankCard'],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      phone: '13812345678',
      phones: ['0571-88888888'],
      idCard: ID_CARD,
      bankCard: BANK_CARD,
    });
    const entries = (await auditOf(workspaceId)).filter((e) => e.action === 'customers.pii_revealed');
    expect(entries).toEqual([
      {
        action: 'customers.pii_revealed',
        actor_id: supervisor.userId,
        target_id: customerId,
        details: { fields: ['phone', 'phones', 'idCard', 'bankCard'] },
      },
    ]);
    const log = JSON.stringify(await auditOf(workspaceId));
    for (const secret of ['13812345678', ID_CARD, BANK_CARD]) expect(log).not.toContain(secret);
  });

  it('refuses an agent with 403 and records nothing', async () => {
    const { addUser, workspaceId, customerId } = await shopWithSensitiveCustomer();
    const agent = await addUser('agent');
    const response = await agent.post(`/api/v1/customers/${customerId}/reveal`, { fields: ['idCard'] });
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain(ID_CARD);
    expect((await auditOf(workspaceId)).filter((e) => e.action === 'customers.pii_revealed')).toEqual([]);
  });

  it('refuses an empty or unknown field list with 400', async () => {
    const { owner, customerId } = await shopWithSensitiveCustomer();
    expect((await owner.post(`/api/v1/customers/${customerId}/reveal`, { fields: [] })).statusCode).toBe(400);
    expect((await owner.post(`/api/v1/customers/${customerId}/reveal`, { fields: ['password'] })).statusCode).toBe(400);
  });
});

describe('channel cards (渠道)', () => {
  it("sends an SMS channel's number masked to agents and analysts, and in full only to roles that may reveal it", async () => {
    const { owner, addUser, customerId } = await shopWithSensitiveCustomer();
    const provider = await startProvider();
    const smsInbox = await createSmsInbox(owner, provider.url);
    // A card from the profile's number (never texted yet), then from the identity their text made.
    const cardOf = async (client: Client) => {
      const response = await client.get(`/api/v1/customers/${customerId}/channels`);
      expect(response.statusCode, response.body).toBe(200);
      const items = response.json().items as { inboxId: string; address: string | null }[];
      return { body: response.body, card: items.find((item) => item.inboxId === smsInbox.id) };
    };
    const supervisor = await addUser('supervisor');
    const agent = await addUser('agent');
    const analyst = await addUser('analyst');
    for (const step of ['profile address', 'sms identity']) {
      if (step === 'sms identity') {
        const replied = await sendReply(context, smsInbox.token, '+8613812345678', '什么时候发货？');
        expect(replied.statusCode, replied.body).toBe(200);
        const channels = (await owner.get(`/api/v1/customers/${customerId}/channels`)).json();
        expect(channels.lastUsedInboxId, step).toBe(smsInbox.id);
      }
      for (const reader of [agent, analyst]) {
        const { body, card } = await cardOf(reader);
        expect(card?.address, step).toBe('138****5678');
        expect(body, step).not.toContain('13812345678');
      }
      // The web app masks it for them too, until the profile's one audited reveal of phone + phones.
      for (const lead of [owner, supervisor]) expect((await cardOf(lead)).card?.address, step).toBe('13812345678');
    }
  });
});

describe('revealing a phone from the customer list', () => {
  it('goes through the audited reveal: one audit entry per reveal, naming the field, never the number', async () => {
    const { addUser, workspaceId, customerId } = await shopWithSensitiveCustomer();
    const supervisor = await addUser('supervisor');
    const list = await supervisor.get(`/api/v1/customers?q=${encodeURIComponent('韩梅梅')}`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items).toMatchObject([{ id: customerId, piiMasked: false }]);
    const revealed = () => supervisor.post(`/api/v1/customers/${customerId}/reveal`, { fields: ['phone'] });
    const first = await revealed();
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({ phone: '13812345678' });
    const reveals = async () =>
      (await auditOf(workspaceId)).filter((entry) => entry.action === 'customers.pii_revealed');
    expect(await reveals()).toEqual([
      {
        action: 'customers.pii_revealed',
        actor_id: supervisor.userId,
        target_id: customerId,
        details: { fields: ['phone'] },
      },
    ]);
    // Hiding needs no request; showing it again is another reveal, with its own entry.
    expect((await revealed()).statusCode).toBe(200);
    expect(await reveals()).toHaveLength(2);
    expect(JSON.stringify(await auditOf(workspaceId))).not.toContain('13812345678');
  });
});

describe('acting on a search (bulk actions, their count, exports)', () => {
  /** Two customers whose numbers share middle digits (5550), one who shares none. */
  async function shopWithPhones() {
    const workspace = await createWorkspace(context);
    const workspaceId = workspace.owner.workspaceId!;
    const ids = [
      await insertCustomer(context, workspaceId, { name: '李雷', phone: '13955501234' }),
      await insertCustomer(context, workspaceId, { name: '王芳', phone: '13755509876' }),
      await insertCustomer(context, workspaceId, { name: '赵强', phone: '13812345678' }),
    ];
    return { ...workspace, workspaceId, ids };
  }

  it("matches a middle-digit search in full for leads, as their list does: the bulk count and action select the list's customers", async () => {
    const { owner, addUser, ids } = await shopWithPhones();
    const supervisor = await addUser('supervisor');
    const tag = await owner.post('/api/v1/tag-groups', { name: '活动', selection: 'multi' });
    expect(tag.statusCode, tag.body).toBe(201);
    const created = await owner.post('/api/v1/tags', { groupId: tag.json().id, name: '双十一' });
    expect(created.statusCode, created.body).toBe(201);
    const tagId = created.json().id as string;
    for (const lead of [owner, supervisor]) {
      const listed = (await lead.get('/api/v1/customers?q=5550')).json().items as { id: string }[];
      expect(listed.map((item) => item.id).sort()).toEqual([ids[0], ids[1]].sort());
      expect((await lead.get('/api/v1/customers/count?q=5550')).json()).toMatchObject({ count: 2 });
      const counted = await lead.post('/api/v1/customers/bulk/count', { target: { q: '5550' } });
      expect(counted.json()).toEqual({ count: 2 });
    }
    const started = await supervisor.post('/api/v1/customers/bulk', {
      target: { q: '5550' },
      action: 'add_tags',
      tagIds: [tagId],
      expectedCount: 2,
    });
    expect(started.statusCode, started.body).toBe(202);
    await context.jobs.drain();
    const tagged = await pool.query('select customer_id from customer_tags where tag_id = $1', [tagId]);
    expect(tagged.rows.map((row) => row.customer_id).sort()).toEqual([ids[0], ids[1]].sort());
  });

  it('matches only the digits the mask shows for roles without reveal, in the list, its count and their export', async () => {
    const { addUser, ids } = await shopWithPhones();
    const analyst = await addUser('analyst');
    const exportRows = async (q: string) => {
      const started = await analyst.post('/api/v1/exports', { target: { q }, format: 'csv', fields: ['name'] });
      expect(started.statusCode, started.body).toBe(202);
      await context.jobs.drain();
      const job = (await analyst.get(`/api/v1/jobs/${started.json().id}`)).json();
      expect(job.status, JSON.stringify(job)).toBe('succeeded');
      return job.result.rows as number;
    };
    // Middle digits are masked to them (139****1234): a search must not find them.
    expect((await analyst.get('/api/v1/customers?q=5550')).json().items).toEqual([]);
    expect((await analyst.get('/api/v1/customers/count?q=5550')).json()).toMatchObject({ count: 0 });
    expect(await exportRows('5550')).toBe(0);
    // What the mask shows (后四位) matches.
    const listed = (await analyst.get('/api/v1/customers?q=1234')).json().items as { id: string }[];
    expect(listed.map((item) => item.id)).toEqual([ids[0]]);
    expect(await exportRows('1234')).toBe(1);
    // Bulk actions are leads' (who may reveal): refused, not narrowed.
    expect((await analyst.post('/api/v1/customers/bulk/count', { target: { q: '1234' } })).statusCode).toBe(403);
  });
});

describe('encryption at rest', () => {
  it('stores ID card and bank card numbers as AES-256-GCM ciphertext, never the plaintext', async () => {
    const { customerId } = await shopWithSensitiveCustomer();
    const { rows } = await pool.query(
      'select id_card_enc, bank_card_enc, to_jsonb(c)::text as everything from customers c where id = $1',
      [customerId],
    );
    expect(rows[0].id_card_enc).toMatch(/^v1:/);
    expect(rows[0].bank_card_enc).toMatch(/^v1:/);
    expect(rows[0].everything).not.toContain(ID_CARD);
    expect(rows[0].everything).not.toContain(BANK_CARD);
    expect(rows[0].everything).not.toContain('002X');
    const cipher = createFieldCipher(parseEncryptionKey(TEST_ENCRYPTION_KEY));
    expect(cipher.decrypt(rows[0].id_card_enc)).toBe(ID_CARD);
    const events = await pool.query('select details::text from customer_events where customer_id = $1', [customerId]);
    expect(JSON.stringify(events.rows)).not.toContain(ID_CARD);
  });

  it('uses a fresh IV per value and detects tampering', () => {
    const cipher = createFieldCipher(parseEncryptionKey(TEST_ENCRYPTION_KEY));
    const a = cipher.encrypt(ID_CARD);
    expect(cipher.encrypt(ID_CARD)).not.toBe(a);
    const bytes = Buffer.from(a.slice(3), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    expect(() => cipher.decrypt(`v1:${bytes.toString('base64')}`)).toThrow();
    const otherKey = createFieldCipher(Buffer.alloc(32, 9));
    expect(() => otherKey.decrypt(a)).toThrow();
  });

  it('accepts the key as base64 or hex and refuses a short one', () => {
    const key = Buffer.alloc(32, 5);
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(parseEncryptionKey(key.toString('hex'))).toEqual(key);
    expect(() => parseEncryptionKey('too-short')).toThrow(/32 bytes/);
  });

  it('creates <dataDir>/encryption.key (mode 600) on first start and reuses it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'huike-key-'));
    try {
      const first = loadEncryptionKey({ dataDir });
      const file = path.join(dataDir, 'encryption.key');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadEncryptionKey({ dataDir })).toEqual(first);
      expect(first).toHaveLength(32);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
