import { App, Segmented, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import type { ChosenPresence } from '../api/routing-api.ts';
import { useMyRoutingStatus, useSetPresence } from '../hooks/use-routing.ts';
import { formatLoad, loadTitle } from '../labels.ts';
import '../routing.css';

const choices: ChosenPresence[] = ['online', 'busy', 'away'];

/** 在线 / 忙碌 / 离开 in the workbench, with the agent's load against capacity (3/8). Only online agents get new work. */
export function PresenceSwitch() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const status = useMyRoutingStatus();
  const setPresence = useSetPresence();
  if (!status.data) return null;
  const { presence, load, capacity } = status.data;
  return (
    <div className="hk-presence-switch" data-testid="presence-switch" data-presence={presence}>
      <Segmented<ChosenPresence>
        size="small"
        aria-label={t('routing.presenceLabel')}
        value={presence === 'offline' ? undefined : presence}
        disabled={setPresence.isPending}
        onChange={(value) =>
          setPresence.mutate(value, { onError: (error) => void message.error(errorMessage(error, t)) })
        }
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
