import type { PublicSurvey } from '@huike/contracts';
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

/**
 * The survey link page: plain HTML with one small script (nonce CSP), every dynamic value escaped.
 * Works without the widget, on a phone.
 */
export function renderSurveyPage(token: string, survey: PublicSurvey | null): { html: string; nonce: string } {
  const nonce = randomToken(16);
  let body: string;
  if (!survey) {
    body = '<p class="q">评价链接无效</p><p class="note">链接可能不完整，请从对话中的链接重新打开。</p>';
  } else if (survey.state === 'answered') {
    body = `<h1>${escapeHtml(survey.workspaceName)}</h1><p class="q">感谢您的评价！</p>`;
  } else if (survey.state === 'expired') {
    body = `<h1>${escapeHtml(survey.workspaceName)}</h1><p class="q">评价邀请已过期</p><p class="note">感谢您的关注。</p>`;
  } else {
    const buttons = Array.from({ length: survey.max - survey.min + 1 }, (_, index) => {
      const score = survey.min + index;
      const label = survey.kind === 'csat' ? '★' : String(score);
      return `<button type="button" data-score="${score}" aria-label="${score} 分">${label}</button>`;
    }).join('');
    const hint = survey.kind === 'nps' ? '<div class="hint"><span>完全不可能</span><span>非常可能</span></div>' : '';
    body = `<h1>${escapeHtml(survey.workspaceName)}</h1>
<p class="q">${escapeHtml(survey.question)}</p>
<div class="scores ${survey.kind}" id="scores">${buttons}</div>${hint}
<textarea id="comment" maxlength="1000" placeholder="还有什么想告诉我们的吗？（选填）"></textarea>
<p class="error" id="error"></p>
<button id="submit" type="button" disabled>提交</button>`;
  }
  const script =
    survey?.state === 'open'
      ? `<script nonce="${nonce}">
(function(){var score=null,kind=${JSON.stringify(survey.kind)},token=${JSON.stringify(token).replace(/</g, '\\u003c')};
var buttons=document.querySelectorAll('#scores button'),submit=document.getElementById('submit'),error=document.getElementById('error');
buttons.forEach(function(b){b.addEventListener('click',function(){score=Number(b.dataset.score);
buttons.forEach(function(o){var n=Number(o.dataset.score);o.classList.toggle('on',kind==='csat'?n<=score:n===score);});submit.disabled=false;});});
submit.addEventListener('click',function(){if(score===null)return;submit.disabled=true;error.textContent='';
var comment=document.getElementById('comment').value.trim();var body={score:score};if(comment)body.comment=comment;
fetch('/public/v1/surveys/'+encodeURIComponent(token)+'/responses',{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(body)})
.then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j};});}).then(function(x){
if(x.ok){document.querySelector('main').innerHTML='<p class="q">感谢您的评价！</p>';}
else{error.textContent=(x.j&&x.j.error&&x.j.error.message)||'提交失败，请稍后重试';submit.disabled=false;}})
.catch(function(){error.textContent='网络异常，请稍后重试';submit.disabled=false;});});})();
</script>`
      : '';
  const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>服务评价</title><style nonce="${nonce}">${style}</style></head>
<body><main>${body}</main>${script}</body></html>`;
  return { html, nonce };
}
