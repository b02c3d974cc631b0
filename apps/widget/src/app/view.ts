import type { PublicBotInfo, PublicMessage } from '@huike/contracts';
import { createBotBar } from './bot-bar.ts';
import type { Strings } from './i18n.ts';
import type { OutboxItem } from './outbox.ts';
import { decorateSurvey } from './survey-card.ts';

export type ConnectionState = 'connecting' | 'online' | 'offline' | 'unavailable';

export type ViewHandlers = {
  onSend(content: string): void;
  /** An image or file picked or pasted (already checked for size and type). */
  onFile(file: File): void;
  /** The visitor typed into the box. */
  onTyping(): void;
  onNearTop(): void;
  onClose(): void;
};

type Attrs = Record<string, string>;

/** Builds an element; children given as strings become text nodes, never markup. */
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

const URL_PATTERN = /https?:\/\/[^\s<>"'，。！？；、）】》]+[^\s<>"'，。！？；、）】》.,;:!?)]/g;

/** Message text as text nodes, with http(s) links made clickable. */
function renderText(content: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of content.matchAll(URL_PATTERN)) {
    const index = match.index ?? 0;
    fragment.append(
      content.slice(last, index),
      h('a', { href: match[0], target: '_blank', rel: 'noopener noreferrer' }, match[0]),
    );
    last = index + match[0].length;
  }
  fragment.append(content.slice(last));
  return fragment;
}

