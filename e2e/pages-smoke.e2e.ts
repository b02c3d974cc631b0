import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../scripts/lib/huike-server.ts';
import { type Credentials, e2e, findConversation, ownerApi, runId, sleep, useBrowser, waitFor } from './support.ts';

// Opens every page of the web app, as the owner and as an agent (客服), and fails on anything a user would see go
// wrong while it loads: an error alert/message/notification, a failed-load result, a refused API call, an uncaught
// error or a console error. All pages are visited before the one assertion, so one run lists every broken page.

/** What Ant Design shows for a failure: error alerts, messages and notifications, and error/exception results. */
const ERROR_UI = [
  '.ant-alert-error',
  '.ant-message-notice-error',
  '.ant-notification-notice-error',
  '.ant-result-error',
  '.ant-result-warning',
  '.ant-result-403',
  '.ant-result-404',
  '.ant-result-500',
].join(', ');
/** The states the app shows a role without the permission (ErrorState's 无权限, the import and audit pages' own). */
const FORBIDDEN_TEXT = /你的角色没有此操作的权限|你的角色不能导入数据|只有所有者和管理员可以查看操作日志/;
const CUSTOMER_TABS = ['profile', 'messages', 'tags', 'orders', 'timeline', 'identities', 'duplicates'];
/**
 * The pages an agent has no permission for (packages/contracts permissions.ts: reports:read, automation:read,
 * queue:monitor, webhooks:manage, routing:manage, audit:read, customers:import / orders:write): the menu (or, for the
 * import, the customers page) does not offer them.
 */
const AGENT_FORBIDDEN = [
  '/customers/import',
  '/automation',
  '/reports',
  '/reports/live',
  '/settings/webhooks',
  '/settings/holidays',
  '/settings/keyword-replies',
  '/settings/routing',
  '/settings/audit-log',
];

type Fixtures = { conversationId: string; customerId: string; ticketId: string; segmentId: string; inboxId: string };
type Expect = 'works' | 'forbidden';

/** Every page of the router (App.tsx) that is not a redirect, detail pages opened on the fixtures. */
function allPages(f: Fixtures): string[] {
  return [
    '/inbox',
    `/inbox/${f.conversationId}`,
    '/customers',
    '/customers/stale-profiles',
    '/customers/import',
    ...CUSTOMER_TABS.map((tab) => `/customers/${f.customerId}/${tab}`),
    '/segments',
    '/segments/new',
    `/segments/${f.segmentId}`,
    '/templates',
    '/automation',
    '/tickets',
    `/tickets/${f.ticketId}`,
    '/knowledge',
    '/reports',
    '/reports/live',
    '/settings/workspace',
    '/settings/users',
    '/settings/inboxes',
    `/settings/inboxes/${f.inboxId}`,
    '/settings/webhooks',
    '/settings/tokens',
    '/settings/customer-fields',
    '/settings/tags',
    '/settings/customer-value',
    '/settings/holidays',
    '/settings/keyword-replies',
    '/settings/sla',
    '/settings/routing',
    '/settings/bot',
    '/settings/surveys',
    '/settings/audit-log',
  ];
}

/** The pages under a page an agent reaches from the menu (its detail pages and sub-pages). */
function agentSubPages(f: Fixtures): string[] {
  return [
    `/inbox/${f.conversationId}`,
    '/customers/stale-profiles',
    ...CUSTOMER_TABS.map((tab) => `/customers/${f.customerId}/${tab}`),
    `/segments/${f.segmentId}`,
    `/tickets/${f.ticketId}`,
    `/settings/inboxes/${f.inboxId}`,
  ];
}

async function createFixtures(api: ApiClient): Promise<Fixtures> {
  const run = runId();
  const text = `页面巡检 ${run}`;
  const { origin, inboxToken } = e2e();
  const visitor = new ApiClient(origin);
  const session = await visitor.request<{ sourceId: string; visitorToken: string }>(
    'POST',
    `/public/v1/inboxes/${inboxToken}/visitors`,
    {},
  );
  await visitor.request(
    'POST',
    `/public/v1/inboxes/${inboxToken}/messages`,
    { sourceId: session.sourceId, content: text },
    { 'x-huike-visitor-token': session.visitorToken },
  );
  const conversation = await findConversation(api, text);
  const ticket = await api.request<{ id: string }>('POST', '/api/v1/tickets', {
    subject: `巡检工单 ${run}`,
    customerId: conversation.customerId,
  });
  const segment = await api.request<{ id: string }>('POST', '/api/v1/segments', {
    name: `巡检分组 ${run}`,
    filter: { op: 'and', conditions: [{ field: 'name', op: 'contains', value: run }] },
  });
  const inbox = await api.request<{ id: string }>('POST', '/api/v1/inboxes', {
    name: `巡检渠道 ${run}`,
    channelType: 'website',
  });
  return {
    conversationId: conversation.id,
    customerId: conversation.customerId,
    ticketId: ticket.id,
    segmentId: segment.id,
    inboxId: inbox.id,
  };
}

