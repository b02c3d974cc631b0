import type { Inbox } from '@huike/contracts';
import {
  Alert,
  App,
  Button,
  Descriptions,
  Divider,
  Drawer,
  Form,
  Input,
  Skeleton,
  Space,
  Steps,
  Tabs,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CodeBlock } from '../../../ui/code-block.tsx';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { deliveryFailureText } from '../../../ui/delivery-reasons.ts';
import { errorMessage } from '../../../ui/errors.tsx';
import { applyServerFieldErrors } from '../../../ui/form-errors.ts';
import { RelativeTime } from '../../../ui/relative-time.tsx';
import { formatDateTime } from '../../../ui/time.ts';
import { BusinessHoursSettings } from '../../business-hours/components/business-hours-settings.tsx';
import {
  type ChannelFormValues,
  channelFieldAliases,
  channelUrls,
  fromChannelConfig,
  storedSecretPaths,
  toChannelConfigUpdate,
} from '../channel-config.ts';
import { useInbox, useUpdateInbox } from '../hooks/use-inboxes.ts';
import { apiMessageExample, embedSnippet, identitySigningExample, outboundVerifyExample } from '../snippets.ts';
import { ChannelConfigFields } from './channel-config-fields.tsx';
import { ChannelTypeTag } from './channel-type-tag.tsx';
import { InboxSettingsFields } from './inbox-settings-fields.tsx';
import { SecretField } from './secret-field.tsx';

type Props = {
  inboxId: string | undefined;
  canManage: boolean;
  onClose: () => void;
  /** The EncodingAESKey the admin just saved with a new WeChat inbox: shown once on its 接入 tab (never sent back). */
  newAesKey?: string;
};

/** Why the channel is not receiving (its adapter's report; admins only), since when, and how to fix it. */
function ReceiveHealthAlert({ health }: { health: Inbox['health'] }) {
  const { t } = useTranslation();
  if (!health?.error) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="inbox-health-alert"
      title={t('channelSetup.health.title', { error: deliveryFailureText(health, t) })}
      description={
        <div className="hk-small">
          <div>
            {[
              health.failingSince && t('channelSetup.health.since', { time: formatDateTime(health.failingSince) }),
              health.lastSuccessAt
                ? t('channelSetup.health.lastSuccess', { time: formatDateTime(health.lastSuccessAt) })
                : t('channelSetup.health.neverSucceeded'),
            ]
              .filter(Boolean)
              .join(' · ')}
          </div>
          <div>{t('channelSetup.health.fixHint')}</div>
        </div>
      }
    />
  );
}

