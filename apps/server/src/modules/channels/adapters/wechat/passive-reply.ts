import type { MessageCreatedEvent } from '../../../../platform/events.ts';
import type { ChannelInbox, ChannelRuntime } from '../types.ts';
import type { WechatXml } from './xml.ts';

/*
 * Passive replies (被动回复) for automatic answers. Many small shops' 订阅号 are not certified and cannot send
 * 客服消息 at all, so a keyword reply or a bot answer to a follower's message rides the callback's own response
 * when it is ready in time:
 * - before storing the push, the callback listens to this inbox's `message.created` events (in-process bus);
 * - after storing it, it waits, at most until its deadline (~4 s after the request arrived, inside WeChat's 5 s),
 *   for an automatic public reply (bot/system, not private, with text) in the same conversation after the push,
 *   and stops early once every subscriber of the push's own event has finished (nothing more is coming);
 * - it then claims that reply's outbox delivery (runtime.claimDelivery: a conditional update, only while pending
 *   and never attempted), and answers with its text. The delivery is queued with a hold (adapter.holdAutomaticMs)
 *   so the outbox worker does not take it first; when the claim loses (a worker took it), the outbox sends it as a
 *   客服消息, and the message is never sent twice.
 * One passive reply per push (WeChat shows one): a second automatic reply (keyword + bot) goes as 客服消息.
 * Multi-process: when the reply is produced by another process (the inbound event's subscribers ran there), this
 * callback never sees it, times out and answers "success"; the outbox sends the reply once its hold ends.
 * Marking the message sent before WeChat has read the response is at-most-once for that reply: the price of the
 * 5-second window (WeChat treats a response it did not get in time as a failure and retries the push, which is a
 * duplicate here and is answered "success").
 */

/** From the request's arrival: WeChat gives up after 5 s; leave room for a slow machine and the network. */
export const PASSIVE_WAIT_MS = 4_000;

/** Pushes a shop would answer automatically: a text, a voice message, a menu click. */
export const expectsAnswer = (fields: WechatXml) =>
  fields.MsgType === 'text' || fields.MsgType === 'voice' || (fields.MsgType === 'event' && fields.Event === 'CLICK');

const isAutomaticReply = (event: MessageCreatedEvent) =>
  event.message.direction === 'outbound' &&
  (event.message.senderKind === 'bot' || event.message.senderKind === 'system') &&
  !event.message.private &&
  event.message.content.trim() !== '';

/** Events kept while waiting: enough for any real conversation, bounded for a flood. */
const MAX_SEEN = 200;

/** Starts listening to the inbox's new messages; call before storing the push, and `stop()` always. */
export function watchAutomaticReplies(runtime: ChannelRuntime, inbox: ChannelInbox) {
  const seen: MessageCreatedEvent[] = [];
  let notify: (() => void) | undefined;
  const stop = runtime.events.subscribe((event) => {
    if (event.type !== 'message.created' || event.replayed) return;
    if (event.workspaceId !== inbox.workspaceId || event.conversation.inboxId !== inbox.id) return;
    if (seen.length >= MAX_SEEN) return;
    seen.push(event);
    notify?.();
  });

  /** Resolves after `ms`, or earlier when something happened. */
  const nextChange = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        notify = undefined;
        resolve();
      }
      notify = done;
    });

  /**
   * The text of the automatic reply to the stored push `inboundId` that this callback may answer with (its delivery
   * claimed and marked sent), or undefined when none is ready before `deadline` (epoch ms).
   */
  async function answerTo(
    { messageId: inboundId, conversationId }: { messageId: string; conversationId: string },
    deadline: number,
  ): Promise<string | undefined> {
    let index = 0;
    let watchingSettled = false;
    let settled = false;
    while (Date.now() < deadline) {
      for (; index < seen.length; index++) {
        const event = seen[index]!;
        if (event.conversation.id !== conversationId || event.message.id <= inboundId) continue;
        if (event.message.direction === 'inbound') {
          // The follower wrote again: what comes next may answer that message (its own callback waits for it).
          return undefined;
        }
        if (!isAutomaticReply(event)) continue;
        const meta = {
          sentAs: 'passive_reply',
          // A passive reply is text only (客服消息, which carry images, may not be open to the account).
          ...(event.message.attachments.length
            ? { attachmentsNotSent: event.message.attachments.map((attachment) => attachment.name) }
            : {}),
        };
        if (await runtime.claimDelivery(inbox, event.message.id, meta)) return event.message.content.trim();
      }
      if (settled) return undefined;
      if (!watchingSettled) {
        const own = seen.find((event) => event.message.id === inboundId);
        if (own) {
          watchingSettled = true;
          // Every subscriber of the push's event has finished: a reply it produced has been published by then; one
          // more turn lets this listener receive it before the last look.
          void runtime.events.answersSettled(own).then(() =>
            setImmediate(() => {
              settled = true;
              notify?.();
            }),
          );
        }
      }
      if (index < seen.length) continue;
      await nextChange(deadline - Date.now());
    }
    return undefined;
  }

  return { answerTo, stop };
}
