import { CheckCircleFilled, CloseCircleOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../../ui/errors.tsx';
import { useInboxes } from '../../inboxes/hooks/use-inboxes.ts';
import { useTestKeywordReplies } from '../hooks/use-keyword-replies.ts';

/** 「测试消息」: type a customer message, see every rule in order with ✓/✗, the reason and the reply. */
export function KeywordReplyTester() {
  const { t } = useTranslation();
  const [content, setContent] = useState('');
  const [inboxId, setInboxId] = useState<string | undefined>();
  const inboxes = useInboxes();
  const test = useTestKeywordReplies();
  const result = test.data;
  const run = () => {
    if (content.trim()) test.mutate({ content, ...(inboxId ? { inboxId } : {}) });
  };
  const firing = result?.rules.filter((rule) => rule.fired).length ?? 0;

  return (
    <Card
      variant="borderless"
      className="hk-card"
      title={t('keywordReplies.tester.title')}
      data-testid="keyword-tester"
    >
      <Space.Compact style={{ width: '100%' }}>
        <Select
          style={{ width: 160 }}
          allowClear
          placeholder={t('keywordReplies.tester.anyInbox')}
          value={inboxId}
          onChange={setInboxId}
          options={(inboxes.data ?? []).map((inbox) => ({ value: inbox.id, label: inbox.name }))}
        />
        <Input
          value={content}
          onChange={(event) => setContent(event.target.value)}
          onPressEnter={run}
          placeholder={t('keywordReplies.tester.placeholder')}
          maxLength={5000}
          data-testid="keyword-tester-input"
        />
        <Button type="primary" onClick={run} loading={test.isPending} data-testid="keyword-tester-run">
          {t('keywordReplies.tester.run')}
        </Button>
      </Space.Compact>
      {test.error ? (
        <Alert type="error" showIcon title={errorMessage(test.error, t)} style={{ marginTop: 12 }} />
      ) : null}
      {result && (
        <div style={{ marginTop: 12 }} data-testid="keyword-tester-result">
          <Typography.Text type="secondary">
            {t('keywordReplies.tester.normalized')}
            <Typography.Text code>{result.normalizedContent}</Typography.Text>
          </Typography.Text>
          {result.rules.length > 0 && firing === 0 && (
            <Alert type="info" showIcon title={t('keywordReplies.tester.nothingFires')} style={{ marginTop: 8 }} />
          )}
          <List
            size="small"
            locale={{ emptyText: t('keywordReplies.tester.noRules') }}
            dataSource={result.rules}
            renderItem={(rule) => (
              <List.Item data-testid="keyword-tester-rule" data-fired={rule.fired ? 'true' : 'false'}>
                <Space direction="vertical" size={2} style={{ width: '100%' }}>
                  <Space wrap>
                    {rule.fired ? (
                      <CheckCircleFilled style={{ color: '#52c41a' }} aria-label={t('keywordReplies.tester.fired')} />
                    ) : (
                      <CloseCircleOutlined
                        style={{ color: '#bfbfbf' }}
                        aria-label={t('keywordReplies.tester.notFired')}
                      />
                    )}
                    <Typography.Text strong>{rule.name}</Typography.Text>
                    <Tag>{t(`keywordReplies.modes.${rule.matchMode}`)}</Tag>
                    <Typography.Text type={rule.fired ? 'success' : 'secondary'}>{rule.reason}</Typography.Text>
                  </Space>
                  {rule.reply && (
                    <Typography.Paragraph style={{ margin: 0 }} ellipsis={{ rows: 2, expandable: true }}>
                      <Typography.Text type="secondary">{t('keywordReplies.tester.reply')}</Typography.Text>
                      {rule.reply}
                    </Typography.Paragraph>
                  )}
                </Space>
              </List.Item>
            )}
          />
        </div>
      )}
    </Card>
  );
}