/** The inbox's public token and (for owners and admins) its signing secret. */
function TokenAndSecret({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  return (
    <Descriptions column={1} size="small" bordered className="hk-descriptions">
      <Descriptions.Item label={t('inboxes.token')}>
        <Space wrap>
          <code className="hk-mono" data-testid="inbox-token">
            {inbox.token}
          </code>
          <CopyButton size="small" text={inbox.token} />
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label={t('inboxes.secret')}>
        {inbox.secret ? (
          <SecretField secret={inbox.secret} />
        ) : (
          <span className="hk-muted">{t('inboxes.secretHidden')}</span>
        )}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** A URL to hand to a provider, with a copy button. */
function CopyableUrl({ url, testId }: { url: string; testId: string }) {
  return (
    <Space.Compact style={{ width: '100%' }}>
      <Input readOnly value={url} className="hk-mono" data-testid={testId} />
      <CopyButton text={url} />
    </Space.Compact>
  );
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const mailServerLine = (value: unknown): string | null => {
  if (!value || typeof value !== 'object') return null;
  const server = value as Record<string, unknown>;
  return `${str(server.host)}:${String(server.port ?? '')}${server.secure ? ' (SSL)' : ''} · ${str(server.user)}`;
};

function WebsiteConnect({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  return (
    <div className="hk-stack">
      <section>
        <Typography.Title level={5}>{t('inboxes.embedTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('inboxes.embedHelp')}</Typography.Paragraph>
        <CodeBlock code={embedSnippet(inbox)} testId="embed-snippet" />
      </section>
      <TokenAndSecret inbox={inbox} />
      <Alert
        type="warning"
        showIcon
        title={t('inboxes.secretTitle')}
        description={
          <div>
            <p>{t('inboxes.secretExplain')}</p>
            <p>
              <code>identifierHash = HMAC-SHA256(secret, userId)</code>
            </p>
            <p>{t('inboxes.secretKeep')}</p>
          </div>
        }
      />
      <section>
        <Typography.Title level={5}>{t('inboxes.signingTitle')}</Typography.Title>
        <CodeBlock code={identitySigningExample()} />
      </section>
    </div>
  );
}

function ApiConnect({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  const outboundUrl = str(inbox.channelConfig.outboundUrl);
  return (
    <div className="hk-stack">
      <TokenAndSecret inbox={inbox} />
      <section>
        <Typography.Title level={5}>{t('inboxes.apiTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('inboxes.apiExampleHelp')}</Typography.Paragraph>
        <CodeBlock code={apiMessageExample(inbox)} testId="api-example" />
      </section>
      <section>
        <Typography.Title level={5}>{t('channelSetup.api.outboundTitle')}</Typography.Title>
        {outboundUrl ? (
          <Typography.Paragraph>
            {t('channelSetup.api.outboundTo')}{' '}
            <code className="hk-mono" data-testid="api-outbound-url-value">
              {outboundUrl}
            </code>
          </Typography.Paragraph>
        ) : (
          <Typography.Paragraph type="secondary" data-testid="api-outbound-url-value">
            {t('channelSetup.api.outboundNone')}
          </Typography.Paragraph>
        )}
        <Typography.Paragraph type="secondary">{t('channelSetup.api.signatureHelp')}</Typography.Paragraph>
        <CodeBlock code={outboundVerifyExample()} testId="api-verify-snippet" />
      </section>
    </div>
  );
}

function EmailConnect({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  const config = inbox.channelConfig;
  const forwarding = str(config.forwardingAddress);
  const imap = mailServerLine(config.imap);
  const smtp = mailServerLine(config.smtp);
  return (
    <div className="hk-stack">
      <Descriptions column={1} size="small" bordered className="hk-descriptions">
        <Descriptions.Item label={t('channelSetup.email.address')}>
          {str(config.address) || '—'}
          {str(config.displayName) ? (
            <span className="hk-muted" data-testid="email-display-name-aside">
              {t('channelSetup.email.displayNameAside', { name: str(config.displayName) })}
            </span>
          ) : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.email.imapTitle')}>
          {imap ?? <span className="hk-muted">{t('channelSetup.email.notUsed')}</span>}
          {imap && inbox.health?.lastSuccessAt ? (
            <div className="hk-muted hk-small" data-testid="imap-last-success">
              {t('channelSetup.health.lastReceived')} <RelativeTime iso={inbox.health.lastSuccessAt} />
            </div>
          ) : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.email.smtpTitle')}>
          {smtp ?? <span className="hk-muted">{t('channelSetup.email.notUsed')}</span>}
        </Descriptions.Item>
      </Descriptions>
      <section>
        <Typography.Title level={5}>{t('channelSetup.email.forwardingTitle')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('channelSetup.email.forwardingHelp')}</Typography.Paragraph>
        {forwarding ? (
          <CopyableUrl url={forwarding} testId="email-forwarding-address" />
        ) : (
          <span className="hk-muted">{t('channelSetup.email.forwardingUnavailable')}</span>
        )}
      </section>
    </div>
  );
}

function WechatConnect({ inbox, newAesKey }: { inbox: Inbox; newAesKey?: string }) {
  const { t } = useTranslation();
  const config = inbox.channelConfig;
  const token = str(config.token);
  return (
    <div className="hk-stack">
      <section>
        <Typography.Title level={5}>{t('channelSetup.wechat.serverTitle')}</Typography.Title>
        <Steps
          orientation="vertical"
          size="small"
          current={-1}
          items={[
            { title: t('channelSetup.wechat.step1'), content: t('channelSetup.wechat.step1Help') },
            { title: t('channelSetup.wechat.step2'), content: t('channelSetup.wechat.step2Help') },
            { title: t('channelSetup.wechat.step3'), content: t('channelSetup.wechat.step3Help') },
          ]}
        />
      </section>
      <Descriptions column={1} size="small" bordered className="hk-descriptions">
        <Descriptions.Item label={t('channelSetup.wechat.serverUrl')}>
          <CopyableUrl url={channelUrls(inbox).wechat} testId="wechat-server-url" />
        </Descriptions.Item>
        <Descriptions.Item label="Token">
          {token ? (
            <Space>
              <code className="hk-mono">{token}</code>
              <CopyButton size="small" text={token} />
            </Space>
          ) : (
            '—'
          )}
        </Descriptions.Item>
        <Descriptions.Item label="EncodingAESKey">
          {newAesKey ? (
            <div className="hk-stack" style={{ gap: 8 }}>
              <Space.Compact style={{ width: '100%' }}>
                <Input readOnly value={newAesKey} className="hk-mono" data-testid="wechat-aes-key-once" />
                <CopyButton text={newAesKey} />
              </Space.Compact>
              <Typography.Text type="warning" className="hk-small">
                {t('channelSetup.wechat.aesKeyOnce')}
              </Typography.Text>
            </div>
          ) : config.mode === 'safe' ? (
            <span className="hk-muted" data-testid="wechat-aes-key-stored">
              {t('channelSetup.wechat.aesKeyStored')}
            </span>
          ) : (
            <span className="hk-muted">{t('channelSetup.wechat.aesKeyNotUsed')}</span>
          )}
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.wechat.mode')}>
          {config.mode === 'safe' ? t('channelSetup.wechat.modeSafe') : t('channelSetup.wechat.modePlain')}
        </Descriptions.Item>
        <Descriptions.Item label="AppID">{str(config.appId) || '—'}</Descriptions.Item>
      </Descriptions>
      <Alert type="info" showIcon title={t('channelSetup.wechat.ipNote')} />
    </div>
  );
}

function SmsConnect({ inbox }: { inbox: Inbox }) {
  const { t } = useTranslation();
  const urls = channelUrls(inbox);
  const config = inbox.channelConfig;
  const templates = (config.templates ?? {}) as Record<string, unknown>;
  return (
    <div className="hk-stack">
      <Typography.Paragraph type="secondary">{t('channelSetup.sms.callbacksHelp')}</Typography.Paragraph>
      <Descriptions column={1} size="small" bordered className="hk-descriptions">
        <Descriptions.Item label={t('channelSetup.sms.inboundUrl')}>
          <CopyableUrl url={urls.smsInbound} testId="sms-inbound-url" />
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.sms.reportsUrl')}>
          <CopyableUrl url={urls.smsReports} testId="sms-reports-url" />
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.sms.signName')}>{str(config.signName) || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.sms.notificationTemplate')}>
          {str(templates.notification) || '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('channelSetup.sms.marketingTemplate')}>
          {str(templates.marketing) || <span className="hk-muted">{t('channelSetup.sms.noMarketing')}</span>}
        </Descriptions.Item>
      </Descriptions>
      <Alert type="info" showIcon title={t('channelSetup.sms.optOutNote')} />
    </div>
  );
}

function ConnectTab({ inbox, newAesKey }: { inbox: Inbox; newAesKey?: string }) {
  switch (inbox.channelType) {
    case 'website':
      return <WebsiteConnect inbox={inbox} />;
    case 'email':
      return <EmailConnect inbox={inbox} />;
    case 'wechat':
      return <WechatConnect inbox={inbox} newAesKey={newAesKey} />;
    case 'sms':
      return <SmsConnect inbox={inbox} />;
    default:
      return <ApiConnect inbox={inbox} />;
  }
}

type SettingsValues = ChannelFormValues & { name: string; color: string; greeting: string };

function SettingsTab({
  inbox,
  canManage,
  onAesKeySaved,
}: {
  inbox: Inbox;
  canManage: boolean;
  /** A new EncodingAESKey was saved: the 接入 tab shows it once. */
  onAesKeySaved: (key: string) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<SettingsValues>();
  const update = useUpdateInbox();
  const hasChannelConfig = inbox.channelType !== 'website';
  const storedSecrets = useMemo(
    () => storedSecretPaths(inbox.channelType, inbox.channelConfig),
    [inbox.channelType, inbox.channelConfig],
  );
  useEffect(() => {
    form.setFieldsValue({
      name: inbox.name,
      color: inbox.settings.color,
      greeting: inbox.settings.greeting,
      ...(hasChannelConfig ? fromChannelConfig(inbox.channelType, inbox.channelConfig) : {}),
    });
  }, [inbox, form, hasChannelConfig]);
  return (
    <Form<SettingsValues>
      form={form}
      layout="vertical"
      disabled={!canManage}
      onFinish={(values) => {
        const channelConfig = hasChannelConfig ? toChannelConfigUpdate(inbox.channelType, values) : undefined;
        update.mutate(
          {
            id: inbox.id,
            input: {
              name: values.name.trim(),
              // Colour and greeting are the website widget's; other channels have neither.
              ...(channelConfig
                ? { channelConfig }
                : { settings: { color: values.color, greeting: values.greeting ?? '' } }),
            },
          },
          {
            onSuccess: () => {
              void message.success(t('common.saved'));
              if (typeof channelConfig?.encodingAesKey === 'string') onAesKeySaved(channelConfig.encodingAesKey);
            },
            onError: (error) => {
              applyServerFieldErrors(form, error, channelFieldAliases);
              void message.error(errorMessage(error, t));
            },
          },
        );
      }}
    >
      {update.isError ? (
        <Alert
          type="error"
          showIcon
          title={errorMessage(update.error, t)}
          style={{ marginBottom: 16 }}
          data-testid="inbox-save-error"
        />
      ) : null}
      <InboxSettingsFields withWidgetLook={!hasChannelConfig} />
      <Form.Item label={t('inboxes.type')}>
        <ChannelTypeTag type={inbox.channelType} />
        <span className="hk-muted">{t('inboxes.typeFixed')}</span>
      </Form.Item>
      {hasChannelConfig && (
        <>
          <Divider titlePlacement="start">{t('channelSetup.connectionTitle')}</Divider>
          <ChannelConfigFields type={inbox.channelType} storedSecrets={storedSecrets} />
        </>
      )}
      {canManage && (
        <Button type="primary" htmlType="submit" loading={update.isPending} data-testid="inbox-save">
          {t('common.save')}
        </Button>
      )}
    </Form>
  );
}

/** One inbox: how to connect it (snippet, token, secret) and its settings. */
export function InboxDetailDrawer({ inboxId, canManage, onClose, newAesKey }: Props) {
  const { t } = useTranslation();
  const inbox = useInbox(inboxId);
  // Shown until the drawer closes: the key from creation, or one generated and saved on the 设置 tab.
  const [aesKey, setAesKey] = useState(newAesKey);
  useEffect(() => setAesKey(inboxId ? newAesKey : undefined), [inboxId, newAesKey]);
  return (
    <Drawer
      open={Boolean(inboxId)}
      onClose={onClose}
      size={640}
      destroyOnHidden
      title={
        inbox.data ? (
          <Space>
            <span className="hk-color-dot" style={{ background: inbox.data.settings.color }} />
            {inbox.data.name}
            <ChannelTypeTag type={inbox.data.channelType} />
          </Space>
        ) : (
          t('inboxes.detailTitle')
        )
      }
      data-testid="inbox-detail"
    >
      {inbox.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : inbox.isError ? (
        <Alert type="error" showIcon title={errorMessage(inbox.error, t)} />
      ) : (
        <>
          <ReceiveHealthAlert health={inbox.data.health} />
          <Tabs
            items={[
              {
                key: 'connect',
                label: t('inboxes.tabConnect'),
                children: <ConnectTab inbox={inbox.data} newAesKey={aesKey} />,
              },
              {
                key: 'settings',
                label: t('inboxes.tabSettings'),
                children: <SettingsTab inbox={inbox.data} canManage={canManage} onAesKeySaved={setAesKey} />,
              },
              {
                key: 'hours',
                label: t('businessHours.tab'),
                children: <BusinessHoursSettings inbox={inbox.data} canManage={canManage} />,
              },
            ]}
          />
          <div className="hk-muted hk-small">
            {t('inboxes.createdAt', { time: formatDateTime(inbox.data.createdAt) })}
          </div>
        </>
      )}
    </Drawer>
  );
}
