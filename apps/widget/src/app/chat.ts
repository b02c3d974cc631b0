import type { PublicMessage, VisitorServerFrame, VisitorSession } from '@huike/contracts';
import { type Api, ApiError, type CreateVisitorBody } from './api.ts';
import type { Strings } from './i18n.ts';
import type { Outbox } from './outbox.ts';
import type { View } from './view.ts';

export type SessionStore = {
  load(): Pick<VisitorSession, 'sourceId' | 'visitorToken'> | null;
  save(session: VisitorSession): void;
  clear(): void;
};

type ChatDeps = {
  api: Api;
  view: View;
  outbox: Outbox;
  sessions: SessionStore;
  /** Texts for why a file was not sent. */
  t: Pick<Strings, 'fileTooLarge' | 'fileRefused'>;
  /** Signed shop user and display name from the embed, sent when the visitor session starts. */
  identity: Omit<CreateVisitorBody, 'sourceId' | 'visitorToken'>;
  /** A live (not history) message from the shop arrived. */
  onAgentMessage(): void;
  onInbox(inbox: VisitorSession['inbox']): void;
};

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;
const POLL_MS = 3_000;
const HEARTBEAT_MS = 25_000;
const SILENCE_LIMIT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 8_000;
const ACK_TIMEOUT_MS = 15_000;
const SERVER_ERROR_RETRY_MS = 2_000;
const RESTART_WINDOW_MS = 10_000;
/** Failed socket attempts (never opened) before REST + polling takes over. */
const SOCKET_FAILURES_BEFORE_REST = 2;
/** Close codes a server uses to refuse the visitor (policy violation, 4401/4403 in the app range). */
const REFUSED_CLOSE_CODES = new Set([1008, 4401, 4403]);
/** The visitor's typing signal goes out at most this often (and only on the socket). */
const TYPING_EVERY_MS = 2_500;
/** In REST mode the header's 在线 (is an agent online) is asked every this many polls (~30 s). */
const STATUS_EVERY_POLLS = 10;

/** The server answered and said no (other than "slow down"): retrying the same request will not help. */
const isRejected = (error: unknown) =>
  error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429;

const isAuthError = (error: unknown) => error instanceof ApiError && (error.status === 401 || error.status === 403);

/**
 * Keeps the visitor connected and their messages flowing:
 * - visitor session (resumed from storage), history, live socket, reconnect with backoff;
 * - visitor messages go through the outbox one at a time, oldest first, and leave it only when the
 *   server has stored them (ack, REST answer, or the message showing up in history), so a reload or a
 *   dropped connection never loses one and a resend never shows twice (the server dedupes by clientMsgId);
 * - REST POST + polling when the socket cannot connect at all (proxies that block WebSockets).
 */
