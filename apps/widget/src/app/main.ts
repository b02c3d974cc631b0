import './style.css';
import type { HostToWidget, WidgetToHost } from '../shared/protocol.ts';
import { createApi } from './api.ts';
import { type SessionStore, startChat } from './chat.ts';
import { pickStrings } from './i18n.ts';
import { createOutbox, type StorageLike } from './outbox.ts';
import { createView } from './view.ts';

type Store = StorageLike & Pick<Storage, 'removeItem'>;

// The loader passes everything in the query; the fragment works too and stays out of server logs.
const query = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const param = (name: string) => (fragment.get(name) || query.get(name) || '').trim() || undefined;

const inboxToken = param('inbox');
const hostOrigin = param('host');
const isEmbedded = window.parent !== window;
const { lang, t } = pickStrings(param('lang') ?? navigator.language ?? 'zh-CN');
document.documentElement.lang = lang;
document.title = t.title;

function tellHost(message: WidgetToHost) {
  if (!isEmbedded) return;
  try {
    window.parent.postMessage(message, hostOrigin ?? '*');
  } catch {
    // Not a valid origin in ?host=; the message carries nothing private.
    window.parent.postMessage(message, '*');
  }
}

/** localStorage, or memory when the browser refuses it to third-party frames (Safari, blocked cookies). */
function pickStorage(): Store {
  try {
    const storage = window.localStorage;
    storage.setItem('huike:probe', '1');
    storage.removeItem('huike:probe');
    return storage;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    };
  }
}

function readIdentity() {
  const identifier = param('identifier');
  const identifierHash = param('identifierHash')?.toLowerCase();
  const name = param('name')?.slice(0, 100);
  const isSigned = !!identifier && identifier.length <= 128 && /^[0-9a-f]{64}$/.test(identifierHash ?? '');
  if (identifier && !isSigned) console.warn('[huike] data-user-id needs a valid data-user-hash; chatting anonymously');
  return {
    ...(isSigned ? { identifier, identifierHash } : {}),
    ...(name ? { name } : {}),
  };
}

const view = createView(document.getElementById('app') ?? document.body, t, lang, isEmbedded, {
  onSend: (content) => chat?.send(content),
  onFile: (file) => chat?.sendFile(file),
  onTyping: () => chat?.typing(),
  onNearTop: () => chat?.loadOlder(),
  onClose: () => tellHost({ source: 'huike-widget', type: 'close' }),
});

const chat = inboxToken ? startWidget(inboxToken) : null;
if (!chat) view.setStatus('unavailable');
if (inboxToken) {
  // The FAQ bot's greeting and quick questions (knowledge module); nothing shows when it is off or unreachable.
  fetch(`/public/v1/help/${encodeURIComponent(inboxToken)}/bot?locale=${lang}`, {
    cache: 'no-store',
    credentials: 'omit',
  })
    .then((response) => (response.ok ? response.json() : null))
    .catch(() => null)
    .then((info) => view.setBot(info));
}

function startWidget(inbox: string) {
  const storage = pickStorage();
  const identity = readIdentity();
  // One visitor per inbox (and per signed shop user, so a shared computer never mixes two customers).
  const key = `huike:${inbox}${identity.identifier ? `:${identity.identifier}` : ''}`;
  const sessions: SessionStore = {
    load() {
      try {
        const stored = JSON.parse(storage.getItem(key) ?? 'null');
        return typeof stored?.sourceId === 'string' && typeof stored.visitorToken === 'string'
          ? { sourceId: stored.sourceId, visitorToken: stored.visitorToken }
          : null;
      } catch {
        return null;
      }
    },
    save: ({ sourceId, visitorToken }) => {
      try {
        storage.setItem(key, JSON.stringify({ sourceId, visitorToken }));
      } catch {
        // Full storage only costs the resume after a reload.
      }
    },
    clear: () => storage.removeItem(key),
  };

  return startChat({
    api: createApi(inbox, lang),
    view,
    outbox: createOutbox(storage, `${key}:outbox`),
    sessions,
    t,
    identity,
    onAgentMessage: () => tellHost({ source: 'huike-widget', type: 'message' }),
    onInbox(inbox) {
      view.setInbox(inbox);
      tellHost({ source: 'huike-widget', type: 'ready', color: inbox.color });
    },
  });
}

addEventListener('message', (event: MessageEvent<HostToWidget>) => {
  if (event.source !== window.parent || (hostOrigin && event.origin !== hostOrigin)) return;
  if (event.data?.source !== 'huike-loader' || event.data.type !== 'open') return;
  view.scrollToBottom();
  // Focusing on a phone would pop the keyboard over the conversation.
  if (matchMedia('(pointer: fine)').matches) view.focusInput();
});

addEventListener('keydown', (event) => {
  if (event.key === 'Escape') tellHost({ source: 'huike-widget', type: 'close' });
});

tellHost({ source: 'huike-widget', type: 'ready' });
