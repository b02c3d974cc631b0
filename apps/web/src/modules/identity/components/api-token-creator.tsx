import { KeyOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from '../../../ui/code-block.tsx';
import { errorMessage } from '../../../ui/errors.tsx';
import type { ApiTokenCreated } from '../api/identity-api.ts';
import { useCreateApiToken } from '../hooks/use-users.ts';

/** Creates an API token and shows it exactly once. */
export function ApiTokenCreator() {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string }>();
  const create = useCreateApiToken();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);

  return (
    <div className="hk-stack">
      <Form
        form={form}
        layout="inline"
        onFinish={({ name }) =>
          create.mutate(name.trim(), {
            onSuccess: (token) => {
              setCreated(token);
              form.resetFields();
            },
          })
        }
      >
        <Form.Item
          name="name"
          rules={[{ required: true, whitespace: true, message: t('tokens.nameRequired') }, { max: 100 }]}
          style={{ minWidth: 320 }}
        >
          <Input prefix={<KeyOutlined />} placeholder={t('tokens.namePlaceholder')} data-testid="token-name" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending} data-testid="token-create">
            {t('tokens.create')}
          </Button>
        </Form.Item>
      </Form>
      {create.isError && <Alert type="error" showIcon title={errorMessage(create.error, t)} />}
      {created && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreated(null) }}
          title={t('tokens.createdTitle', { name: created.name })}
          description={
            <div className="hk-stack-tight">
              <Typography.Text strong type="warning">
                {t('tokens.showOnce')}
              </Typography.Text>
              <CodeBlock code={created.token} testId="token-value" />
              <Typography.Text type="secondary">{t('tokens.usage')}</Typography.Text>
              <CodeBlock
                code={`curl -H 'Authorization: Bearer ${created.token}' '${window.location.origin}/api/v1/conversations?assignee=all'`}
              />
            </div>
          }
        />
      )}
    </div>
  );
}
