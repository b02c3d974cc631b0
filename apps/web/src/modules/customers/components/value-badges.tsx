import type { LifecycleStage, RfmTier } from '@huike/contracts';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../ui/time.ts';

const tierColors: Record<RfmTier, string> = {
  loyal: 'gold',
  potential: 'blue',
  new: 'green',
  winback: 'orange',
  churned: 'default',
};

const stageColors: Record<LifecycleStage, string> = {
  prospect: 'default',
  new: 'green',
  active: 'blue',
  dormant: 'orange',
  churned: 'red',
  returning: 'purple',
};

/** The RFM tier (高价值忠诚, 潜力成长…) as a small coloured badge; nothing before the first order. */
export function TierBadge({ tier }: { tier: RfmTier | null | undefined }) {
  const { t } = useTranslation();
  if (!tier) return null;
  return (
    <Tooltip title={t('value.tierHelp')}>
      <Tag color={tierColors[tier]} className="hk-badge" data-testid="tier-badge" data-tier={tier}>
        {tier === 'loyal' && '★ '}
        {t(`value.tiers.${tier}`)}
      </Tag>
    </Tooltip>
  );
}

export function LifecycleTag({ stage }: { stage: LifecycleStage | null | undefined }) {
  const { t } = useTranslation();
  if (!stage) return null;
  return (
    <Tag color={stageColors[stage]} className="hk-badge" data-testid="lifecycle-tag" data-stage={stage}>
      {t(`value.stages.${stage}`)}
    </Tag>
  );
}

/** 已退订营销: the customer gets no marketing SMS (replied 退订, or a lead set it); the date in the tooltip. */
export function MarketingOptOutTag({ optedOutAt }: { optedOutAt: string | null | undefined }) {
  const { t } = useTranslation();
  if (!optedOutAt) return null;
  return (
    <Tooltip title={t('customerChannels.marketing.optedOutAt', { time: formatDateTime(optedOutAt) })}>
      <Tag color="volcano" className="hk-badge" data-testid="marketing-opt-out-tag" data-opted-out-at={optedOutAt}>
        {t('customerChannels.marketing.optedOutTag')}
      </Tag>
    </Tooltip>
  );
}
