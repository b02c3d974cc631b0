import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const webDist = path.join(repoRoot, 'apps/web/dist');
const widgetDist = path.join(repoRoot, 'apps/widget/dist');
const demoShopPage = path.join(repoRoot, 'apps/widget/demo/shop.html');

const missingBuild = (what: string) =>
  `<!doctype html><meta charset="utf-8"><title>Huike</title><p>${what} 尚未构建：请先运行 <code>npm run build</code>（npm start 会自动构建）。</p>`;

/**
 * Serves the built web app (with SPA fallback), the widget loader and iframe app, and the demo shop page.
 * `demoInboxToken` fills the demo page's embed snippet.
 */
export async function registerStaticAssets(app: FastifyInstance, demoInboxToken: () => Promise<string | undefined>) {
  const hasWeb = fs.existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: false });
  }
  if (fs.existsSync(path.join(widgetDist, 'app'))) {
    await app.register(fastifyStatic, {
      root: path.join(widgetDist, 'app'),
      prefix: '/widget/',
      decorateReply: !hasWeb,
    });
  }

  app.get('/widget.js', { schema: { hide: true } }, (_request, reply) => {
    const loader = path.join(widgetDist, 'loader/widget.js');
    if (!fs.existsSync(loader)) return reply.status(503).type('text/plain').send('widget not built');
    return reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(fs.createReadStream(loader));
  });

  app.get('/demo/shop', { schema: { hide: true } }, async (_request, reply) => {
    const token = await demoInboxToken();
    const html = fs.existsSync(demoShopPage) ? fs.readFileSync(demoShopPage, 'utf8') : missingBuild('演示店铺页面');
    const safeToken = (token ?? '').replace(/[^\w-]/g, '');
    return reply.type('text/html; charset=utf-8').send(html.replaceAll('__INBOX_TOKEN__', safeToken));
  });

  const indexHtml = () =>
    hasWeb ? fs.readFileSync(path.join(webDist, 'index.html'), 'utf8') : missingBuild('管理后台');
  return function serveSpa(url: string, reply: import('fastify').FastifyReply) {
    const pathname = url.split('?')[0] ?? '/';
    if (pathname.startsWith('/api/') || pathname.startsWith('/public/') || path.extname(pathname)) return false;
    reply.type('text/html; charset=utf-8').send(indexHtml());
    return true;
  };
}
