import { Card, Col, Row, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { SmsCampaignHistoryButton } from '../modules/campaigns/components/sms-campaign-history.tsx';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import { SegmentEditor } from '../modules/segments/components/segment-editor.tsx';
import { SegmentList } from '../modules/segments/components/segment-list.tsx';
import { useSegments } from '../modules/segments/hooks/use-segments.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

/** 分组: saved segments on the left, the builder with its live count and preview on the right. */
export function SegmentsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('segments.title'));
  const navigate = useNavigate();
  const can = useCan();
  const canManage = can('segments:manage');
  const { segmentId } = useParams();
  const segments = useSegments();
  const isNew = segmentId === 'new';
  const selected = isNew ? undefined : segments.data?.find((segment) => segment.id === segmentId);

  let editor: React.ReactNode;
  if (isNew) {
    editor = (
      <SegmentEditor
        key="new"
        canManage={canManage}
        onSaved={(saved) => navigate(`/segments/${saved.id}`, { replace: true })}
        onDeleted={() => navigate('/segments')}
      />
    );
  } else if (segmentId && segments.isLoading) {
    editor = (
      <Card variant="borderless" className="hk-card">
        <Skeleton active paragraph={{ rows: 6 }} />
      </Card>
    );
  } else if (selected) {
    editor = (
      <SegmentEditor
        key={`${selected.id}:${selected.updatedAt}`}
        segment={selected}
        canManage={canManage}
        onSaved={() => undefined}
        onDeleted={() => navigate('/segments', { replace: true })}
      />
    );
  } else {
    editor = (
      <Card variant="borderless" className="hk-card">
        <EmptyState
          title={segmentId ? t('segments.notFound') : t('segments.pickTitle')}
          description={canManage ? t('segments.pickDescription') : t('segments.pickDescriptionReadOnly')}
        />
      </Card>
    );
  }

  return (
    <div className="hk-page">
      <PageHeader title={t('segments.title')} subtitle={t('segments.subtitle')} extra={<SmsCampaignHistoryButton />} />
      <Row gutter={16} wrap={false} className="hk-segments-layout">
        <Col flex="280px">
          <SegmentList
            selectedId={isNew ? undefined : segmentId}
            canManage={canManage}
            onOpen={(id) => navigate(`/segments/${id}`)}
            onNew={() => navigate('/segments/new')}
          />
        </Col>
        <Col flex="auto" style={{ minWidth: 0 }}>
          {editor}
        </Col>
      </Row>
    </div>
  );
}
