import { UploadOutlined } from '@ant-design/icons';
import type { ExportTarget, SegmentCondition } from '@huike/contracts';
import { Button, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useCan } from '../../identity/hooks/use-session.ts';
import { BulkActionsMenu } from './bulk-actions-menu.tsx';

/** The customers list's current search and filters. */
export type CustomerListScope = { q?: string; tagId?: string; lifecycleStage?: string; rfmTier?: string };

type Props = {
  /** Rows ticked in the customers table. */
  selectedIds: string[];
  scope: CustomerListScope;
  onClear: () => void;
};

/** The list's filters as a segment filter; a search cannot be combined with them, so that case has no target. */
function scopeTarget(scope: CustomerListScope): ExportTarget | null {
  const conditions: SegmentCondition[] = [];
  if (scope.tagId) conditions.push({ field: 'tags', op: 'has_any', value: [scope.tagId] });
  if (scope.lifecycleStage) conditions.push({ field: 'lifecycle_stage', op: 'eq', value: scope.lifecycleStage });
  if (scope.rfmTier) conditions.push({ field: 'rfm_tier', op: 'eq', value: scope.rfmTier });
  if (scope.q) return conditions.length ? null : { q: scope.q };
  return conditions.length ? { filter: { op: 'and', conditions } } : { all: true };
}

/**
 * The customers list's bulk bar: acts on the ticked rows, else on everything the list shows (its search or its
 * filters), else on everyone (export only). The page renders it in its filter bar.
 */
export function CustomerSelectionToolbar({ selectedIds, scope, onClear }: Props) {
  const { t } = useTranslation();
  const count = selectedIds.length;
  if (count > 0) {
    return (
      <div className="hk-selection-bar" data-testid="selection-bar">
        <Space>
          <Typography.Text strong>{t('bulk.selected', { count })}</Typography.Text>
          <Button type="link" size="small" onClick={onClear}>
            {t('bulk.clearSelection')}
          </Button>
        </Space>
        <BulkActionsMenu
          target={{ customerIds: selectedIds }}
          description={t('bulk.selectedDescription')}
          type="primary"
        />
      </div>
    );
  }
  const target = scopeTarget(scope);
  if (!target) return null;
  const description =
    'q' in target
      ? t('bulk.searchDescription', { q: target.q })
      : 'all' in target
        ? t('bulk.allDescription')
        : t('bulk.listDescription');
  return <BulkActionsMenu target={target} description={description} />;
}

/** 导入 on the customers page header, for roles that may import customers or orders. */
export function CustomersImportButton() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  if (!can('customers:import') && !can('orders:write')) return null;
  return (
    <Button icon={<UploadOutlined />} onClick={() => navigate('/customers/import')} data-testid="customers-import">
      {t('imports.entry')}
    </Button>
  );
}
