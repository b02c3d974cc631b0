import type { PublicBotInfo, PublicMessage } from '@huike/contracts';
import { HANDOFF_REQUEST_TEXT } from '@huike/contracts/handoff';

const strings = {
  zh: { handoff: '转人工', quick: '猜你想问' },
  en: { handoff: 'Talk to a person', quick: 'Popular questions' },
};

/**
 * The FAQ bot's strip above the composer: quick question buttons before the visitor's first message, and a
 * 转人工 button once the bot has answered (until a person or the hand-off line takes over).
 */
export function createBotBar(lang: string, send: (content: string) => void) {
  const t = lang.startsWith('zh') ? strings.zh : strings.en;
  const el = document.createElement('div');
  el.className = 'bot-bar';
  el.hidden = true;
  el.dataset.testid = 'widget-bot-bar';
  el.setAttribute('data-testid', 'widget-bot-bar');
  const quick = document.createElement('div');
  quick.className = 'bot-quick';
  quick.hidden = true;
  const handoff = document.createElement('button');
  handoff.type = 'button';
  handoff.className = 'bot-handoff';
  handoff.textContent = t.handoff;
  handoff.hidden = true;
  handoff.setAttribute('data-testid', 'widget-handoff');
  handoff.addEventListener('click', () => {
    handoff.hidden = true;
    // In the widget's language; the bot recognises each of these texts as a hand-off request.
    send(lang.startsWith('zh') ? HANDOFF_REQUEST_TEXT['zh-CN'] : HANDOFF_REQUEST_TEXT.en);
    refresh();
  });
  el.append(quick, handoff);

  let enabled = false;
  let visitorWrote = false;

  const refresh = () => {
    el.hidden = !enabled || (quick.hidden && handoff.hidden);
  };

  return {
    el,

    setInfo(info: PublicBotInfo) {
      enabled = info.enabled;
      quick.replaceChildren();
      if (info.quickQuestions.length > 0) {
        const label = document.createElement('span');
        label.className = 'bot-quick-label';
        label.textContent = t.quick;
        quick.append(label);
      }
      for (const question of info.quickQuestions) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'bot-quick-question';
        button.textContent = question;
        button.setAttribute('data-testid', 'widget-quick-question');
        button.addEventListener('click', () => send(question));
        quick.append(button);
      }
      quick.hidden = visitorWrote || info.quickQuestions.length === 0;
      refresh();
    },

    /** Every message shown: the visitor wrote → no more quick questions; the bot answered → offer a person. */
    noteMessage(message: Pick<PublicMessage, 'direction' | 'senderKind'>) {
      if (message.direction === 'inbound') {
        visitorWrote = true;
        quick.hidden = true;
      } else if (message.senderKind === 'bot') {
        handoff.hidden = false;
      } else {
        // An agent's reply or the hand-off line: a person is on the way.
        handoff.hidden = true;
      }
      refresh();
    },

    noteSent() {
      visitorWrote = true;
      quick.hidden = true;
      refresh();
    },
  };
}
