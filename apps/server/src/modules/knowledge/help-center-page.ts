import type { PublicHelpArticle, PublicHelpList } from '@huike/contracts';
import { escapeHtml } from './sanitize.ts';

/**
 * The public help centre, rendered on the server: no script at all (the page's CSP forbids it), every value
 * escaped; article bodies are HTML sanitised when they were saved (sanitize.ts).
 */
const STYLE = `
  body { margin: 0; font: 15px/1.7 -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; color: #1f1f1f; background: #f5f6f8; }
  header { background: #1677ff; color: #fff; padding: 28px 20px; }
  header a { color: #fff; text-decoration: none; }
  h1 { margin: 0 0 12px; font-size: 22px; }
  main { max-width: 760px; margin: 0 auto; padding: 20px; }
  form { display: flex; gap: 8px; max-width: 760px; margin: 0 auto; }
  input[type=search] { flex: 1; padding: 10px 12px; border-radius: 8px; border: 0; font-size: 15px; }
  button { padding: 10px 18px; border-radius: 8px; border: 0; background: #fff; color: #1677ff; font-size: 15px; cursor: pointer; }
  section { background: #fff; border-radius: 10px; padding: 8px 20px; margin-bottom: 16px; }
  h2 { font-size: 16px; margin: 12px 0 4px; }
  ul { list-style: none; padding: 0; margin: 0; }
  li { padding: 10px 0; border-bottom: 1px solid #f0f0f0; }
  li:last-child { border-bottom: 0; }
  li a { color: #1677ff; text-decoration: none; font-weight: 500; }
  li p { margin: 2px 0 0; color: #666; font-size: 13px; }
  article { background: #fff; border-radius: 10px; padding: 20px 24px; }
  article img { max-width: 100%; }
  .muted { color: #888; font-size: 13px; }
  .back { display: inline-block; margin-bottom: 12px; color: #1677ff; text-decoration: none; }
`;

const layout = (title: string, header: string, content: string) => `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header>${header}</header><main>${content}</main></body></html>`;

const base = (token: string) => `/help/${encodeURIComponent(token)}`;

export function renderHelpIndexPage(token: string, list: PublicHelpList, q: string | undefined): string {
  const header = `<div style="max-width:760px;margin:0 auto"><h1><a href="${base(token)}">帮助中心</a></h1>
<form method="get" action="${base(token)}" role="search"><input type="search" name="q" value="${escapeHtml(q ?? '')}" placeholder="搜索问题，例如：怎么退货" data-testid="help-search"><button type="submit">搜索</button></form></div>`;
  const item = (article: PublicHelpList['articles'][number]) =>
    `<li><a href="${base(token)}/articles/${escapeHtml(article.id)}">${escapeHtml(article.title)}</a><p>${escapeHtml(article.excerpt)}</p></li>`;
  let content: string;
  if (list.articles.length === 0) {
    content = `<section><p class="muted">${q ? `没有找到与「${escapeHtml(q)}」相关的文章` : '暂无文章'}</p></section>`;
  } else if (q) {
    content = `<section><h2>「${escapeHtml(q)}」的搜索结果</h2><ul>${list.articles.map(item).join('')}</ul></section>`;
  } else {
    const names = new Map(list.categories.map((category) => [category.id, category.name]));
    const groups = new Map<string, PublicHelpList['articles']>();
    for (const article of list.articles) {
      const key = article.categoryId && names.has(article.categoryId) ? article.categoryId : '';
      groups.set(key, [...(groups.get(key) ?? []), article]);
    }
    const order = [...list.categories.map((category) => category.id), ''].filter((key) => groups.has(key));
    content = order
      .map(
        (key) =>
          `<section><h2>${escapeHtml(names.get(key) ?? '其他')}</h2><ul>${groups.get(key)!.map(item).join('')}</ul></section>`,
      )
      .join('');
  }
  return layout('帮助中心', header, content);
}

export function renderHelpArticlePage(token: string, article: PublicHelpArticle | null): string {
  const header = `<div style="max-width:760px;margin:0 auto"><h1><a href="${base(token)}">帮助中心</a></h1></div>`;
  if (!article) {
    return layout('文章不存在', header, `<section><p class="muted">文章不存在或已下线</p></section>`);
  }
  const updated = new Date(article.updatedAt).toISOString().slice(0, 10);
  return layout(
    article.title,
    header,
    `<a class="back" href="${base(token)}">← 返回帮助中心</a><article><h1>${escapeHtml(article.title)}</h1>
<p class="muted">更新于 ${updated}</p><div data-testid="help-article-body">${article.body}</div></article>`,
  );
}
