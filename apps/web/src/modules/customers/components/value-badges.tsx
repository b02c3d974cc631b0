import type { LifecycleStage, RfmTier } from '@huike/contracts';
import { Tag, Tooltip } from 'antd';
import { useTranslation } from 'react-i18next';

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
