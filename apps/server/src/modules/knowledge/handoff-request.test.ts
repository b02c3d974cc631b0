import { HANDOFF_REQUEST_TEXT } from '@huike/contracts';
import { describe, expect, it } from 'vitest';
import { asksForHuman } from './search-terms.ts';

describe('the widget hand-off button', () => {
  it('sends, in every widget language, a text the bot takes as a request for a person', () => {
    for (const text of Object.values(HANDOFF_REQUEST_TEXT)) expect(asksForHuman(text), text).toBe(true);
    expect(asksForHuman('Talk to a human agent')).toBe(true);
    expect(asksForHuman('  talk to a HUMAN agent ')).toBe(true);
  });

  it('still leaves ordinary questions to the bot', () => {
    expect(asksForHuman('How long does shipping take?')).toBe(false);
    expect(asksForHuman('什么时候发货')).toBe(false);
  });
});
