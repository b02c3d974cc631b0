import type { PublicSurvey } from '@huike/contracts';

/** As SURVEY_LINK_PATTERN in contracts (a type-only import keeps zod out of the widget bundle). */
const SURVEY_LINK_PATTERN = /\/s\/([A-Za-z0-9_-]{16,64})/;

// The satisfaction rating card: a system message carrying a survey link (`/s/{token}`) becomes stars (CSAT 1–5)
// or 0–10 buttons (NPS), an optional comment and 提交; answered surveys show a thank-you line.

const strings = {
  'zh-CN': {
    submit: '提交',
    comment: '还有什么想告诉我们的吗？（选填）',
    thanks: '感谢您的评价！',
    expired: '评价邀请已过期',
    failed: '提交失败，请稍后重试',
    unlikely: '完全不可能',
    likely: '非常可能',
    stars: (n: number) => `${n} 星`,
  },
  en: {
    submit: 'Submit',
    comment: 'Anything else you would like to tell us? (optional)',
    thanks: 'Thank you for your feedback!',
    expired: 'This survey has expired',
    failed: 'Could not send, please try again',
    unlikely: 'Not likely',
    likely: 'Very likely',
    stars: (n: number) => (n === 1 ? '1 star' : `${n} stars`),
  },
};

let isStyled = false;
const css = `
.survey-card{margin:6px auto 0;padding:12px;max-width:280px;background:#fff;border:1px solid #e5e6eb;border-radius:10px;text-align:center;font-size:13px;color:#1f2329}
.survey-card .question{margin-bottom:8px}
.survey-card .scores{display:flex;flex-wrap:wrap;justify-content:center;gap:4px;margin-bottom:8px}
.survey-card .scores button{min-width:24px;height:28px;border:1px solid #d0d3d6;border-radius:6px;background:#fff;cursor:pointer;font-size:13px}
.survey-card .scores.csat button{border:0;background:none;font-size:24px;color:#d0d3d6;padding:0 2px}
.survey-card .scores.csat button.on{color:#fadb14}
.survey-card .scores.nps button.on{background:var(--brand,#1677ff);border-color:var(--brand,#1677ff);color:#fff}
.survey-card .hint{display:flex;justify-content:space-between;color:#8f959e;font-size:11px;margin:-4px 0 8px}
.survey-card textarea{width:100%;box-sizing:border-box;min-height:48px;border:1px solid #d0d3d6;border-radius:6px;padding:6px;font:inherit;resize:vertical}
.survey-card .submit{margin-top:8px;width:100%;height:32px;border:0;border-radius:6px;background:var(--brand,#1677ff);color:#fff;cursor:pointer}
.survey-card .submit:disabled{opacity:.5;cursor:default}
.survey-card .error{color:#cf1322;font-size:12px;min-height:1em}
.survey-card .done{color:#646a73}`;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

const surveyUrl = (token: string) => `/public/v1/surveys/${encodeURIComponent(token)}`;

/**
 * What of the invitation still belongs above the card: the server writes 「感谢您的咨询！{question}点击评价：{link}」
 * (「Thank you for contacting us! {question} Rate us: {link}」 to English-speaking buyers), and the card already asks the question and replaces the link, so only the thank-you lead is left (or nothing).
 */
export function surveyLead(content: string, question: string): string {
  let text = content
    .replace(/(?:点击评价[:：]?|Rate us:)\s*\S*/g, '')
    .replace(/(?:https?:\/\/[^\s/]*)?\/s\/[A-Za-z0-9_-]{16,64}/g, '')
    .trim();
  const asked = question.trim();
  if (asked) text = text.split(asked).join('');
  return text.replace(/\s{2,}/g, ' ').trim();
}

/**
 * When a system message carries a survey link, the rating card takes its place: the question is asked once, on the
 * card, with only the short thank-you lead above it. Until the survey has loaded the bubble waits hidden; if it
 * cannot load, the original message (with its link) shows as it was.
 */
export function decorateSurvey(el: HTMLElement, content: string, lang: string) {
  const token = content.match(SURVEY_LINK_PATTERN)?.[1];
  if (!token || el.querySelector('.survey-card')) return;
  const t = lang === 'en' ? strings.en : strings['zh-CN'];
  if (!isStyled) {
    document.head.append(h('style', {}, css));
    isStyled = true;
  }
  const bubble = el.querySelector<HTMLElement>('.bubble');
  if (bubble) bubble.hidden = true;
  const card = h('div', { class: 'survey-card', 'data-testid': 'survey-card' });
  el.append(card);
  const fallBack = () => {
    card.remove();
    if (bubble) bubble.hidden = false;
  };
  const done = (text: string) =>
    card.replaceChildren(h('div', { class: 'done', 'data-testid': 'survey-thanks' }, text));

  fetch(surveyUrl(token))
    .then((response) => (response.ok ? (response.json() as Promise<PublicSurvey>) : null))
    .then((survey) => {
      if (!survey) return fallBack();
      if (bubble) {
        const lead = surveyLead(content, survey.question);
        if (lead) {
          bubble.textContent = lead;
          bubble.hidden = false;
        } else bubble.remove();
      }
      if (survey.state === 'answered') return done(t.thanks);
      if (survey.state === 'expired') return done(t.expired);
      let score: number | null = null;
      const buttons: HTMLButtonElement[] = [];
      for (let value = survey.min; value <= survey.max; value++) {
        const button = h(
          'button',
          {
            type: 'button',
            'data-testid': `survey-score-${value}`,
            'data-score': String(value),
            'aria-label': survey.kind === 'csat' ? t.stars(value) : String(value),
          },
          survey.kind === 'csat' ? '★' : String(value),
        );
        button.addEventListener('click', () => {
          score = value;
          for (const other of buttons) {
            const n = Number(other.dataset.score);
            other.classList.toggle('on', survey.kind === 'csat' ? n <= value : n === value);
          }
          submit.disabled = false;
        });
        buttons.push(button);
      }
      const comment = h('textarea', { maxlength: '1000', placeholder: t.comment, 'data-testid': 'survey-comment' });
      const submit = h('button', { type: 'button', class: 'submit', 'data-testid': 'survey-submit' }, t.submit);
      submit.disabled = true;
      const error = h('div', { class: 'error' });
      submit.addEventListener('click', async () => {
        if (score === null) return;
        submit.disabled = true;
        error.textContent = '';
        const text = comment.value.trim();
        try {
          const response = await fetch(`${surveyUrl(token)}/responses`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(text ? { score, comment: text } : { score }),
          });
          if (response.ok || response.status === 409) return done(t.thanks);
          if (response.status === 410) return done(t.expired);
          const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
          error.textContent = body?.error?.message ?? t.failed;
        } catch {
          error.textContent = t.failed;
        }
        submit.disabled = false;
      });
      card.replaceChildren(
        h('div', { class: 'question' }, survey.question),
        h('div', { class: `scores ${survey.kind}` }, ...buttons),
        ...(survey.kind === 'nps'
          ? [h('div', { class: 'hint' }, h('span', {}, t.unlikely), h('span', {}, t.likely))]
          : []),
        comment,
        error,
        submit,
      );
    })
    .catch(fallBack);
}
