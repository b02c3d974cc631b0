import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
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

export type Watched = ReturnType<typeof watchPage>;
export type PageOptions = { viewport?: { width: number; height: number } };
export type OpenedPage = { page: Page; watched: Watched; context: BrowserContext };

/** What `useBrowser` gives a test file: the browser, and new contexts and pages that the hooks close. */
export type BrowserSession = {
  /** The Chromium every test file shares (launched by the first file, closed when the test worker exits). */
  readonly browser: Browser;
  /** A new context (zh-CN, Asia/Shanghai, 15 s timeouts), closed after the test. */
  context(): Promise<BrowserContext>;
  /** A page in a new context, watched (watchPage) as `label`, sized to `viewport` if given. Not signed in. */
  page(label: string, options?: PageOptions): Promise<OpenedPage>;
  /**
   * As `page`, signed in as the owner by a session cookie (a login through the API), then opened at `path` (the
   * workbench by default) once the app shows who is signed in. The login page itself is tested in login.e2e.ts.
   */
  signedIn(label?: string, options?: PageOptions & { path?: string }): Promise<OpenedPage>;
};

// The test files run one after another in one worker (vitest.config.ts: isolate false), so they share one Chromium:
// launching it costs seconds on a loaded 2-core machine. Playwright closes it when the worker process exits.
let sharedBrowser: Promise<Browser> | undefined;

/**
 * The browser scaffolding of a test file, registered as hooks where it is called (at the top of a describe): every
 * context made through the session is closed after each test, or after the last test with `closeContexts: 'afterAll'`.
 * Hooks the file registers after this call run before its afterEach/afterAll (vitest runs "after" hooks in reverse
 * order), so a file's own cleanup still runs while its pages are open.
 */
export function useBrowser(options: { closeContexts?: 'afterEach' | 'afterAll' } = {}): BrowserSession {
  let launched: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const closeContexts = async () => {
    for (const context of contexts.splice(0)) await context.close().catch(() => {});
  };
  beforeAll(async () => {
    sharedBrowser ??= launchBrowser();
    launched = await sharedBrowser;
  });
  if (options.closeContexts !== 'afterAll') afterEach(closeContexts);
  afterAll(closeContexts);
  const session: BrowserSession = {
    get browser() {
      if (!launched) throw new Error('useBrowser: the browser is launched in beforeAll; use it inside a hook or test');
      return launched;
    },
    async context() {
      const context = await newContext(session.browser);
      contexts.push(context);
      return context;
    },
    async page(label, pageOptions = {}) {
      const context = await session.context();
      const page = await context.newPage();
      if (pageOptions.viewport) await page.setViewportSize(pageOptions.viewport);
      return { page, watched: watchPage(page, label), context };
    },
    async signedIn(label = 'owner', { path = '/', ...pageOptions } = {}) {
      const opened = await session.page(label, pageOptions);
      await signInByCookie(opened.context);
      // Waits on what the app shows rather than on every asset's load event: on a loaded CI machine the first load
      // of the bundle alone has taken more than the context's 15 s.
      await opened.page.goto(path, { waitUntil: 'commit' });
      await opened.page.locator('[data-testid=current-user]').waitFor({ state: 'visible', timeout: 60_000 });
      return opened;
    },
  };
  return session;
}

/** Gives the context a fresh session of the owner's, as the login page would have. */
async function signInByCookie(context: BrowserContext): Promise<void> {
  const { origin } = e2e();
  const api = new ApiClient(origin);
  await api.request('POST', '/api/v1/auth/login', { email: OWNER.email, password: OWNER.password });
  const cookies = api.cookie.split('; ').map((pair) => {
    const [name = '', ...value] = pair.split('=');
    return { name, value: value.join('='), url: origin };
  });
  await context.addCookies(cookies);
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
 * Chooses an option of an Ant Design <Select> by its visible text and waits until the select shows it as its value. `search`
 * is typed into a searchable select first (it narrows long lists, whose options outside the view are not rendered).
 * `select` is the select (its data-testid) or an element around it.
 *
 * The option is taken from this select's own dropdown, the one its combobox names in aria-controls: the dropdown of a
 * select used just before can still be closing with the same option in it (the ticket filter's 已关闭 and the bulk
 * edit's). A pick that did not land (a re-render closed the dropdown under the pointer; seen in CI on a loaded
 * machine) is tried again. An option the select already shows is not clicked again, so a multiple select keeps it.
 * Only the select's value is read (a single select's chosen item; a multiple select's tags), never the placeholder,
 * the typed search or the dropdown. A single select is left closed, its dropdown gone, so that the next click (often the
 * OK of the dialog the select is in) cannot land on a dropdown still fading out, nor go before the value is set.
 */
export async function pickOption(
  page: Page,
  select: Locator,
  label: string,
  options: { search?: string } = {},
): Promise<void> {
  const combobox = select.locator('input[role=combobox]').first();
  const state = () =>
    select.evaluate((element, text) => {
      const root = element.matches('.ant-select') ? element : (element.querySelector('.ant-select') ?? element);
      const multiple = root.classList.contains('ant-select-multiple');
      let values: string[];
      if (multiple) {
        // The tags, read as the whole select without its placeholder, typed search and dropdown.
        const shown = root.cloneNode(true) as Element;
        for (const node of shown.querySelectorAll('.ant-select-placeholder, .ant-select-dropdown, input'))
          node.remove();
        values = [shown.textContent ?? ''];
      } else {
        const content = root.querySelector('.ant-select-content')?.cloneNode(true) as Element | undefined;
        for (const node of content?.querySelectorAll('.ant-select-placeholder, input') ?? []) node.remove();
        values = content ? [content.textContent ?? ''] : [];
      }
      return { multiple, shows: values.some((value) => value.trim().includes(text)) };
    }, label);
  // The combobox names its list in aria-controls only while open; the list's id is the combobox's plus `_list`.
  const listId = async () => {
    const id = await combobox.getAttribute('id');
    return id ? `${id}_list` : null;
  };
  const ownDropdown = async () => {
    const id = (await combobox.getAttribute('aria-controls')) ?? (await listId());
    const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    return id ? open.filter({ has: page.locator(`[id="${id}"]`) }) : open;
  };
  const picked = await waitFor(async () => {
    const before = await state();
    if (before.shows) return before;
    if ((await combobox.getAttribute('aria-expanded')) !== 'true') {
      await select.click();
      await select.locator('input[role=combobox][aria-expanded=true]').waitFor({ timeout: 3_000 });
    }
    if (options.search !== undefined) await combobox.fill(options.search);
    const own = await ownDropdown();
    await own.last().locator('.ant-select-item-option', { hasText: label }).first().click({ timeout: 3_000 });
    const after = await state();
    return after.shows ? after : undefined;
  }, `the select does not show 「${label}」`);
  if (picked?.multiple) return;
  // A single select closes on the pick; wait until it has and its dropdown has faded out.
  await select.locator('input[role=combobox]:not([aria-expanded=true])').first().waitFor({ timeout: 10_000 });
  const id = await listId();
  if (id)
    await page
      .locator('.ant-select-dropdown', { has: page.locator(`[id="${id}"]`) })
      .waitFor({ state: 'hidden', timeout: 2_000 })
      .catch(() => {});
  if (!(await state()).shows) throw new Error(`the select stopped showing 「${label}」 after its dropdown closed`);
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