const formatSize = (size: number) =>
  size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1024))} KB`;

/** Images as thumbnails that open full size; other files as links that download. URLs are the server's signed links. */
function renderAttachments(attachments: PublicMessage['attachments'] | undefined): HTMLElement | null {
  if (!attachments || attachments.length === 0) return null;
  const box = h('div', { class: 'attachments', 'data-testid': 'widget-attachments' });
  for (const attachment of attachments) {
    // Only our own relative links: a message can never point the visitor's browser elsewhere.
    if (!attachment.url.startsWith('/public/')) continue;
    if (attachment.contentType.startsWith('image/')) {
      box.append(
        h(
          'a',
          { class: 'attachment-image', href: attachment.url, target: '_blank', rel: 'noopener noreferrer' },
          h('img', { src: attachment.url, alt: attachment.name, loading: 'lazy', 'data-testid': 'widget-image' }),
        ),
      );
    } else {
      box.append(
        h(
          'a',
          {
            class: 'attachment-file',
            href: attachment.url,
            download: attachment.name,
            target: '_blank',
            rel: 'noopener noreferrer',
            'data-testid': 'widget-file',
          },
          h('span', { class: 'attachment-file-name' }, attachment.name),
          h('span', { class: 'attachment-file-size' }, formatSize(attachment.size)),
        ),
      );
    }
  }
  return box;
}

/** The agents' limit; the server checks again (bytes, not names, decide the type). */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
const ACCEPT = 'image/png,image/jpeg,image/gif,image/webp,application/pdf,.pdf,.xlsx,.docx,.txt';
const ACCEPTED =
  /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$|\.(png|jpe?g|gif|webp|pdf|xlsx|docx|txt)$/i;
/** An agent's typing signal comes every 2–3 s while they type; without one for this long, they stopped. */
const TYPING_SHOWN_MS = 6_000;

const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 60;

export function createView(root: HTMLElement, t: Strings, lang: string, isEmbedded: boolean, handlers: ViewHandlers) {
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' });
  const title = h('div', { class: 'title' }, t.title);
  const status = h('div', { class: 'status', 'data-testid': 'widget-status', role: 'status' });
  const greeting = h('div', { class: 'greeting', hidden: '' });
  const hoursLine = h('div', { class: 'hours', hidden: '', 'data-testid': 'widget-hours' });
  let closedTimer: number | undefined;
  let isClosed = false;
  let connection: ConnectionState = 'connecting';
  let agentsOnline = true;
  // The inbox's greeting comes with the visitor session, the bot's from its own request: whichever answers
  // last, the greeting waits for both (bot info null = no bot) so it never depends on which was faster.
  let inboxGreeting: string | null = null;
  let botInfo: PublicBotInfo | null | undefined;
  const closedNotice = h('div', { class: 'closed-notice', hidden: '', role: 'note', 'data-testid': 'widget-closed' });
  const closeButton = h('button', { class: 'close', type: 'button', 'aria-label': t.close, title: t.close }, '×');
  const header = h(
    'header',
    { class: 'header' },
    h('div', { class: 'bar' }, avatar, h('div', { class: 'heading' }, title, status), closeButton),
    greeting,
    hoursLine,
    closedNotice,
  );

  const olderHint = h('div', { class: 'older', hidden: '' }, t.loadingOlder);
  const typingHint = h('div', { class: 'typing', hidden: '', 'data-testid': 'widget-typing' }, t.typing);
  let typingTimer: number | undefined;
  const confirmed = h('div', { class: 'messages' });
  const pending = h('div', { class: 'messages' });
  const list = h(
    'main',
    { class: 'list', role: 'log', 'aria-live': 'polite' },
    olderHint,
    confirmed,
    pending,
    typingHint,
  );

  const input = h('textarea', {
    class: 'input',
    rows: '1',
    maxlength: '5000',
    placeholder: t.placeholder,
    'aria-label': t.placeholder,
    enterkeyhint: 'send',
    'data-testid': 'widget-input',
  });
  const sendButton = h('button', { class: 'send', type: 'button', 'data-testid': 'widget-send' }, t.send);
  const fileInput = h('input', { type: 'file', accept: ACCEPT, hidden: '', 'data-testid': 'widget-file-input' });
  const attachButton = h(
    'button',
    { class: 'attach', type: 'button', 'aria-label': t.attach, title: t.attach, 'data-testid': 'widget-attach' },
    '+',
  );
  const notice = h('div', { class: 'notice', hidden: '', role: 'alert', 'data-testid': 'widget-notice' });
  let noticeTimer: number | undefined;
  const composer = h('footer', { class: 'composer' }, attachButton, fileInput, input, sendButton);

  const botBar = createBotBar(lang, (content) => handlers.onSend(content));
  root.replaceChildren(header, list, botBar.el, notice, composer);
  if (!isEmbedded) closeButton.hidden = true;

  const byId = new Map<string, HTMLElement>();
  const pendingByClientId = new Map<string, HTMLElement>();

  const showGreeting = () => {
    if (inboxGreeting === null || botInfo === undefined) return;
    greeting.textContent = (botInfo?.enabled && botInfo.greeting) || inboxGreeting;
    greeting.hidden = !greeting.textContent;
  };

  /**
   * Connected outside business hours is not 在线: nobody will answer until the inbox opens. Nor is it in hours while
   * no agent is online: the visitor may leave a message.
   */
  const showStatus = () => {
    const isAway = connection === 'online' && isClosed;
    const isUnstaffed = connection === 'online' && !isClosed && !agentsOnline;
    status.dataset.state = isAway ? 'closed' : isUnstaffed ? 'away' : connection;
    status.textContent = isAway ? t.closedStatus : isUnstaffed ? t.away : t[connection];
  };

  const showNotice = (text: string) => {
    notice.textContent = text;
    notice.hidden = false;
    window.clearTimeout(noticeTimer);
    noticeTimer = window.setTimeout(() => {
      notice.hidden = true;
    }, 5_000);
  };

  const hideTyping = () => {
    window.clearTimeout(typingTimer);
    typingHint.hidden = true;
  };

  /** Checked here for a clear message at once; the server decides by the bytes. */
  const pickFile = (file: File) => {
    if (file.size > MAX_FILE_BYTES) return showNotice(t.fileTooLarge);
    if (!ACCEPTED.test(file.type) && !ACCEPTED.test(file.name)) return showNotice(t.fileRefused);
    handlers.onFile(file);
  };

  const formatTime = (iso: string) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return '';
    const isToday = date.toDateString() === new Date().toDateString();
    return date.toLocaleString(lang, {
      ...(isToday ? {} : { month: 'numeric', day: 'numeric' }),
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
  };

  /** Runs a DOM change and keeps the reader where they were: pinned to the bottom, or on the same message. */
  const preservingScroll = (change: () => void, stickToBottom = false) => {
    const fromBottom = list.scrollHeight - list.scrollTop;
    const wasAtBottom = fromBottom - list.clientHeight < NEAR_BOTTOM_PX;
    change();
    list.scrollTop = stickToBottom || wasAtBottom ? list.scrollHeight : list.scrollHeight - fromBottom;
  };

  const setMeta = (el: HTMLElement, text: string) => {
    const meta = el.querySelector('.meta');
    if (meta) meta.textContent = text;
  };

  const messageElement = (
    direction: 'inbound' | 'outbound',
    content: string,
    senderName?: string | null,
    attachments?: PublicMessage['attachments'],
  ) => {
    const files = renderAttachments(attachments);
    const el = h(
      'div',
      { class: `message ${direction === 'inbound' ? 'mine' : 'theirs'}`, 'data-testid': 'widget-message' },
      ...(content || !files ? [h('div', { class: 'bubble' }, renderText(content))] : []),
      ...(files ? [files] : []),
      h('div', { class: 'meta' }),
    );
    el.dataset.direction = direction;
    if (direction === 'outbound' && senderName) el.prepend(h('div', { class: 'sender' }, senderName));
    return el;
  };

  const sortKey = (message: PublicMessage) => `${message.createdAt}|${message.id}`;

  /** Puts a stored message in time order among the others (almost always at the end). */
  const placeConfirmed = (el: HTMLElement, message: PublicMessage) => {
    const key = sortKey(message);
    el.dataset.id = message.id;
    el.dataset.sort = key;
    byId.set(message.id, el);
    const first = confirmed.firstElementChild as HTMLElement | null;
    if (first?.dataset.sort && key < first.dataset.sort) {
      confirmed.prepend(el);
      return;
    }
    let after = confirmed.lastElementChild as HTMLElement | null;
    while (after?.dataset.sort && after.dataset.sort > key) after = after.previousElementSibling as HTMLElement | null;
    if (after) after.after(el);
    else confirmed.prepend(el);
  };

  const markSent = (el: HTMLElement, message: PublicMessage) => {
    if (message.direction === 'inbound') el.dataset.state = 'sent';
    if (message.clientMsgId) el.dataset.clientMsgId = message.clientMsgId;
    setMeta(el, formatTime(message.createdAt));
    placeConfirmed(el, message);
  };

  const send = () => {
    const content = input.value.trim();
    if (!content) return;
    input.value = '';
    resizeInput();
    handlers.onSend(content);
  };

  const resizeInput = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
  };

  input.addEventListener('input', () => {
    resizeInput();
    if (input.value.trim()) handlers.onTyping();
  });
  // A screenshot pasted into the box is sent as an image. Text copied from Office also carries a picture of itself:
  // then the text is what was meant.
  input.addEventListener('paste', (event) => {
    const pasted = Array.from(event.clipboardData?.files ?? []);
    if (pasted.length === 0 || event.clipboardData?.getData('text/plain')) return;
    event.preventDefault();
    for (const file of pasted) pickFile(file);
  });
  attachButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    for (const file of Array.from(fileInput.files ?? [])) pickFile(file);
    fileInput.value = '';
  });
  input.addEventListener('keydown', (event) => {
    // keyCode 229: the Enter that ends an IME composition (Safari reports isComposing=false for it).
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    send();
  });
  sendButton.addEventListener('click', () => {
    send();
    input.focus();
  });
  closeButton.addEventListener('click', handlers.onClose);
  let isAtBottom = true;
  list.addEventListener('scroll', () => {
    isAtBottom = list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
    if (list.scrollTop < NEAR_TOP_PX) handlers.onNearTop();
  });
  // Messages grow after they are shown (a survey card filling in, an image loading): a reader at the bottom stays there.
  const growth = new ResizeObserver(() => {
    if (isAtBottom) list.scrollTop = list.scrollHeight;
  });
  growth.observe(confirmed);
  growth.observe(pending);

  return {
    setInbox(inbox: {
      name: string;
      color: string;
      greeting: string;
      hours?: {
        enabled: boolean;
        timezone: string;
        summary: string;
        isOpen: boolean;
        nextOpenAt: string | null;
        nextOpenText: string | null;
      };
      agentsOnline?: boolean;
    }) {
      const hours = inbox.hours;
      if (inbox.agentsOnline !== undefined) agentsOnline = inbox.agentsOnline;
      // The server words the next opening in Chinese (「明天 09:00」); other languages format the instant here.
      const next =
        hours?.nextOpenAt && !lang.startsWith('zh')
          ? new Date(hours.nextOpenAt).toLocaleString(lang, {
              weekday: 'short',
              month: 'short',
              day: 'numeric',
              hour: '2-digit',
              minute: '2-digit',
              timeZone: hours.timezone,
            })
          : hours?.nextOpenText;
      hoursLine.textContent = hours?.enabled && hours.summary ? t.hours.replace('{hours}', hours.summary) : '';
      hoursLine.hidden = !hoursLine.textContent;
      isClosed = !!hours && !hours.isOpen;
      closedNotice.textContent = isClosed ? (next ? t.closedUntil.replace('{next}', next) : t.closed) : '';
      closedNotice.hidden = !isClosed;
      showStatus();
      // Opening time reached while the page stays open: the notice no longer holds.
      window.clearTimeout(closedTimer);
      const opensIn = hours?.nextOpenAt ? Date.parse(hours.nextOpenAt) - Date.now() : Number.NaN;
      if (isClosed && opensIn > 0 && opensIn < 2 ** 31 - 1) {
        closedTimer = window.setTimeout(() => {
          closedNotice.hidden = true;
          isClosed = false;
          showStatus();
        }, opensIn);
      }
      title.textContent = inbox.name || t.title;
      avatar.textContent = Array.from(inbox.name || t.title)[0] ?? '';
      inboxGreeting = inbox.greeting;
      showGreeting();
      if (inbox.color) document.documentElement.style.setProperty('--brand', inbox.color);
      document.title = inbox.name || t.title;
    },

    /** The inbox FAQ bot (null: unreachable): its greeting replaces the inbox's; quick questions and 转人工 go above the composer. */
    setBot(info: PublicBotInfo | null) {
      botInfo = info;
      showGreeting();
      if (info) botBar.setInfo(info);
    },

    setStatus(state: ConnectionState) {
      connection = state;
      showStatus();
    },

    /** Whether an agent of the inbox is online (presence): 在线, or 「客服暂时不在…」. */
    setAgentsOnline(isOnline: boolean) {
      agentsOnline = isOnline;
      showStatus();
    },

    /** An agent is typing a reply: 「客服正在输入…」 until their message comes or they stop. */
    showTyping() {
      preservingScroll(() => {
        typingHint.hidden = false;
      });
      window.clearTimeout(typingTimer);
      typingTimer = window.setTimeout(hideTyping, TYPING_SHOWN_MS);
    },

    showNotice,

    setLoadingOlder(isLoading: boolean) {
      olderHint.hidden = !isLoading;
    },

    /** True when the list is too short to scroll, so scrolling up can never ask for older messages. */
    needsMoreToFill: () => list.scrollHeight <= list.clientHeight + NEAR_TOP_PX,

    isPending: (clientMsgId: string) => pendingByClientId.has(clientMsgId),

    /** A message the visitor wrote that the server has not stored yet. */
    addPending(item: OutboxItem, preview?: string) {
      if (pendingByClientId.has(item.clientMsgId)) return;
      const el = messageElement('inbound', item.content);
      if (item.file) {
        // The picked file until the server stores it: the image itself (a local URL), or the file's name.
        el.querySelector('.bubble')?.replaceChildren(
          preview ? h('img', { class: 'preview', src: preview, alt: item.file.name }) : `${t.file}：${item.file.name}`,
        );
      }
      el.dataset.state = 'pending';
      el.dataset.clientMsgId = item.clientMsgId;
      setMeta(el, t.sending);
      pendingByClientId.set(item.clientMsgId, el);
      botBar.noteSent();
      preservingScroll(() => pending.append(el), true);
    },

    /** The server stored a pending message: the same bubble turns into the stored one. */
    confirm(clientMsgId: string, message: PublicMessage) {
      let el = pendingByClientId.get(clientMsgId);
      pendingByClientId.delete(clientMsgId);
      if (el && (byId.has(message.id) || message.attachments.length > 0)) {
        // A file's stand-in gives way to the stored message, which links the file on the server.
        el.remove();
        el = undefined;
      }
      if (byId.has(message.id)) return;
      const shown = el;
      if (shown) preservingScroll(() => markSent(shown, message));
      else this.upsert(message);
    },

    markFailed(clientMsgId: string, reason?: string) {
      const el = pendingByClientId.get(clientMsgId);
      if (!el) return;
      pendingByClientId.delete(clientMsgId);
      el.dataset.state = 'failed';
      setMeta(el, reason ? `${t.failed}：${reason}` : t.failed);
    },

    /** Shows a stored message once, in time order; false when it was already shown. */
    upsert(message: PublicMessage): boolean {
      if (byId.has(message.id)) return false;
      if (message.clientMsgId && pendingByClientId.has(message.clientMsgId)) {
        this.confirm(message.clientMsgId, message);
        return true;
      }
      const el = messageElement(message.direction, message.content, message.senderName, message.attachments);
      if (message.senderKind === 'system') el.classList.add('system');
      if (message.senderKind === 'system') decorateSurvey(el, message.content, lang);
      if (message.direction === 'outbound') hideTyping();
      botBar.noteMessage(message);
      preservingScroll(() => markSent(el, message));
      return true;
    },

    /** Older history goes above what the visitor is reading without moving it. */
    prependOlder(messages: PublicMessage[]) {
      preservingScroll(() => {
        for (const message of messages) {
          if (byId.has(message.id)) continue;
          const el = messageElement(message.direction, message.content, message.senderName, message.attachments);
          if (message.senderKind === 'system') el.classList.add('system');
          if (message.senderKind === 'system') decorateSurvey(el, message.content, lang);
          markSent(el, message);
        }
      });
    },

    clearConfirmed() {
      byId.clear();
      confirmed.replaceChildren();
    },

    scrollToBottom() {
      list.scrollTop = list.scrollHeight;
    },

    focusInput() {
      input.focus({ preventScroll: true });
    },
  };
}

export type View = ReturnType<typeof createView>;
