import type { PublicSurvey } from '@huike/contracts';
import { type BuyerLocale, SURVEY_PAGE_LINES } from '../../platform/buyer-lines.ts';
import { randomToken } from '../../platform/ids.ts';

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  );

const style = `
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f6f8;color:#1f2329}
main{max-width:420px;margin:48px auto;padding:24px;background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(0,0,0,.06)}
h1{font-size:16px;color:#646a73;margin:0 0 8px}p.q{font-size:18px;margin:0 0 20px}
.scores{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:16px}
.scores button{flex:1 0 auto;min-width:34px;height:40px;border:1px solid #d0d3d6;border-radius:8px;background:#fff;font-size:18px;cursor:pointer}
.scores button.on{background:#1677ff;border-color:#1677ff;color:#fff}
.csat button{font-size:26px;border:none;color:#d0d3d6;background:none}.csat button.on{color:#fadb14;background:none}
textarea{width:100%;box-sizing:border-box;min-height:80px;border:1px solid #d0d3d6;border-radius:8px;padding:8px;font:inherit}
#submit{margin-top:12px;width:100%;height:40px;border:none;border-radius:8px;background:#1677ff;color:#fff;font-size:16px}
#submit:disabled{background:#a6c8ff}.note{color:#646a73}.error{color:#d4380d;min-height:1.2em}
.hint{display:flex;justify-content:space-between;color:#8f959e;font-size:12px;margin-top:-10px;margin-bottom:12px}`;

type PageLines = (typeof SURVEY_PAGE_LINES)[BuyerLocale];

/** A value inside the inline script: JSON, with `<` escaped so no text can close the script element. */
const scriptValue = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function bodyOf(survey: PublicSurvey | null, lines: PageLines): string {
  if (!survey)
    return `<p class="q">${escapeHtml(lines.invalid)}</p><p class="note">${escapeHtml(lines.invalidNote)}</p>`;
  const shop = `<h1>${escapeHtml(survey.workspaceName)}</h1>`;
  if (survey.state === 'answered') return `${shop}<p class="q">${escapeHtml(lines.thanks)}</p>`;
  if (survey.state === 'expired')
    return `${shop}<p class="q">${escapeHtml(lines.expired)}</p><p class="note">${escapeHtml(lines.expiredNote)}</p>`;
  const buttons = Array.from({ length: survey.max - survey.min + 1 }, (_, index) => {
    const score = survey.min + index;
    const label = escapeHtml(lines.scoreLabel.replace('{{score}}', String(score)));
    return `<button type="button" data-score="${score}" aria-label="${label}">${survey.kind === 'csat' ? '★' : score}</button>`;
  }).join('');
  const hint =
    survey.kind === 'nps'
      ? `<div class="hint"><span>${escapeHtml(lines.npsLow)}</span><span>${escapeHtml(lines.npsHigh)}</span></div>`
      : '';
  return `${shop}
<p class="q">${escapeHtml(survey.question)}</p>
<div class="scores ${survey.kind}" id="scores">${buttons}</div>${hint}
<textarea id="comment" maxlength="1000" placeholder="${escapeHtml(lines.commentPlaceholder)}"></textarea>
<p class="error" id="error"></p>
<button id="submit" type="button" disabled>${escapeHtml(lines.submit)}</button>`;
}

/** The open survey's script: picks a score, posts it, and tells the outcome in the page's language. */
function scriptOf(token: string, survey: PublicSurvey, lines: PageLines, nonce: string): string {
  const messages = {
    thanks: lines.thanks,
    failed: lines.submitFailed,
    network: lines.networkError,
    byCode: { 'survey.already_answered': lines.alreadyAnswered, 'survey.expired': lines.expired },
  };
  return `<script nonce="${nonce}">
(function(){var score=null,kind=${scriptValue(survey.kind)},token=${scriptValue(token)},t=${scriptValue(messages)};
var buttons=document.querySelectorAll('#scores button'),submit=document.getElementById('submit'),error=document.getElementById('error');
buttons.forEach(function(b){b.addEventListener('click',function(){score=Number(b.dataset.score);
buttons.forEach(function(o){var n=Number(o.dataset.score);o.classList.toggle('on',kind==='csat'?n<=score:n===score);});submit.disabled=false;});});
submit.addEventListener('click',function(){if(score===null)return;submit.disabled=true;error.textContent='';
var comment=document.getElementById('comment').value.trim();var body={score:score};if(comment)body.comment=comment;
fetch('/public/v1/surveys/'+encodeURIComponent(token)+'/responses',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){
if(x.ok){var p=document.createElement('p');p.className='q';p.textContent=t.thanks;document.querySelector('main').replaceChildren(p);}
else{var code=x.j&&x.j.error&&x.j.error.code;error.textContent=t.byCode[code]||t.failed;submit.disabled=false;}})
.catch(function(){error.textContent=t.network;submit.disabled=false;});});})();
</script>`;
}

/**
 * The survey link page, in the buyer's language: plain HTML with one small script (nonce CSP), every dynamic value
 * escaped. Works without the widget, on a phone.
 */
export function renderSurveyPage(
  token: string,
  survey: PublicSurvey | null,
  locale: BuyerLocale,
): { html: string; nonce: string } {
  const nonce = randomToken(16);
  const lines = SURVEY_PAGE_LINES[locale];
  const script = survey?.state === 'open' ? scriptOf(token, survey, lines, nonce) : '';
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(lines.title)}</title><style nonce="${nonce}">${style}</style></head>
<body><main>${bodyOf(survey, lines)}</main>${script}</body></html>`;
  return { html, nonce };
}