async function createAgent(api: ApiClient): Promise<Credentials> {
  const run = runId();
  const user = { email: `smoke-agent-${run}@e2e.huike`, password: `smoke-pass-${run}-1` };
  await api.request('POST', '/api/v1/users', { ...user, name: `巡检客服${run}`, role: 'agent' });
  return user;
}

/**
 * Records, from the first script of every document, each error element Ant Design adds (messages and notifications
 * fade out after seconds, so a check of what is visible at the end would miss them).
 */
function recordErrorUi(selector: string) {
  const shown: Element[] = [];
  (window as unknown as { __shownErrors: Element[] }).__shownErrors = shown;
  const record = (node: Node) => {
    if (!(node instanceof Element)) return;
    if (node.matches(selector)) shown.push(node);
    for (const inner of node.querySelectorAll(selector)) shown.push(inner);
  };
  new MutationObserver((mutations) => {
    for (const mutation of mutations) for (const node of mutation.addedNodes) record(node);
  }).observe(document, { childList: true, subtree: true });
}

/** Watches one page load: API calls in flight and refused, console errors. */
function watchLoad(page: Page) {
  const inFlight = new Set<string>();
  const refused: { status: number; line: string }[] = [];
  const consoleErrors: string[] = [];
  let lastActivity = Date.now();
  const isApi = (url: string) => new URL(url).pathname.startsWith('/api/');
  page.on('request', (request) => {
    if (!isApi(request.url())) return;
    inFlight.add(`${request.method()} ${request.url()}`);
    lastActivity = Date.now();
  });
  const settle = (request: { method(): string; url(): string }) => {
    inFlight.delete(`${request.method()} ${request.url()}`);
    lastActivity = Date.now();
  };
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  page.on('response', async (response) => {
    if (!isApi(response.url()) || response.status() < 400) return;
    const body = await response.text().catch(() => '');
    const { pathname, search } = new URL(response.url());
    refused.push({
      status: response.status(),
      line: `${response.request().method()} ${pathname}${search} → ${response.status()} ${body.slice(0, 300)}`,
    });
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // A refused API call is also logged as a failed resource; it is reported (or allowed) from its response.
    const url = message.location().url;
    if (message.text().startsWith('Failed to load resource') && url && isApi(url)) return;
    consoleErrors.push(`${message.text().slice(0, 300)}${url ? ` (${url})` : ''}`);
  });
  return {
    refused,
    consoleErrors,
    reset() {
      inFlight.clear();
      refused.length = 0;
      consoleErrors.length = 0;
      lastActivity = Date.now();
    },
    /** Resolves once no API call has been in flight for half a second (polls come and go; a page never settling fails). */
    async quiet() {
      await waitFor(
        () => inFlight.size === 0 && Date.now() - lastActivity > 500,
        `API calls still in flight: ${[...inFlight].join(', ')}`,
        30_000,
      );
    },
  };
}

type Load = ReturnType<typeof watchLoad>;

