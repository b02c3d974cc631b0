import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { ApiClient, OWNER } from '../scripts/lib/huike-server.ts';

export { OWNER };

export const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export function e2e() {
  return inject('e2e');
}

/** An API client signed in as the owner (the session made by the global setup). */
export function ownerApi(): ApiClient {
  const { origin, cookie, csrfToken } = e2e();
  const api = new ApiClient(origin);
  api.cookie = cookie;
  api.csrfToken = csrfToken;
  return api;
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: e2e().origin, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Collects what a page would have shown as alert()/confirm() and any uncaught page error. */
export function watchPage(page: Page, label: string) {
  const dialogs: string[] = [];
  const errors: string[] = [];
  const consoleLines: string[] = [];
  page.on('console', (message) => {
    if (consoleLines.length < 200) consoleLines.push(`${message.type()}: ${message.text().slice(0, 300)}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${label}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss().catch(() => {});
  });
  page.on('pageerror', (error) => errors.push(`${label}: ${error.message}`));
  return { dialogs, errors, console: consoleLines };
}

/** The UI language the app reads on its next load (what the language switch stores). */
export const setLanguage = (page: Page, language: 'zh-CN' | 'en') =>
  page.evaluate((value) => window.localStorage.setItem('huike.language', value), language);

/**
 * Fills an input even when the test id sits on a wrapper (Ant Design puts some props on the
 * affix wrapper rather than on the <input>).
 */
export async function fillField(locator: Locator, value: string): Promise<void> {
  await locator.waitFor({ state: 'visible' });
  const isEditable = await locator.evaluate((element) =>
    element.matches('input, textarea, [contenteditable=""], [contenteditable="true"]'),
  );
  const target = isEditable ? locator : locator.locator('input, textarea, [contenteditable]').first();
  await target.fill(value);
}

/** Types and sends with Enter, the way a person does. */
export async function typeAndSend(locator: Locator, text: string): Promise<void> {
  await fillField(locator, text);
  await locator.press('Enter');
}

export async function loginThroughUi(page: Page, password: string = OWNER.password): Promise<void> {
  await page.goto('/login');
  await fillField(page.locator('[data-testid=login-email]'), OWNER.email);
  await fillField(page.locator('[data-testid=login-password]'), password);
  await page.locator('[data-testid=login-submit]').click();
}

/** Logs the owner in through the login page and waits until the workbench shows who is signed in. */
export async function loginAsOwner(page: Page): Promise<void> {
  await loginThroughUi(page);
  await page.locator('[data-testid=current-user]').waitFor({ state: 'visible' });
}

/**
 * Opens a dropdown menu, clicks one of its items and waits for what the item opens. A menu can close under the
 * pointer, or a click can be lost, when the page re-renders while it loads (a refetch landing right after a save;
 * seen in CI on a loaded machine), so the whole choice is retried, as a person would, until `opens` shows.
 */
export async function chooseMenuItem(page: Page, trigger: Locator, label: string, opens: Locator): Promise<void> {
  const item = page.locator('.ant-dropdown:not(.ant-dropdown-hidden) .ant-dropdown-menu-item', { hasText: label });
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await item.isVisible())) await trigger.click();
      await item.click({ timeout: 5_000 });
      await opens.waitFor({ state: 'visible', timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      if (await opens.isVisible()) return;
      await page.keyboard.press('Escape');
    }
  }
}

/**
 * Chooses an option of an Ant Design <Select> by its visible text and waits until the select shows it. `search` is
 * typed into a searchable select first (it narrows long lists, whose options outside the view are not rendered).
 * `select` is the select (its data-testid) or an element around it.
 *
 * The option is taken from this select's own dropdown, the one its combobox names in aria-controls: the dropdown of a
 * select used just before can still be closing with the same option in it (the ticket filter's 已关闭 and the bulk
 * edit's). A pick that did not land (a re-render closed the dropdown under the pointer; seen in CI on a loaded
 * machine) is tried again. An option the select already shows is not clicked again, so a multiple select keeps it.
 */
export async function pickOption(
  page: Page,
  select: Locator,
  label: string,
  options: { search?: string } = {},
): Promise<void> {
  const combobox = select.locator('input[role=combobox]').first();
  const shows = () =>
    select.evaluate((element, text) => {
      const root = element.matches('.ant-select') ? element : (element.querySelector('.ant-select') ?? element);
      const shown = root.cloneNode(true) as Element;
      for (const node of shown.querySelectorAll('.ant-select-placeholder, .ant-select-dropdown')) node.remove();
      return (shown.textContent ?? '').includes(text);
    }, label);
  await waitFor(async () => {
    if (await shows()) return true;
    if ((await combobox.getAttribute('aria-expanded')) !== 'true') {
      await select.click();
      await select.locator('input[role=combobox][aria-expanded=true]').waitFor({ timeout: 3_000 });
    }
    if (options.search !== undefined) await combobox.fill(options.search);
    const listId = await combobox.getAttribute('aria-controls');
    const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    const own = listId ? open.filter({ has: page.locator(`[id="${listId}"]`) }) : open;
    await own.last().locator('.ant-select-item-option', { hasText: label }).first().click({ timeout: 3_000 });
    return shows();
  }, `the select does not show 「${label}」`);
}

/** Waits until `predicate` returns a truthy value, or throws `message` after `timeoutMs`. */
export async function waitFor<T>(predicate: () => Promise<T> | T, message: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${message} (waited ${timeoutMs} ms${lastError ? `; last error: ${String(lastError)}` : ''})`);
}

export async function textsOf(locator: Locator): Promise<string[]> {
  return locator.evaluateAll((elements) => elements.map((element) => element.textContent ?? ''));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A short id that makes this run's message texts unique. */
export const runId = () => Math.random().toString(36).slice(2, 8);

type Page_<T> = { items: T[]; nextCursor: string | null };
type ConversationRow = { id: string; customerId: string; lastMessagePreview: string | null };
type MessageRow = { id: string; content: string; direction: string };

/** Every message of every conversation in the workspace, read through the agent API. */
export async function allStoredMessages(api: ApiClient): Promise<{ conversationId: string; messages: MessageRow[] }[]> {
  const conversations = await api.request<Page_<ConversationRow>>(
    'GET',
    '/api/v1/conversations?assignee=all&limit=100',
  );
  const result: { conversationId: string; messages: MessageRow[] }[] = [];
  for (const conversation of conversations.items) {
    const messages: MessageRow[] = [];
    let cursor: string | null = null;
    for (let pageNo = 0; pageNo < 20; pageNo++) {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: Page_<MessageRow> = await api.request<Page_<MessageRow>>(
        'GET',
        `/api/v1/conversations/${conversation.id}/messages?limit=100${query}`,
      );
      messages.unshift(...page.items);
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    result.push({ conversationId: conversation.id, messages });
  }
  return result;
}

/** The conversation whose latest message is `preview` (unique per test run), once it shows in the inbox list. */
export async function findConversation(api: ApiClient, preview: string): Promise<ConversationRow> {
  const found = await waitFor(async () => {
    const page = await api.request<{ items: ConversationRow[] }>('GET', '/api/v1/conversations?assignee=all&limit=100');
    return page.items.find((item) => item.lastMessagePreview === preview);
  }, 'the visitor’s conversation never appeared');
  if (!found) throw new Error('the visitor’s conversation never appeared');
  return found;
}
