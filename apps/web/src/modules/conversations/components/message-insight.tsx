import type { MessageSentiment, MessageUrgency } from '@huike/contracts';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

/**
 * What the nlp module read in a customer message: a quiet tag when it is negative (负面 0.93) and a loud red
 * 紧急 tag, with the reasons in its tooltip, when it needs someone soon. Positive messages show nothing.
 */
export function MessageInsight({
  sentiment,
  urgency,
}: {
  sentiment: MessageSentiment | null;
  urgency: MessageUrgency | null;
}) {
  const { t } = useTranslation();
  const negative = sentiment?.label === 'negative';
  if (!negative && !urgency?.urgent) return null;
  return (
    <span className="hk-msg-insight">
      {negative && (
        <Tag bordered={false} className="hk-msg-sentiment" data-testid="message-sentiment">
          {t('insight.negative')} {sentiment.score.toFixed(2)}
        </Tag>
      )}
      {urgency?.urgent && (
        <Tooltip title={urgency.reasons.map((reason) => t(`insight.reasons.${reason}`)).join(' / ')}>
          <Tag color="red" data-testid="message-urgent">
            {t('insight.urgent')}
          </Tag>
        </Tooltip>
      )}
    </span>
  );
}
