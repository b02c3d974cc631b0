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

/**
 * The RFM tier (高价值忠诚, 潜力成长…) as a small coloured badge; nothing before the first order. `labelled` names
 * it (价值分层：流失) where it stands next to the lifecycle stage, whose words it shares (新客, 流失).
 */
export function TierBadge({ tier, labelled }: { tier: RfmTier | null | undefined; labelled?: boolean }) {
  const { t } = useTranslation();
  if (!tier) return null;
  return (
    <Tooltip title={t('value.tierHelp')}>
      <Tag color={tierColors[tier]} className="hk-badge" data-testid="tier-badge" data-tier={tier}>
        {labelled && `${t('value.tierLabel')}${t('common.colon')}`}
        {tier === 'loyal' && '★ '}
        {t(`value.tiers.${tier}`)}
      </Tag>
    </Tooltip>
  );
}

/** The lifecycle stage as a small coloured badge; `labelled` names it (生命周期：流失), as TierBadge. */
export function LifecycleTag({ stage, labelled }: { stage: LifecycleStage | null | undefined; labelled?: boolean }) {
  const { t } = useTranslation();
  if (!stage) return null;
  // Outlined, where the tier is filled: the two read as different things even at a glance.
  return (
    <Tooltip title={t('value.lifecycleHelp')}>
      <Tag
        color={stageColors[stage]}
        variant="outlined"
        className="hk-badge"
        data-testid="lifecycle-tag"
        data-stage={stage}
      >
        {labelled && `${t('value.lifecycle')}${t('common.colon')}`}
        {t(`value.stages.${stage}`)}
      </Tag>
    </Tooltip>
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
