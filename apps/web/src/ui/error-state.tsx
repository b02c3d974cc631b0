import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.ts';
import { EmptyState } from './empty-state.tsx';
import { errorMessage } from './errors.tsx';

type Props = { error: unknown; onRetry?: () => void; compact?: boolean };

/** A failed load: what went wrong and a way to try again; a role without the permission gets no retry. */
export function ErrorState({ error, onRetry, compact }: Props) {
  const { t } = useTranslation();
  if (isApiError(error, 'auth.forbidden')) return <EmptyState title={t('errors.forbidden')} />;
  return (
    <Result
      status={compact ? undefined : 'warning'}
      icon={compact ? null : undefined}
      title={t('errors.loadFailed')}
      subTitle={errorMessage(error, t)}
      extra={
        onRetry && (
          <Button type="primary" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )
      }
    />
  );
}
