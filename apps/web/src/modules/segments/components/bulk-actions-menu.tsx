import {
  DownloadOutlined,
  DownOutlined,
  MobileOutlined,
  TagOutlined,
  TagsOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import type { ExportTarget } from '@huike/contracts';
import { Button, Dropdown, type MenuProps } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SmsCampaignModal } from '../../campaigns/components/sms-campaign-modal.tsx';
import { useCan } from '../../identity/hooks/use-session.ts';
import { ExportDialog } from '../../imports-exports/components/export-dialog.tsx';
import type { BulkAction } from '../api/bulk-api.ts';
import { BulkActionModal } from './bulk-action-modal.tsx';

type Props = {
  target: ExportTarget;
  /** Who the actions apply to, e.g. 「分组：沉睡客户」. */
  description: string;
  disabled?: boolean;
  size?: 'small' | 'middle';
  type?: 'primary' | 'default';
};

/** 批量操作 ▾: add/remove tags, assign an owner, export — each counts first and confirms. */
export function BulkActionsMenu({ target, description, disabled, size, type = 'default' }: Props) {
  const { t } = useTranslation();
  const can = useCan();
  const [open, setOpen] = useState<BulkAction | 'export' | 'sms' | null>(null);
  const canBulk = can('customers:bulk_update') && !('all' in target);
  const canExport = can('customers:export');
  // 群发短信 goes to a saved segment only (the campaign fixes its audience from the segment).
  const smsSegmentId = can('campaigns:send') && 'segmentId' in target ? target.segmentId : null;

  const items: MenuProps['items'] = [
    canBulk && { key: 'add_tags', icon: <TagOutlined />, label: t('bulk.actions.add_tags') },
    canBulk && { key: 'remove_tags', icon: <TagsOutlined />, label: t('bulk.actions.remove_tags') },
    canBulk && { key: 'assign_owner', icon: <UserSwitchOutlined />, label: t('bulk.actions.assign_owner') },
    canBulk && canExport && { type: 'divider' as const },
    canExport && { key: 'export', icon: <DownloadOutlined />, label: t('bulk.actions.export') },
    smsSegmentId && (canBulk || canExport) && { type: 'divider' as const },
    smsSegmentId && { key: 'sms', icon: <MobileOutlined />, label: t('smsCampaign.menu') },
  ].filter(Boolean) as MenuProps['items'];

  if (!items?.length) return null;

  return (
    <>
      <Dropdown
        trigger={['click']}
        disabled={disabled}
        menu={{ items, onClick: ({ key }) => setOpen(key as BulkAction | 'export' | 'sms') }}
      >
        <Button size={size} type={type} data-testid="bulk-menu">
          {t('bulk.menu')} <DownOutlined />
        </Button>
      </Dropdown>
      {open && open !== 'export' && open !== 'sms' && (
        <BulkActionModal open action={open} target={target} description={description} onClose={() => setOpen(null)} />
      )}
      {open === 'export' && (
        <ExportDialog open target={target} description={description} onClose={() => setOpen(null)} />
      )}
      {open === 'sms' && smsSegmentId && (
        <SmsCampaignModal open segmentId={smsSegmentId} description={description} onClose={() => setOpen(null)} />
      )}
    </>
  );
}
