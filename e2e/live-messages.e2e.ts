import { describe, expect, it } from 'vitest';
import { e2e, findConversation, ownerApi, runId, setLanguage, useBrowser, waitFor } from './support.ts';

/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

type VisitorSession = { visitorToken: string; sourceId: string };

/** A new visitor of the e2e inbox, through the public API (what the widget does). */
async function newVisitor(): Promise<VisitorSession> {
  const { origin, inboxToken } = e2e();
  const response = await fetch(`${origin}/public/v1/inboxes/${inboxToken}/visitors`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  return (await response.json()) as VisitorSession;
}

async function visitorSays(visitor: VisitorSession, content: string): Promise<void> {
  const { origin, inboxToken } = e2e();
  const response = await fetch(`${origin}/public/v1/inboxes/${inboxToken}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-huike-visitor-token': visitor.visitorToken },
    body: JSON.stringify({ sourceId: visitor.sourceId, content }),
  });
  if (!response.ok) throw new Error(`the visitor's message failed: ${response.status} ${await response.text()}`);
}

/** The visitor sends an image, as the widget's attach button does. */
async function visitorSendsImage(visitor: VisitorSession, name: string): Promise<{ id: string }> {
  const { origin, inboxToken } = e2e();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), name);
  const response = await fetch(
    `${origin}/public/v1/inboxes/${inboxToken}/conversations/${encodeURIComponent(visitor.sourceId)}/attachments`,
    { method: 'POST', headers: { 'x-huike-visitor-token': visitor.visitorToken }, body: form },
  );
  if (response.status !== 201)
    throw new Error(`the visitor's image failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as { id: string };
}

describe('live messages in the open chat', () => {
  const browser = useBrowser();

  it('shows a buyer’s image that arrives while the chat’s history is still loading, without a reload', async () => {
    const api = ownerApi();
    const run = runId();
    const visitor = await newVisitor();
    const question = `杯子收到就碎了 ${run}`;
    await visitorSays(visitor, question);
    const conversation = await findConversation(api, question);

    const { page, watched } = await browser.signedIn('agent', { path: '/' });
    await setLanguage(page, 'en');

    // The chat's first history request is answered by the server at once (before the image exists) but handed to
    // the page only when the test says so: the image's realtime frame comes first, as on a loaded machine.
    let releaseHistory = () => {};
    const historyHeld = new Promise<void>((resolve) => (releaseHistory = resolve));
    let historyRead = false;
    let historyRequests = 0;
    await page.route(
      (url) => url.pathname === `/api/v1/conversations/${conversation.id}/messages`,
      async (route) => {
        historyRequests += 1;
        if (historyRequests > 1) return route.continue();
        const response = await route.fetch();
        historyRead = true;
        await historyHeld;
        await route.fulfill({ response });
      },
    );
    const frames: string[] = [];
    page.on('websocket', (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload))));

    // The list is searched down to this conversation (other tests' conversations could push it off the first page).
    await page.goto(`/inbox/${conversation.id}?q=${run}`);
    await page.locator('[data-testid=realtime-status][data-status=open]').waitFor({ state: 'attached' });
    await waitFor(() => historyRead, 'the chat never asked for its history');
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });

    try {
      await imageArrivesBeforeHistory();
    } finally {
      // Only now does the older history answer land (also when a step failed, so the page can close).
      releaseHistory();
    }
    // The chat shows the image all the same, without a reload.
    const list = page.locator('[data-testid=message-list]');
    await list.locator('[data-testid=message]', { hasText: question }).waitFor({ state: 'visible' });
    await list.locator('[data-testid=message-attachments] img').first().waitFor({ state: 'visible' });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(historyRequests).toBeLessThanOrEqual(2);
    expect(watched.errors).toEqual([]);

    async function imageArrivesBeforeHistory() {
      const image = await visitorSendsImage(visitor, `碎片${run}.png`);
      await waitFor(
        () => frames.some((frame) => frame.includes('message.created') && frame.includes(image.id)),
        'the image’s realtime frame never reached the page',
      );
      // The list row takes the frame's preview, in the UI language.
      const row = page.locator(`[data-testid=conversation-row][data-conversation-id="${conversation.id}"]`);
      await waitFor(async () => (await row.textContent())?.includes('[Image]'), 'the row never previewed the image');
      expect(await row.textContent()).not.toContain('[图片]');
    }
  });
});
