import { useEffect, useRef } from 'react';

/** Keyboard shortcuts live on the page; the composer and header listen for what they should do. */
export type WorkbenchCommand =
  | 'focus-reply'
  | 'focus-note'
  | 'open-assign'
  | 'resolve'
  | 'focus-tags'
  | 'focus-conversation-tags';

const eventName = 'huike:workbench';

export function emitWorkbenchCommand(command: WorkbenchCommand): void {
  window.dispatchEvent(new CustomEvent<WorkbenchCommand>(eventName, { detail: command }));
}

export function useWorkbenchCommand(command: WorkbenchCommand, handler: () => void): void {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    const listener = (event: Event) => {
      if ((event as CustomEvent<WorkbenchCommand>).detail === command) handlerRef.current();
    };
    window.addEventListener(eventName, listener);
    return () => window.removeEventListener(eventName, listener);
  }, [command]);
}
