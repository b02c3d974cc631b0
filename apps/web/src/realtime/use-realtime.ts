import type { AgentEvent } from '@huike/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { queryKeys } from '../api/query-keys.ts';
import {
  keepMessagesArrivedDuringFetch,
  replaceMessage,
  storeConversation,
  storeMessage,
} from '../modules/conversations/cache.ts';
import { RealtimeConnection } from './realtime-connection.ts';
import { setRealtimeStatus } from './realtime-status.ts';
import { clearCustomerTyping, noteCustomerTyping } from './typing.ts';

/** Keeps the one agent socket open while signed in and feeds its events into the query cache. */
export function useRealtime(userId: string | undefined): void {
  const client = useQueryClient();
  useEffect(() => {
    if (!userId) return;
    const connection = new RealtimeConnection({
      onEvent: (event: AgentEvent) => {
        if (event.type === 'message.created') {
          storeMessage(client, event.message, event.conversation);
          if (event.message.direction === 'inbound') clearCustomerTyping(event.conversation.id);
        } else if (event.type === 'conversation.typing') noteCustomerTyping(event.conversationId);
        else if (event.type === 'conversation.updated') storeConversation(client, event.conversation);
        else if (event.type === 'message.updated') replaceMessage(client, event.message);
        else if (event.type === 'alert.created') void client.invalidateQueries({ queryKey: ['alerts'] });
        else if (event.type === 'presence.changed') void client.invalidateQueries({ queryKey: ['routing'] });
      },
      onReconnected: () => {
        // Events sent while we were away are lost: refetch what they would have changed.
        void client.invalidateQueries({ queryKey: queryKeys.conversations });
        void client.invalidateQueries({ queryKey: queryKeys.session });
      },
      onStatus: setRealtimeStatus,
      onRepeatedFailure: () => void client.invalidateQueries({ queryKey: queryKeys.session }),
    });
    // A message that arrives while its chat's history is loading is merged into the answer when it lands.
    const stopKeeping = keepMessagesArrivedDuringFetch(client);
    connection.start();
    return () => {
      connection.stop();
      stopKeeping();
    };
  }, [client, userId]);
}
