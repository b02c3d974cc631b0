import { App, Segmented, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import type { ChosenPresence } from '../api/routing-api.ts';
import { useMyRoutingStatus, useSetPresence } from '../hooks/use-routing.ts';
import { formatLoad, loadTitle } from '../labels.ts';
import '../routing.css';

const choices: ChosenPresence[] = ['online', 'busy', 'away'];

/**
 * 在线 / 忙碌 / 离开 in the workbench, with the agent's load against capacity (3/8). Only online agents get new work.
 * Offline (never chosen, or every tab closed) is not a choice but a state: shown in grey with what to do about it.
 */
export function PresenceSwitch() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const status = useMyRoutingStatus();
  const setPresence = useSetPresence();
  if (!status.data) return null;
  const { presence, load, capacity } = status.data;
  const isOffline = presence === 'offline';
  return (
    <div className="hk-presence-switch" data-testid="presence-switch" data-presence={presence}>
      {isOffline && (
        <div className="hk-presence-offline" data-testid="presence-offline" role="status">
          <span className="hk-presence-dot hk-presence-offline-dot" />
          <strong>{t('routing.presence.offline')}</strong>
          <span className="hk-presence-offline-hint">{t('routing.offlineHint')}</span>
        </div>
      )}
      <Segmented<ChosenPresence | 'offline'>
        size="small"
        aria-label={t('routing.presenceLabel')}
        // 'offline' matches no option: nothing is selected, and a click on 在线 is a change (with no value the
        // control would treat its first option as already chosen and ignore that click).
        value={presence}
        disabled={setPresence.isPending}
        onChange={(value) => {
          if (value === 'offline') return;
          // The segment's radio keeps focus after a click: give it back, so ↑/↓ move through conversations
          // instead of changing the status.
          if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
          setPresence.mutate(value, { onError: (error) => void message.error(errorMessage(error, t)) });
        }}
        options={choices.map((choice) => ({
          value: choice,
          label: (
            <span data-testid={`presence-${choice}`}>
              <span className={`hk-presence-dot hk-presence-${choice}`} />
              {t(`routing.presence.${choice}`)}
            </span>
          ),
        }))}
      />
      <Tooltip title={loadTitle(load, capacity, t)}>
        <span className="hk-presence-load" data-testid="presence-load">
          {formatLoad(load, capacity, t)}
        </span>
      </Tooltip>
    </div>
  );
}
