import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ATTACHMENT_MAX_BYTES } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../scripts/lib/huike-server.ts';
import { e2e, findConversation, ownerApi, runId, typeAndSend, useBrowser, waitFor } from './support.ts';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** Uploads a file as the owner through the multipart endpoint. */
async function upload(api: ApiClient, name: string, data: Buffer, type: string) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), name);
  const response = await fetch(`${e2e().origin}/api/v1/attachments`, {
    method: 'POST',
    headers: { cookie: api.cookie, 'x-csrf-token': api.csrfToken },
    body: form,
  });
  if (response.status !== 201) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { fileId: string; name: string; contentType: string; size: number };
}

describe('attachments in the inbox and the widget', () => {
  const browser = useBrowser();

  it('sends a template with an image inserted with /, shown in the chat and in the visitor’s widget', async () => {
    const api = ownerApi();
    const run = runId();
    const image = await upload(api, '尺码图.png', PNG, 'image/png');
    const title = `尺码图${run}`;
    await api.request('POST', '/api/v1/templates', {
      scope: 'workspace',
      category: '商品',
      title,
      content: '亲，尺码请参考下图',
      attachments: [{ fileId: image.fileId, name: image.name, contentType: image.contentType }],
    });

    // A visitor of the demo shop asks in the widget.
    const { page: visitor, watched: visitorWatch } = await browser.page('visitor');
    await visitor.goto('/demo/shop');
    if (!(await visitor.locator('#huike-frame').isVisible())) await visitor.locator('#huike-bubble').click();
    await visitor.locator('#huike-frame').waitFor({ state: 'visible' });
    const widget = visitor.frameLocator('#huike-frame');
    await widget.locator('[data-testid=widget-input]').waitFor({ state: 'visible' });
    const question = `衣服尺码怎么选？${run}`;
    await typeAndSend(widget.locator('[data-testid=widget-input]'), question);
    const conversation = await findConversation(api, question);

    // The agent inserts the template with `/`: text in the composer, the image as a chip.
    const { page, watched } = await browser.signedIn('agent', { path: `/inbox/${conversation.id}` });
    const composer = page.locator('textarea[data-testid=composer]');
    await composer.waitFor({ state: 'visible' });
    await composer.click();
    await composer.pressSequentially(`/${title}`);
    const option = page.locator('[data-testid=template-picker] [data-testid=template-option]', { hasText: title });
    await option.first().waitFor({ state: 'visible' });
    await composer.press('Tab');
    await waitFor(async () => (await composer.inputValue()) === '亲，尺码请参考下图', 'the template was not inserted');
    const chip = page.locator('[data-testid=composer-attachment][data-status=done]');
    await chip.waitFor({ state: 'visible' });
    expect(await chip.textContent()).toContain('尺码图.png');

    await composer.press('Enter');
    const sent = page.locator('[data-testid=message-list] [data-testid=message]', { hasText: '亲，尺码请参考下图' });
    const thumbnail = sent.locator('[data-testid=message-attachments] img').first();
    await thumbnail.waitFor({ state: 'visible' });
    await waitFor(
      () => thumbnail.evaluate((element) => (element as HTMLImageElement).naturalWidth > 0),
      'the image in the chat never loaded',
    );
    expect(await page.locator('[data-testid=composer-attachment]').count()).toBe(0);
    // Clicking the thumbnail opens the viewer.
    await thumbnail.click();
    await page.locator('.ant-image-preview').first().waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');

    // The visitor sees the image in the widget, loaded through the signed link.
    const answered = widget.locator('[data-testid=widget-message][data-direction=outbound]', {
      hasText: '亲，尺码请参考下图',
    });
    const widgetImage = answered.locator('[data-testid=widget-image]');
    await widgetImage.waitFor({ state: 'visible', timeout: 15_000 });
    await waitFor(
      () => widgetImage.evaluate((element) => (element as HTMLImageElement).naturalWidth > 0),
      'the image in the widget never loaded',
    );
    expect(await widgetImage.getAttribute('src')).toMatch(/\/attachments\/[0-9a-f-]+\?exp=\d+&sig=[0-9a-f]{64}$/);
    expect([...watched.errors, ...visitorWatch.errors]).toEqual([]);
  });

  it('uploads a file from the composer with a chip that can be removed before sending, and says what cannot be sent', async () => {
    const api = ownerApi();
    const run = runId();
    const { origin, inboxToken } = e2e();
    const session = await (
      await fetch(`${origin}/public/v1/inboxes/${inboxToken}/visitors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json();
    const question = `有说明书吗？${run}`;
    await fetch(`${origin}/public/v1/inboxes/${inboxToken}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-huike-visitor-token': session.visitorToken },
      body: JSON.stringify({ sourceId: session.sourceId, content: question }),
    });
    const conversation = await findConversation(api, question);

    const { page, watched } = await browser.signedIn('agent', { path: `/inbox/${conversation.id}` });
    const input = page.locator('[data-testid=composer-file-input]');
    await input.setInputFiles([
      { name: '说明书.txt', mimeType: 'text/plain', buffer: Buffer.from('尺码说明：S/M/L') },
      { name: '多余.txt', mimeType: 'text/plain', buffer: Buffer.from('不要发这个') },
    ]);
    const chips = page.locator('[data-testid=composer-attachment][data-status=done]');
    await waitFor(async () => (await chips.count()) === 2, 'the uploads never finished');
    await page
      .locator('[data-testid=composer-attachment]', { hasText: '多余.txt' })
      .locator('[data-testid=composer-attachment-remove]')
      .click();
    await waitFor(async () => (await chips.count()) === 1, 'the chip was not removed');
    await page.locator('[data-testid=composer-send]').click();
    const card = page.locator('[data-testid=message-list] [data-testid=attachment-file]', { hasText: '说明书.txt' });
    await card.waitFor({ state: 'visible' });
    const stored = await api.request<{ items: { attachments: { name: string }[] }[] }>(
      'GET',
      `/api/v1/conversations/${conversation.id}/messages`,
    );
    expect(stored.items.at(-1)?.attachments.map((attachment) => attachment.name)).toEqual(['说明书.txt']);

    // What cannot be sent says so on its chip: too large (refused before uploading), or refused by the server.
    // From disk: a buffer this large is too slow to hand to the browser.
    const bigFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'huike-e2e-')), '视频.txt');
    fs.writeFileSync(bigFile, Buffer.alloc(ATTACHMENT_MAX_BYTES + 1, 'a'));
    await input.setInputFiles(bigFile);
    fs.rmSync(path.dirname(bigFile), { recursive: true });
    const tooLarge = page.locator('[data-testid=composer-attachment][data-status=error]', { hasText: '视频.txt' });
    await tooLarge.waitFor({ state: 'visible' });
    expect(await tooLarge.textContent()).toContain('超过 10 MB 上限');
    await page.locator('[data-testid=composer-image-input]').setInputFiles({
      name: 'logo.svg',
      mimeType: 'image/svg+xml',
      buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    });
    const refused = page.locator('[data-testid=composer-attachment][data-status=error]', { hasText: 'logo.svg' });
    await refused.waitFor({ state: 'visible' });
    expect(await refused.getAttribute('title')).toContain('不支持的文件类型');
    // The server names a file after what its bytes are; the chip shows that name and the one picked.
    await input.setInputFiles({ name: 'evil.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('hi') });
    const renamed = page.locator('[data-testid=composer-attachment][data-status=done]', { hasText: 'evil.txt' });
    await renamed.waitFor({ state: 'visible' });
    expect(await renamed.textContent()).toContain('原名 evil.exe');

    // Text over the limit is kept, counted and not sent, rather than cut.
    const composer = page.locator('[data-testid=composer]');
    await composer.fill('好'.repeat(5010));
    expect((await composer.inputValue()).length).toBe(5010);
    expect(await page.locator('[data-testid=composer-count]').textContent()).toBe('5010 / 5000');
    expect(await page.locator('[data-testid=composer-too-long]').textContent()).toContain('超出 10 字');
    expect(await page.locator('[data-testid=composer-send]').isDisabled()).toBe(true);
    expect(watched.errors).toEqual([]);
  });
});
