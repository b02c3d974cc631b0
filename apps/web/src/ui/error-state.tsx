import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { errorMessage } from './errors.tsx';

type Props = { error: unknown; onRetry?: () => void; compact?: boolean };

/** A failed load: what went wrong and a way to try again. */
export function ErrorState({ error, onRetry, compact }: Props) {
  const { t } = useTranslation();
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
