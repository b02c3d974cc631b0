import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

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
  // Files are looked up per request (not one route per built file), so a rebuild needs no restart and the
  // route table does not depend on what was built. A missing file falls through to the SPA fallback.
  await app.register(fastifyStatic, { root: webDist, prefix: '/', index: false });
  await app.register(fastifyStatic, { root: path.join(widgetDist, 'app'), prefix: '/widget/', decorateReply: false });

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

  const indexHtml = () => {
    const file = path.join(webDist, 'index.html');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : missingBuild('管理后台');
  };
  /** The web app's routes (/inbox, /settings/…) are the client's: answer them with index.html. */
  const serveSpa = (url: string, reply: FastifyReply) => {
    const pathname = url.split('?')[0] ?? '/';
    if (pathname.startsWith('/api/') || pathname.startsWith('/public/') || path.extname(pathname)) return false;
    reply.type('text/html; charset=utf-8').send(indexHtml());
    return true;
  };
  app.get('/', { schema: { hide: true } }, (request, reply) => {
    serveSpa(request.url, reply);
  });
  return serveSpa;
}
