import { Skeleton } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useParams } from 'react-router';
import { ChatPanel } from '../modules/conversations/components/chat-panel.tsx';
import { ConversationList } from '../modules/conversations/components/conversation-list.tsx';
import { ShortcutHelp } from '../modules/conversations/components/shortcut-help.tsx';
import { useConversation, useConversationList } from '../modules/conversations/hooks/use-conversations.ts';
import { useInboxFilters } from '../modules/conversations/hooks/use-inbox-filters.ts';
import { useWorkbenchKeys } from '../modules/conversations/hooks/use-workbench-keys.ts';
import { useCan, useCurrentUser } from '../modules/identity/hooks/use-session.ts';
import { useTeams, useUserMap, useUsers } from '../modules/identity/hooks/use-users.ts';
import { assignableRoles } from '../modules/identity/permissions.ts';
import { useInboxes } from '../modules/inboxes/hooks/use-inboxes.ts';
import { PresenceSwitch } from '../modules/routing/components/presence-switch.tsx';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';
import { WorkbenchCustomerPanel } from './workbench-customer-panel.tsx';

/** 工作台: conversations on the left, the chat in the centre, the customer on the right. */
export function InboxPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('nav.inbox'));
  const { conversationId } = useParams();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useCurrentUser();
  const can = useCan();
  const { state, filters, update } = useInboxFilters();
  const list = useConversationList(filters);
  const conversation = useConversation(conversationId);
  const inboxes = useInboxes();
  const users = useUsers();
  const userMap = useUserMap();
  const teams = useTeams();
  const [isHelpOpen, setHelpOpen] = useState(false);

  const agents = useMemo(
    () => (users.data ?? []).filter((user) => !user.disabled && assignableRoles.includes(user.role)),
    [users.data],
  );

  const search = location.search;
  const select = useCallback((id: string) => navigate({ pathname: `/inbox/${id}`, search }), [navigate, search]);

  const ids = useMemo(() => list.conversations.map((item) => item.id), [list.conversations]);
  useWorkbenchKeys({
    ids,
    selectedId: conversationId,
    onSelect: select,
    onHelp: () => setHelpOpen(true),
    hasConversation: Boolean(conversation.data),
  });

  const { fetchNextPage } = list;
  const current = conversation.data;

  return (
    <div className="hk-workbench" data-testid="workbench">
      <aside className="hk-wb-list">
        {can('conversations:reply') && <PresenceSwitch />}
        <ConversationList
          state={state}
          onChange={update}
          conversations={list.conversations}
          isPending={list.isPending}
          error={list.error}
          onRetry={() => void list.refetch()}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          fetchNextPage={() => void fetchNextPage()}
          selectedId={conversationId}
          onSelect={select}
          inboxes={inboxes.data ?? []}
          users={userMap}
        />
      </aside>
      <section className="hk-wb-chat">
        {!conversationId ? (
          <EmptyState
            title={t('inbox.pickTitle')}
            description={
              <>
                {t('inbox.pickDescription')}{' '}
                <button type="button" className="hk-link-button" onClick={() => setHelpOpen(true)}>
                  {t('inbox.pickShortcuts')}
                </button>
              </>
            }
          />
        ) : current ? (
          <ChatPanel
            key={current.id}
            conversation={current}
            me={me}
            users={userMap}
            agents={agents}
            teams={teams.data ?? []}
            canReply={can('conversations:reply')}
            canAssign={can('conversations:assign')}
            canChangeStatus={can('conversations:change_status')}
          />
        ) : conversation.isError ? (
          <ErrorState error={conversation.error} onRetry={() => void conversation.refetch()} />
        ) : (
          <div className="hk-chat-loading">
            <Skeleton active avatar paragraph={{ rows: 1 }} />
            <Skeleton active paragraph={{ rows: 4 }} />
          </div>
        )}
      </section>
      <aside className="hk-wb-customer">
        {!conversationId && (
          <div className="hk-customer-panel-empty" data-testid="customer-panel-empty">
            <div className="hk-panel-title">{t('customer.panelTitle')}</div>
            <div className="hk-muted">{t('customer.panelEmpty')}</div>
          </div>
        )}
        {conversationId && !current && !conversation.isError && (
          <div className="hk-customer-panel">
            <Skeleton active paragraph={{ rows: 5 }} />
          </div>
        )}
        {current && (
          <WorkbenchCustomerPanel
            customerId={current.customerId}
            conversationId={current.id}
            canEdit={can('customers:update')}
            onOpenConversation={select}
          />
        )}
      </aside>
      <ShortcutHelp open={isHelpOpen} onClose={() => setHelpOpen(false)} />
    </div>
  );
}