export function startChat({ api, view, outbox, sessions, t, identity, onAgentMessage, onInbox }: ChatDeps) {
  let session: VisitorSession | null = null;
  let isStartingSession = false;
  let isUnavailable = false;
  let lastRestartAt = 0;

  let socket: WebSocket | null = null;
  let isSocketOpen = false;
  let hasSocketEverOpened = false;
  let socketFailures = 0;
  let lastFrameAt = 0;
  let heartbeat = 0;
  let backoffMs = BACKOFF_START_MS;
  let retryTimer = 0;

  let isRestMode = false;
  let pollTimer = 0;
  let polls = 0;
  let lastTypingAt = 0;

  /** The bytes of files waiting in the outbox: this page only (a reload keeps the item, not the file). */
  const fileBlobs = new Map<string, { file: Blob; preview?: string }>();

  /** The one message on its way to the server, and how it went. */
  let inFlight: { clientMsgId: string; via: 'socket' | 'rest' } | null = null;
  let inFlightTimer = 0;
  let pumpTimer = 0;

  let hasHistory = false;
  let olderCursor: string | null = null;
  let isLoadingOlder = false;

  const isOnline = () => navigator.onLine !== false;

  const nextDelay = () => {
    const delay = backoffMs * (0.8 + Math.random() * 0.4);
    backoffMs = Math.min(backoffMs * 2, BACKOFF_MAX_MS);
    return delay;
  };

  const scheduleRetry = () => {
    clearTimeout(retryTimer);
    retryTimer = window.setTimeout(() => (session ? connect() : startSession()), nextDelay());
  };

  const showOffline = () => {
    if (!isUnavailable) view.setStatus(session || !isOnline() ? 'offline' : 'connecting');
  };

  // ---- visitor session ----------------------------------------------------------------------------

  async function startSession() {
    if (isStartingSession || session || isUnavailable) return;
    if (!isOnline()) return showOffline();
    isStartingSession = true;
    try {
      session = await createSession();
      sessions.save(session);
      onInbox(session.inbox);
      connect();
      void loadLatest();
    } catch (error) {
      if (isRejected(error)) {
        // Unknown or disabled inbox: retrying will not help.
        isUnavailable = true;
        view.setStatus('unavailable');
        return;
      }
      showOffline();
      scheduleRetry();
    } finally {
      isStartingSession = false;
    }
  }

  /** Resumes the stored visitor; when the server no longer knows it, starts a new one (the outbox stays). */
  async function createSession(): Promise<VisitorSession> {
    const stored = sessions.load();
    if (stored) {
      try {
        return await api.createVisitor({ ...stored, ...identity });
      } catch (error) {
        if (!isRejected(error)) throw error;
        sessions.clear();
      }
    }
    return api.createVisitor({ ...identity });
  }

  /** The server no longer accepts our visitor token: get a new session and carry on. */
  function restartSession() {
    // A server that keeps refusing must not make us hammer it: at most one restart per window.
    if (Date.now() - lastRestartAt < RESTART_WINDOW_MS) {
      showOffline();
      return scheduleRetry();
    }
    lastRestartAt = Date.now();
    const previous = session;
    session = null;
    sessions.clear();
    closeSocket();
    stopRestMode();
    releaseInFlight();
    if (previous) {
      hasHistory = false;
      olderCursor = null;
      view.clearConfirmed();
    }
    void startSession();
  }

  // ---- socket -------------------------------------------------------------------------------------

  function connect() {
    if (!session || socket) return;
    if (!isOnline()) {
      // Wait for the `online` event, but look again now and then in case it never comes.
      showOffline();
      return scheduleRetry();
    }
    clearTimeout(retryTimer);
    const ws = new WebSocket(api.socketUrl(session));
    socket = ws;
    const connectTimer = window.setTimeout(() => ws.close(), CONNECT_TIMEOUT_MS);

    ws.onopen = () => {
      clearTimeout(connectTimer);
      isSocketOpen = true;
      hasSocketEverOpened = true;
      socketFailures = 0;
      backoffMs = BACKOFF_START_MS;
      lastFrameAt = Date.now();
      stopRestMode();
      view.setStatus('online');
      heartbeat = window.setInterval(() => {
        if (Date.now() - lastFrameAt > SILENCE_LIMIT_MS) ws.close();
        else sendFrame({ type: 'ping' });
      }, HEARTBEAT_MS);
      // Catch up on whatever arrived while we were away, then send what waited.
      void loadLatest();
      pump();
    };

    ws.onmessage = (event) => {
      lastFrameAt = Date.now();
      let frame: VisitorServerFrame;
      try {
        frame = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (frame.type === 'ack') acknowledge(frame.clientMsgId, frame.message);
      else if (frame.type === 'message') receive(frame.message, true);
      else if (frame.type === 'error') onServerError(frame.code);
      else if (frame.type === 'typing') view.showTyping();
      else if (frame.type === 'status') view.setAgentsOnline(frame.agentsOnline);
    };

    ws.onclose = (event) => {
      clearTimeout(connectTimer);
      clearInterval(heartbeat);
      const wasOpen = isSocketOpen;
      socket = null;
      isSocketOpen = false;
      if (inFlight?.via === 'socket') releaseInFlight();
      if (REFUSED_CLOSE_CODES.has(event.code)) return restartSession();
      if (!wasOpen) {
        socketFailures += 1;
        if (!hasSocketEverOpened && socketFailures >= SOCKET_FAILURES_BEFORE_REST) startRestMode();
        // A refused handshake looks like any failure here; a REST read tells an expired token apart.
        else if (socketFailures % 3 === 0) void loadLatest();
      }
      if (!isRestMode) showOffline();
      scheduleRetry();
    };
  }

  function closeSocket() {
    const ws = socket;
    socket = null;
    isSocketOpen = false;
    clearInterval(heartbeat);
    if (inFlight?.via === 'socket') releaseInFlight();
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close();
    }
  }

  function sendFrame(
    frame:
      | { type: 'ping' }
      | { type: 'typing' }
      | { type: 'message'; content: string; clientMsgId: string; locale: string },
  ) {
    if (socket && isSocketOpen) socket.send(JSON.stringify(frame));
  }

  function onServerError(code: string) {
    // Error frames do not say which message they are about; with one message in flight it is that one.
    const failed = inFlight?.via === 'socket' ? inFlight.clientMsgId : null;
    if (failed) releaseInFlight();
    if (/^auth\.|token|unauthori[sz]ed|visitor\.not_found/i.test(code)) return restartSession();
    if (failed && /^validation/.test(code)) {
      // The server will never take this one (length and emptiness are checked first): don't block the queue.
      outbox.remove(failed);
      view.markFailed(failed);
      return pump();
    }
    clearTimeout(pumpTimer);
    pumpTimer = window.setTimeout(pump, SERVER_ERROR_RETRY_MS);
  }

  // ---- REST fallback ------------------------------------------------------------------------------

  function startRestMode() {
    if (isRestMode) return;
    isRestMode = true;
    pollTimer = window.setInterval(poll, POLL_MS);
    poll();
  }

  function stopRestMode() {
    isRestMode = false;
    clearInterval(pollTimer);
  }

  function poll() {
    if (!isOnline()) return showOffline();
    void loadLatest();
    pump();
    if (polls++ % STATUS_EVERY_POLLS === 0) {
      api.status().then(
        (status) => view.setAgentsOnline(status.agentsOnline),
        () => {},
      );
    }
  }

  // ---- outbox -------------------------------------------------------------------------------------

  function releaseInFlight() {
    inFlight = null;
    clearTimeout(inFlightTimer);
  }

  /** Sends the oldest queued message, if nothing is on its way and some transport is up. */
  function pump(): void {
    if (inFlight || !session) return;
    const next = outbox.list()[0];
    if (!next) return;
    const { clientMsgId, content } = next;

    if (next.file) {
      sendFile(session, clientMsgId);
      return;
    }
    if (socket && isSocketOpen) {
      inFlight = { clientMsgId, via: 'socket' };
      const ws = socket;
      // An ack that never comes means a half-dead connection: start over (the resend is deduped).
      inFlightTimer = window.setTimeout(() => {
        if (inFlight?.clientMsgId === clientMsgId) ws.close();
      }, ACK_TIMEOUT_MS);
      sendFrame({ type: 'message', content, clientMsgId, locale: api.locale });
    } else if (isRestMode && isOnline()) {
      inFlight = { clientMsgId, via: 'rest' };
      api.sendMessage(session, content, clientMsgId).then(
        (message) => {
          view.setStatus('online');
          acknowledge(clientMsgId, message);
        },
        (error: unknown) => {
          if (inFlight?.clientMsgId === clientMsgId) releaseInFlight();
          if (isAuthError(error)) return restartSession();
          if (!isRejected(error)) return showOffline(); // the next poll retries
          outbox.remove(clientMsgId);
          view.markFailed(clientMsgId);
          pump();
        },
      );
    }
  }

  /**
   * Files go over REST (multipart) whichever transport is up, still one at a time in the outbox's order, so text
   * typed after a picture arrives after it. Nothing is sent while offline.
   */
  function sendFile(current: VisitorSession, clientMsgId: string): void {
    const blob = fileBlobs.get(clientMsgId);
    if (!blob) {
      // Picked before a reload: the bytes are gone, the visitor has to pick it again.
      outbox.remove(clientMsgId);
      view.markFailed(clientMsgId);
      pump();
      return;
    }
    if (!isOnline() || !(isSocketOpen || isRestMode)) return;
    inFlight = { clientMsgId, via: 'rest' };
    const name = outbox.list().find((item) => item.clientMsgId === clientMsgId)?.file?.name ?? 'file';
    api.sendFile(current, blob.file, name, clientMsgId).then(
      (message) => acknowledge(clientMsgId, message),
      (error: unknown) => {
        if (inFlight?.clientMsgId !== clientMsgId) return;
        releaseInFlight();
        if (isAuthError(error)) return restartSession();
        if (!isRejected(error)) {
          // Offline or the server is struggling: try again shortly (reconnecting also pumps).
          clearTimeout(pumpTimer);
          pumpTimer = window.setTimeout(pump, SERVER_ERROR_RETRY_MS);
          return;
        }
        const code = (error as ApiError).code;
        forgetFile(clientMsgId);
        outbox.remove(clientMsgId);
        view.markFailed(clientMsgId, code === 'request.too_large' ? t.fileTooLarge : t.fileRefused);
        pump();
      },
    );
  }

  function forgetFile(clientMsgId: string) {
    const blob = fileBlobs.get(clientMsgId);
    if (blob?.preview) URL.revokeObjectURL(blob.preview);
    fileBlobs.delete(clientMsgId);
  }

  /** The server has stored one of our messages (ack, REST answer, or seen in history). */
  function acknowledge(clientMsgId: string, message: PublicMessage) {
    forgetFile(clientMsgId);
    outbox.remove(clientMsgId);
    view.confirm(clientMsgId, message);
    if (inFlight?.clientMsgId === clientMsgId) {
      releaseInFlight();
      pump();
    }
  }

  function receive(message: PublicMessage, isLive: boolean) {
    const { clientMsgId } = message;
    if (clientMsgId && (outbox.has(clientMsgId) || view.isPending(clientMsgId))) {
      return acknowledge(clientMsgId, message);
    }
    if (view.upsert(message) && isLive && message.direction === 'outbound') onAgentMessage();
  }

  // ---- history ------------------------------------------------------------------------------------

  async function loadLatest() {
    const current = session;
    if (!current) return;
    try {
      const page = await api.listMessages(current);
      if (current !== session) return;
      // The first page is history; later pages (catch-up, polling) may hold news for the unread dot.
      for (const message of page.items) receive(message, hasHistory);
      if (!hasHistory) {
        hasHistory = true;
        olderCursor = page.nextCursor;
        view.scrollToBottom();
        fillViewport();
      }
      if (isRestMode) view.setStatus('online');
    } catch (error) {
      if (isAuthError(error)) return restartSession();
      if (isRestMode) showOffline();
    }
  }

  async function loadOlder() {
    const current = session;
    if (!current || !olderCursor || isLoadingOlder) return;
    isLoadingOlder = true;
    view.setLoadingOlder(true);
    try {
      const page = await api.listMessages(current, olderCursor);
      if (current !== session) return;
      olderCursor = page.nextCursor;
      view.prependOlder(page.items);
    } catch {
      return; // scrolling up again retries
    } finally {
      isLoadingOlder = false;
      view.setLoadingOlder(false);
    }
    fillViewport();
  }

  /** Short histories cannot be scrolled, so fetch older pages until the list can. */
  function fillViewport() {
    if (olderCursor && view.needsMoreToFill()) void loadOlder();
  }

  // ---- start --------------------------------------------------------------------------------------

  addEventListener('online', () => {
    backoffMs = BACKOFF_START_MS;
    clearTimeout(retryTimer);
    if (!session) void startSession();
    else if (isRestMode) poll();
    connect();
  });
  addEventListener('offline', () => {
    // Browsers may keep a dead socket "open" for minutes; queue from now on instead of writing into it.
    if (socket) {
      closeSocket();
      scheduleRetry();
    }
    showOffline();
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && session && !socket) {
      backoffMs = BACKOFF_START_MS;
      connect();
    }
  });

  for (const item of outbox.list()) view.addPending(item);
  view.setStatus(isOnline() ? 'connecting' : 'offline');
  void startSession();

  return {
    send(content: string) {
      view.addPending(outbox.enqueue(content));
      pump();
    },
    sendFile(file: File) {
      const item = outbox.enqueue('', undefined, { name: file.name || 'image.png', size: file.size, type: file.type });
      const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
      fileBlobs.set(item.clientMsgId, { file, preview });
      view.addPending(item, preview);
      pump();
    },
    /** Throttled; only on a live socket (a lost signal just hides the hint). */
    typing() {
      const now = Date.now();
      if (!isSocketOpen || now - lastTypingAt < TYPING_EVERY_MS) return;
      lastTypingAt = now;
      sendFrame({ type: 'typing' });
    },
    loadOlder: () => void loadOlder(),
  };
}
