import type { TemplateAttachment } from '@huike/contracts';
import { useEffect, useRef } from 'react';

/** The quick-phrases panel hands filled text (and the template's attachments) to the composer of the same conversation. */
type InsertDetail = { conversationId: string; content: string; attachments?: TemplateAttachment[] };

const eventName = 'huike:insert-template';

export function emitTemplateInsert(detail: InsertDetail): void {
  window.dispatchEvent(new CustomEvent<InsertDetail>(eventName, { detail }));
}

export function useTemplateInsertListener(
  conversationId: string,
  handler: (content: string, attachments?: TemplateAttachment[]) => void,
): void {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    const listener = (event: Event) => {
      const detail = (event as CustomEvent<InsertDetail>).detail;
      if (detail.conversationId === conversationId) handlerRef.current(detail.content, detail.attachments);
    };
    window.addEventListener(eventName, listener);
    return () => window.removeEventListener(eventName, listener);
  }, [conversationId]);
}
