import type { PublicSurvey } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { SURVEY_PAGE_LINES } from '../../platform/buyer-lines.ts';
import { renderSurveyPage } from './survey-page.ts';

const nps: PublicSurvey = {
  kind: 'nps',
  question: 'Would you recommend <b>us</b>?',
  state: 'open',
  workspaceName: 'Shop',
  min: 0,
  max: 10,
  score: null,
};

describe('the survey link page', () => {
  it("labels an NPS scale's ends and its buttons in the buyer's language", () => {
    const en = SURVEY_PAGE_LINES.en;
    const { html } = renderSurveyPage('a'.repeat(22), nps, 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(`<span>${en.npsLow}</span><span>${en.npsHigh}</span>`);
    expect(html).toContain('aria-label="Score 10">10</button>');
    expect(html).toContain('Would you recommend &lt;b&gt;us&lt;/b&gt;?');
    const zh = SURVEY_PAGE_LINES['zh-CN'];
    const chinese = renderSurveyPage('a'.repeat(22), nps, 'zh-CN').html;
    expect(chinese).toContain(`<span>${zh.npsLow}</span><span>${zh.npsHigh}</span>`);
    expect(chinese).toContain('aria-label="0 分">0</button>');
  });

  it("gives the script the page's language for what it says after a submit, with nothing able to close it", () => {
    const { html } = renderSurveyPage('</script><img src=x>', nps, 'en');
    const script = html.slice(html.indexOf('<script'), html.lastIndexOf('</script>'));
    expect(script).not.toContain('</script>');
    expect(script).toContain(JSON.stringify(SURVEY_PAGE_LINES.en.alreadyAnswered));
    expect(script).toContain(JSON.stringify(SURVEY_PAGE_LINES.en.networkError));
    expect(script).not.toMatch(/\p{Script=Han}/u);
  });
});