/** Opens `path` in a fresh document and returns every problem a user of it would meet. */
async function checkPage(page: Page, load: Load, pageErrors: string[], path: string, expected: Expect) {
  const problems: string[] = [];
  load.reset();
  pageErrors.length = 0;
  await page.goto(path, { waitUntil: 'commit' });
  try {
    await page.locator('[data-testid=current-user]').waitFor({ state: 'visible', timeout: 60_000 });
    await load.quiet();
    await page
      .locator('.hk-content .ant-skeleton')
      .first()
      .waitFor({ state: 'hidden', timeout: 15_000 })
      .catch(() => problems.push('still shows a loading skeleton after 15 s'));
    // What a query answering late or a toast fading in would still show.
    await sleep(250);
    await load.quiet();
  } catch (error) {
    problems.push(`never settled: ${String(error).slice(0, 300)}`);
  }
  const url = new URL(page.url());
  if (url.pathname !== path) problems.push(`ended on ${url.pathname} instead`);
  const shown = await page.evaluate(() =>
    (window as unknown as { __shownErrors?: Element[] }).__shownErrors?.map((element) =>
      (element.textContent ?? '').trim().slice(0, 300),
    ),
  );
  for (const text of new Set(shown ?? [])) {
    // A 403 result saying 无权限 is how some pages (webhooks) answer a role without the permission.
    if (expected === 'forbidden' && FORBIDDEN_TEXT.test(text)) continue;
    problems.push(`shows an error: 「${text}」`);
  }
  const allowed = expected === 'forbidden' ? 403 : undefined;
  for (const response of load.refused) if (response.status !== allowed) problems.push(`API ${response.line}`);
  for (const error of pageErrors) problems.push(`uncaught: ${error}`);
  for (const line of load.consoleErrors) problems.push(`console error: ${line}`);
  if (expected === 'forbidden' && !(await page.getByText(FORBIDDEN_TEXT).first().isVisible())) {
    problems.push('opened by URL without the permission, but does not say 无权限');
  }
  return problems;
}

/** The paths the side menu links to, with every sub-menu opened. */
async function menuPaths(page: Page): Promise<string[]> {
  const closed = page.locator('.hk-menu .ant-menu-submenu:not(.ant-menu-submenu-open) > .ant-menu-submenu-title');
  while ((await closed.count()) > 0) {
    await closed.first().click();
    await sleep(300);
  }
  const hrefs = await page
    .locator('.hk-menu a[href]')
    .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  return [...new Set(hrefs)];
}

describe('every page opens without an error', () => {
  const browser = useBrowser();
  let fixtures: Fixtures;
  let agent: Credentials;

  beforeAll(async () => {
    const api = ownerApi();
    fixtures = await createFixtures(api);
    agent = await createAgent(api);
  });

  async function visitAll(label: string, user: Credentials | undefined, pages: [string, Expect][]) {
    const { page, context, watched } = await browser.signedIn(label, { user, viewport: { width: 1440, height: 900 } });
    await context.addInitScript(recordErrorUi, ERROR_UI);
    const load = watchLoad(page);
    const failures: string[] = [];
    for (const [path, expected] of pages) {
      const problems = await checkPage(page, load, watched.errors, path, expected);
      if (problems.length) failures.push(`${label} ${path}:\n    ${problems.join('\n    ')}`);
    }
    return { page, failures, dialogs: watched.dialogs };
  }

  it('as the owner: every page, and the menu links to no page this test misses', async () => {
    const pages = allPages(fixtures);
    const { page, failures, dialogs } = await visitAll(
      'owner',
      undefined,
      pages.map((path) => [path, 'works']),
    );
    await page.goto('/inbox', { waitUntil: 'commit' });
    await page.locator('[data-testid=current-user]').waitFor({ state: 'visible', timeout: 60_000 });
    const untested = (await menuPaths(page)).filter((path) => !pages.includes(path));
    if (untested.length) failures.push(`the menu links to pages this test does not open: ${untested.join(', ')}`);
    expect(failures.join('\n'), `${failures.length} page(s) show a problem`).toBe('');
    expect(dialogs).toEqual([]);
  }, 900_000);

  it('as an agent: every page the menu offers works; the others, opened by URL, say 无权限', async () => {
    const opened = await browser.signedIn('agent-menu', { user: agent, path: '/inbox' });
    const offered = await menuPaths(opened.page);
    const works = [...offered, ...agentSubPages(fixtures)];
    const menuProblems = [
      ...offered.filter((path) => AGENT_FORBIDDEN.includes(path)).map((path) => `the agent's menu offers ${path}`),
      ...allPages(fixtures)
        .filter((path) => !works.includes(path) && !AGENT_FORBIDDEN.includes(path) && path !== '/segments/new')
        .map((path) => `${path} is neither in the agent's menu nor known as forbidden to agents`),
    ];
    const pages: [string, Expect][] = [
      ...works.map((path): [string, Expect] => [path, 'works']),
      ...AGENT_FORBIDDEN.filter((path) => !offered.includes(path)).map((path): [string, Expect] => [path, 'forbidden']),
    ];
    const visited = await visitAll('agent', agent, pages);
    const failures = [...menuProblems, ...visited.failures];
    const { dialogs } = visited;
    expect(failures.join('\n'), `${failures.length} page(s) show a problem`).toBe('');
    expect(dialogs).toEqual([]);
  }, 900_000);
});
