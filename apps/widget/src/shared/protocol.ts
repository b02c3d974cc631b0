/**
 * postMessage shapes between the iframe chat app and the loader on the shop's page.
 * They carry no message text: the shop's page only needs to know that something arrived.
 */

/** iframe → shop page. `ready` is sent at start and again with the inbox colour once known. */
export type WidgetToHost =
  | { source: 'huike-widget'; type: 'ready'; color?: string }
  | { source: 'huike-widget'; type: 'message' }
  | { source: 'huike-widget'; type: 'close' };

/** shop page → iframe: whether the chat panel is showing. */
export type HostToWidget = { source: 'huike-loader'; type: 'open' | 'close' };
