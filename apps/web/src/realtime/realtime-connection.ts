import { type AgentEvent, agentEvent } from '@huike/contracts';
import { noteSignOutReason, signOutReasonOfCloseCode } from '../modules/identity/sign-out-reason.ts';

export type RealtimeStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

type Handlers = {
  onEvent: (event: AgentEvent) => void;
  /** Called when the socket is back after a drop: whatever happened meanwhile must be refetched. */
  onReconnected: () => void;
  onStatus: (status: RealtimeStatus) => void;
  /** Several connects failed in a row: perhaps the session ended (the socket cannot say why). */
  onRepeatedFailure: () => void;
};

const initialDelayMs = 1000;
const maxDelayMs = 30_000;
// A connection that stays up this long resets the backoff.
const stableAfterMs = 10_000;

export function realtimeUrl(): string {
  const protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${protocol}//${window.location.host}/api/v1/realtime`;
}

/** One WebSocket to /api/v1/realtime that reconnects with exponential backoff and jitter. */
export class RealtimeConnection {
  private socket: WebSocket | null = null;
  private attempt = 0;
  private retryTimer: number | undefined;
  private stableTimer: number | undefined;
  private hasConnectedBefore = false;
  private isStopped = false;

  constructor(private readonly handlers: Handlers) {}

  start(): void {
    this.isStopped = false;
    window.addEventListener('online', this.handleOnline);
    document.addEventListener('visibilitychange', this.handleVisible);
    this.open();
  }

  stop(): void {
    this.isStopped = true;
    window.removeEventListener('online', this.handleOnline);
    document.removeEventListener('visibilitychange', this.handleVisible);
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.stableTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onopen = null;
      socket.close(1000, 'client closed');
    }
    this.handlers.onStatus('closed');
  }

  private readonly handleOnline = () => this.reconnectNow();

  private readonly handleVisible = () => {
    if (document.visibilityState === 'visible') this.reconnectNow();
  };

  /** Skips the remaining backoff when the browser says the network is back. */
  private reconnectNow(): void {
    if (this.isStopped || this.socket) return;
    window.clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  private open(): void {
    if (this.isStopped) return;
    this.handlers.onStatus(this.hasConnectedBefore ? 'reconnecting' : 'connecting');
    let socket: WebSocket;
    try {
      socket = new WebSocket(realtimeUrl());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const isReconnect = this.hasConnectedBefore;
      this.hasConnectedBefore = true;
      this.handlers.onStatus('open');
      this.stableTimer = window.setTimeout(() => {
        this.attempt = 0;
      }, stableAfterMs);
      if (isReconnect) this.handlers.onReconnected();
    };
    socket.onmessage = (frame) => {
      if (typeof frame.data !== 'string') return;
      let payload: unknown;
      try {
        payload = JSON.parse(frame.data);
      } catch {
        return;
      }
      const parsed = agentEvent.safeParse(payload);
      if (parsed.success) this.handlers.onEvent(parsed.data);
    };
    socket.onclose = (event) => {
      window.clearTimeout(this.stableTimer);
      if (this.socket === socket) this.socket = null;
      // The server ended this session or user (password changed, disabled): check the session before retrying.
      const reason = signOutReasonOfCloseCode(event.code);
      if (reason) {
        noteSignOutReason(reason);
        this.handlers.onRepeatedFailure();
      }
      // Missed events while down are recovered by refetching once the socket is back.
      this.hasConnectedBefore = true;
      this.scheduleRetry();
    };
    socket.onerror = () => {
      // onclose follows and schedules the retry.
    };
  }

  private scheduleRetry(): void {
    if (this.isStopped) return;
    this.handlers.onStatus('reconnecting');
    const base = Math.min(maxDelayMs, initialDelayMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    if (this.attempt === 3) this.handlers.onRepeatedFailure();
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.open(), delay);
  }
}
