import { useEffect, useRef } from 'react';
import { emitWorkbenchCommand } from '../workbench-events.ts';

const isTyping = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
};

type Options = {
  ids: string[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
  onHelp: () => void;
  hasConversation: boolean;
};

/**
 * ↑/↓ and J/K move between conversations, R/N/A/E/T act on the open one (T tags the customer, Shift+T the
 * conversation), ? lists them — never while typing.
 */
export function useWorkbenchKeys(options: Options): void {
  const optionsRef = useRef(options);
  optionsRef.current = options;
  // The route's conversation id lags navigate(): the router renders it in a transition, which takes a few hundred
  // ms while the next conversation loads and may commit rows in between. So key moves chain on the rows they asked
  // for (this trail, which starts with the row they left) until the route reaches the last one or goes elsewhere.
  const trailRef = useRef<(string | undefined)[]>([]);
  const { selectedId } = options;
  useEffect(() => {
    const trail = trailRef.current;
    if (trail.at(-1) === selectedId || !trail.includes(selectedId)) trailRef.current = [];
  }, [selectedId]);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      if (isTyping(event.target)) return;
      // Leave keys alone while a dialog, drawer or popup menu has focus.
      if (
        event.target instanceof HTMLElement &&
        event.target.closest('.ant-modal, .ant-drawer, .ant-dropdown, .ant-popover')
      )
        return;
      const { ids, selectedId, onSelect, onHelp, hasConversation } = optionsRef.current;
      const move = (step: number) => {
        if (ids.length === 0) return;
        if (!trailRef.current.includes(selectedId)) trailRef.current = [selectedId];
        const current = trailRef.current.at(-1);
        const index = current ? ids.indexOf(current) : -1;
        const next =
          index === -1 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + step));
        const id = ids[next];
        if (!id || id === current) return;
        trailRef.current.push(id);
        onSelect(id);
      };
      const key = event.key;
      let isHandled = true;
      if (key === 'ArrowDown' || key === 'j' || key === 'J') move(1);
      else if (key === 'ArrowUp' || key === 'k' || key === 'K') move(-1);
      else if (key === '?') onHelp();
      else if (hasConversation && (key === 'r' || key === 'R')) emitWorkbenchCommand('focus-reply');
      else if (hasConversation && (key === 'n' || key === 'N')) emitWorkbenchCommand('focus-note');
      else if (hasConversation && (key === 'a' || key === 'A')) emitWorkbenchCommand('open-assign');
      else if (hasConversation && (key === 'e' || key === 'E')) emitWorkbenchCommand('resolve');
      else if (hasConversation && key === 'T' && event.shiftKey) emitWorkbenchCommand('focus-conversation-tags');
      else if (hasConversation && (key === 't' || key === 'T')) emitWorkbenchCommand('focus-tags');
      else isHandled = false;
      if (isHandled) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
