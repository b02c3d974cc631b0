/**
 * Huike website chat loader. Shops embed
 *   <script src="https://huike.example.com/widget.js" data-inbox="TOKEN" async></script>
 * optionally with data-user-id, data-user-hash (hex HMAC-SHA256 of the id with the inbox secret) and
 * data-user-name. It adds a chat bubble and an iframe holding the chat app from the Huike origin, so the
 * shop's CSS and scripts never touch the chat and the chat never touches the shop.
 */
import type { HostToWidget, WidgetToHost } from '../shared/protocol.ts';

type HuikeApi = {
  open(): void;
  close(): void;
  /** Signs a shop user in (or out, with an empty id); reloads the chat as that user. */
  setUser(id: string, hash: string, name?: string): void;
};

declare global {
  interface Window {
    Huike?: HuikeApi;
  }
}

const CSS =
  '#huike-bubble{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;' +
  'border-radius:50%;background:#1677ff;color:#fff;cursor:pointer;box-shadow:0 4px 16px rgba(0,0,0,.24);' +
  'display:flex;align-items:center;justify-content:center;transition:transform .2s}' +
  '#huike-bubble:hover{transform:scale(1.06)}#huike-bubble:focus-visible{outline:3px solid rgba(22,119,255,.4)}' +
  '#huike-bubble svg{width:28px;height:28px}' +
  '#huike-bubble i{position:absolute;top:1px;right:1px;width:10px;height:10px;border-radius:50%;background:#ff4d4f;' +
  'border:2px solid #fff;display:none}#huike-bubble.huike-unread i{display:block}' +
  '#huike-frame{all:initial;position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:600px;' +
  'max-height:calc(100% - 108px);border:0;border-radius:12px;background:#fff;box-shadow:0 8px 32px rgba(0,0,0,.2);' +
  'visibility:hidden;opacity:0;transform:translateY(12px);transition:opacity .2s,transform .2s,visibility 0s .2s}' +
  '#huike-frame.huike-open{visibility:visible;opacity:1;transform:none;transition:opacity .2s,transform .2s}' +
  '@media (max-width:479px){#huike-frame{right:0;bottom:0;width:100%;height:100%;max-height:none;border-radius:0;' +
  'z-index:2147483001}}';

const CHAT_ICON =
  '<svg viewBox="0 0 24 24" fill="currentColor"><path d="M12 3C6.5 3 2 6.6 2 11c0 2.4 1.3 4.6 3.5 6L4.6 21l4.4-2.3c.9.2 1.9.3 3 .3 5.5 0 10-3.6 10-8s-4.5-8-10-8z"/></svg>';
const CLOSE_ICON =
  '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round"><path d="M6 6l12 12M18 6 6 18"/></svg>';

(() => {
  const doc = document;
  const script = (doc.currentScript ?? doc.querySelector('script[data-inbox]')) as HTMLScriptElement | null;
  const inbox = script?.dataset.inbox;
  if (!script || !inbox || window.Huike) return;

  const origin = new URL(script.src, location.href).origin;
  const data = script.dataset;
  let user: Record<string, string | undefined> = {
    identifier: data.userId,
    identifierHash: data.userHash,
    name: data.userName,
  };
  let isOpen = false;

  const bubble = doc.createElement('button');
  const frame = doc.createElement('iframe');
  const label = /^zh/i.test(navigator.language) ? '在线客服' : 'Chat with us';

  const frameSrc = () => {
    const query = new URLSearchParams({ inbox });
    // Lets the chat address its postMessages to this page only.
    if (location.origin !== 'null') query.set('host', location.origin);
    for (const key in user) if (user[key]) query.set(key, user[key]);
    return `${origin}/widget/?${query}`;
  };

  const tell = (type: HostToWidget['type']) =>
    frame.contentWindow?.postMessage({ source: 'huike-loader', type } satisfies HostToWidget, origin);

  const show = (open: boolean) => {
    isOpen = open;
    bubble.innerHTML = `${open ? CLOSE_ICON : CHAT_ICON}<i></i>`;
    bubble.setAttribute('aria-expanded', String(open));
    frame.classList.toggle('huike-open', open);
    if (open) bubble.classList.remove('huike-unread');
    tell(open ? 'open' : 'close');
  };

  addEventListener('message', (event: MessageEvent<WidgetToHost>) => {
    const msg = event.data;
    if (event.origin !== origin || event.source !== frame.contentWindow || msg?.source !== 'huike-widget') return;
    if (msg.type === 'ready') {
      if (msg.color) bubble.style.background = msg.color;
      tell(isOpen ? 'open' : 'close');
    } else if (msg.type === 'message') {
      if (!isOpen) bubble.classList.add('huike-unread');
    } else if (msg.type === 'close') {
      show(false);
    }
  });

  const mount = () => {
    const style = doc.createElement('style');
    style.textContent = CSS;
    bubble.id = 'huike-bubble';
    bubble.type = 'button';
    bubble.title = label;
    bubble.setAttribute('aria-label', label);
    bubble.onclick = () => show(!isOpen);
    frame.id = 'huike-frame';
    frame.title = label;
    frame.src = frameSrc();
    doc.body.append(style, frame, bubble);
    show(false);
  };

  window.Huike = {
    open: () => show(true),
    close: () => show(false),
    setUser(id, hash, name) {
      user = id ? { identifier: id, identifierHash: hash, name } : {};
      frame.src = frameSrc();
    },
  };

  if (doc.body) mount();
  else doc.addEventListener('DOMContentLoaded', mount);
})();
