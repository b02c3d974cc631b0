import { DeleteOutlined, ReloadOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Col,
  Divider,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Switch,
} from 'antd';
import { useTranslation } from 'react-i18next';
import { CopyButton } from '../../../ui/copy-button.tsx';
import { type ChannelType, type MailPresetKey, mailPresets, randomToken } from '../channel-config.ts';

type FieldsProps = {
  /** Secret paths the server already has ('imap.password', 'appSecret', …): empty means 「不修改」. */
  storedSecrets: Set<string>;
};

/** A write-only secret: required when nothing is stored, otherwise 「已保存，留空则不修改」. */
function SecretInput({
  name,
  label,
  path,
  storedSecrets,
  testId,
  extra,
  rules = [],
}: {
  name: (string | number)[];
  label: string;
  path: string;
  storedSecrets: Set<string>;
  testId: string;
  extra?: React.ReactNode;
  rules?: { pattern?: RegExp; len?: number; message: string }[];
}) {
  const { t } = useTranslation();
  const isStored = storedSecrets.has(path);
  return (
    <Form.Item
      name={name}
      label={label}
      extra={extra}
      rules={[
        ...(isStored ? [] : [{ required: true, message: t('channelSetup.required', { field: label }) }]),
        ...rules,
      ]}
    >
      <Input.Password
        autoComplete="new-password"
        placeholder={isStored ? t('channelSetup.secretKept') : ''}
        data-testid={testId}
      />
    </Form.Item>
  );
}

/** Each side's example server and the TLS port a preset fills in. */
const mailSides = {
  imap: { placeholder: 'imap.qq.com', port: 993 },
  smtp: { placeholder: 'smtp.qq.com', port: 465 },
} as const;

/**
 * One mail section: 收信 (IMAP) or 发信 (SMTP), the same fields on either side. A new section is switched on and off;
 * a saved one is removed with 「移除」 (sent as `null` on save; undone until then), since the server keeps a section
 * that is merely left out.
 */
function MailServerSection({ side, storedSecrets }: { side: 'imap' | 'smtp' } & FieldsProps) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const prefix = ['channelConfig', side];
  const enabledPath = ['mail', `${side}Enabled`];
  const isStored = storedSecrets.has(`${side}.password`);
  const isEnabled = Boolean(Form.useWatch(enabledPath, form));
  // A saved section keeps its on/off value in the form, but the switch is replaced by 「移除」.
  const enabledSwitch = (
    <Form.Item name={enabledPath} valuePropName="checked" noStyle hidden={isStored}>
      <Switch size="small" data-testid={`${side}-enabled`} />
    </Form.Item>
  );
  return (
    <>
      {isStored && enabledSwitch}
      <Divider titlePlacement="start" plain>
        <Space>
          {t(`channelSetup.email.${side}Title`)}
          {!isStored && enabledSwitch}
          {isStored && isEnabled && (
            <Popconfirm
              title={t(`channelSetup.email.remove.${side}`)}
              description={<div style={{ maxWidth: 320 }}>{t(`channelSetup.email.removeConfirm.${side}`)}</div>}
              okButtonProps={{ danger: true, 'data-testid': `${side}-remove-confirm` }}
              onConfirm={() => form.setFieldValue(enabledPath, false)}
            >
              <Button size="small" danger type="link" icon={<DeleteOutlined />} data-testid={`${side}-remove`}>
                {t(`channelSetup.email.remove.${side}`)}
              </Button>
            </Popconfirm>
          )}
        </Space>
      </Divider>
      {isStored && !isEnabled && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('channelSetup.email.removePending')}
          action={
            <Button
              size="small"
              onClick={() => form.setFieldValue(enabledPath, true)}
              data-testid={`${side}-undo-remove`}
            >
              {t('channelSetup.email.undoRemove')}
            </Button>
          }
          data-testid={`${side}-removed`}
        />
      )}
      {isEnabled && (
        <>
          <Row gutter={12}>
            <Col span={14}>
              <Form.Item
                name={[...prefix, 'host']}
                label={t('channelSetup.email.host')}
                rules={[{ required: true, whitespace: true, message: t('channelSetup.email.hostRequired') }]}
              >
                <Input placeholder={mailSides[side].placeholder} data-testid={`${side}-host`} />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item
                name={[...prefix, 'port']}
                label={t('channelSetup.email.port')}
                rules={[{ required: true, message: t('channelSetup.email.portRequired') }]}
              >
                <InputNumber min={1} max={65535} precision={0} style={{ width: '100%' }} data-testid={`${side}-port`} />
              </Form.Item>
            </Col>
            <Col span={5}>
              <Form.Item name={[...prefix, 'secure']} label="SSL" valuePropName="checked">
                <Switch data-testid={`${side}-secure`} />
              </Form.Item>
            </Col>
          </Row>
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item
                name={[...prefix, 'user']}
                label={t('channelSetup.email.user')}
                rules={[{ required: true, whitespace: true, message: t('channelSetup.email.userRequired') }]}
              >
                <Input autoComplete="off" data-testid={`${side}-user`} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <SecretInput
                name={[...prefix, 'password']}
                path={`${side}.password`}
                label={t('channelSetup.email.password')}
                storedSecrets={storedSecrets}
                testId={`${side}-password`}
              />
            </Col>
          </Row>
        </>
      )}
    </>
  );
}

/** 邮件: address, sender name, IMAP (收信) and SMTP (发信) with the common providers' presets. */
export function EmailConfigFields({ storedSecrets }: FieldsProps) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  const applyPreset = (key: MailPresetKey) => {
    const preset = mailPresets.find((each) => each.key === key);
    if (!preset) return;
    const address = String(form.getFieldValue(['channelConfig', 'address']) ?? '').trim();
    const server = (side: 'imap' | 'smtp') => ({
      host: preset[side],
      port: mailSides[side].port,
      secure: true,
      user: form.getFieldValue(['channelConfig', side, 'user']) || address,
    });
    form.setFieldsValue({
      mail: { imapEnabled: true, smtpEnabled: true },
      channelConfig: { imap: server('imap'), smtp: server('smtp') },
    });
  };
  return (
    <>
      <Form.Item
        name={['channelConfig', 'address']}
        label={t('channelSetup.email.address')}
        rules={[
          { required: true, message: t('channelSetup.email.addressRequired') },
          { type: 'email', message: t('channelSetup.email.addressInvalid') },
        ]}
      >
        <Input placeholder="service@example.com" autoComplete="off" data-testid="email-address" />
      </Form.Item>
      <Form.Item
        name={['channelConfig', 'displayName']}
        label={t('channelSetup.email.displayName')}
        extra={t('channelSetup.email.displayNameHelp')}
        rules={[{ max: 100 }]}
      >
        <Input placeholder={t('channelSetup.email.displayNamePlaceholder')} data-testid="email-display-name" />
      </Form.Item>
      <Form.Item label={t('channelSetup.email.preset')} extra={t('channelSetup.email.presetHelp')}>
        <Select<MailPresetKey>
          placeholder={t('channelSetup.email.presetPlaceholder')}
          onChange={applyPreset}
          options={mailPresets.map((preset) => ({
            value: preset.key,
            label: t(`channelSetup.email.presets.${preset.key}`),
          }))}
          data-testid="email-preset"
        />
      </Form.Item>
      <Alert type="info" showIcon title={t('channelSetup.email.authCodeNote')} style={{ marginBottom: 16 }} />
      <MailServerSection side="imap" storedSecrets={storedSecrets} />
      <MailServerSection side="smtp" storedSecrets={storedSecrets} />
      <div className="hk-muted hk-small" style={{ marginBottom: 16 }}>
        {t('channelSetup.email.forwardingHint')}
      </div>
    </>
  );
}

/** A text field with a 生成 button that fills it with random letters and digits, and a copy button. */
function GeneratedInput({
  value,
  onChange,
  length,
  testId,
  isPassword,
  placeholder,
}: {
  value?: string;
  onChange?: (value: string) => void;
  length: number;
  testId: string;
  isPassword?: boolean;
  placeholder?: string;
}) {
  const { t } = useTranslation();
  const InputKind = isPassword ? Input.Password : Input;
  return (
    <Space.Compact style={{ width: '100%' }}>
      <InputKind
        value={value}
        onChange={(event) => onChange?.(event.target.value)}
        autoComplete="off"
        placeholder={placeholder}
        data-testid={testId}
      />
      <Button
        icon={<ReloadOutlined />}
        onClick={() => onChange?.(randomToken(length))}
        data-testid={`${testId}-generate`}
      >
        {t('channelSetup.generate')}
      </Button>
      {value ? <CopyButton text={value} label="" /> : null}
    </Space.Compact>
  );
}

/** 微信公众号: AppID, AppSecret, Token, EncodingAESKey and 消息加解密方式. */
export function WechatConfigFields({ storedSecrets }: FieldsProps) {
  const { t } = useTranslation();
  const hasKey = storedSecrets.has('encodingAesKey');
  return (
    <>
      <Form.Item
        name={['channelConfig', 'appId']}
        label="AppID"
        extra={t('channelSetup.wechat.appIdHelp')}
        rules={[{ required: true, whitespace: true, message: t('channelSetup.required', { field: 'AppID' }) }]}
      >
        <Input placeholder="wx1234567890abcdef" autoComplete="off" data-testid="wechat-app-id" />
      </Form.Item>
      <SecretInput
        name={['channelConfig', 'appSecret']}
        path="appSecret"
        label="AppSecret"
        storedSecrets={storedSecrets}
        testId="wechat-app-secret"
      />
      <Form.Item
        name={['channelConfig', 'token']}
        label="Token"
        extra={t('channelSetup.wechat.tokenHelp')}
        rules={[
          { required: true, message: t('channelSetup.required', { field: 'Token' }) },
          { pattern: /^[A-Za-z0-9]{3,32}$/, message: t('channelSetup.wechat.tokenInvalid') },
        ]}
      >
        <GeneratedInput length={32} testId="wechat-token" />
      </Form.Item>
      <Form.Item
        name={['channelConfig', 'mode']}
        label={t('channelSetup.wechat.mode')}
        extra={t('channelSetup.wechat.modeHelp')}
      >
        <Radio.Group
          optionType="button"
          options={[
            { value: 'plain', label: t('channelSetup.wechat.modePlain') },
            { value: 'safe', label: t('channelSetup.wechat.modeSafe') },
          ]}
          data-testid="wechat-mode"
        />
      </Form.Item>
      <Form.Item noStyle shouldUpdate={(a, b) => a.channelConfig?.mode !== b.channelConfig?.mode}>
        {({ getFieldValue }) => {
          const isSafe = getFieldValue(['channelConfig', 'mode']) === 'safe';
          return (
            <Form.Item
              name={['channelConfig', 'encodingAesKey']}
              label="EncodingAESKey"
              extra={t('channelSetup.wechat.aesKeyHelp')}
              rules={[
                ...(isSafe && !hasKey
                  ? [{ required: true, message: t('channelSetup.required', { field: 'EncodingAESKey' }) }]
                  : []),
                { pattern: /^[A-Za-z0-9]{43}$/, message: t('channelSetup.wechat.aesKeyInvalid') },
              ]}
            >
              <GeneratedInput
                length={43}
                testId="wechat-aes-key"
                isPassword
                placeholder={hasKey ? t('channelSetup.secretKept') : ''}
              />
            </Form.Item>
          );
        }}
      </Form.Item>
      <Form.Item
        name={['channelConfig', 'apiBaseUrl']}
        label={t('channelSetup.wechat.apiBaseUrl')}
        extra={t('channelSetup.wechat.apiBaseUrlHelp')}
        rules={[{ required: true, type: 'url', message: t('channelSetup.urlInvalid') }]}
      >
        <Input data-testid="wechat-api-base-url" />
      </Form.Item>
    </>
  );
}

/** 短信: the provider's HTTP endpoint, keys, signature and template codes. */
export function SmsConfigFields({ storedSecrets }: FieldsProps) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item
        name={['channelConfig', 'providerUrl']}
        label={t('channelSetup.sms.providerUrl')}
        extra={t('channelSetup.sms.providerUrlHelp')}
        rules={[
          { required: true, message: t('channelSetup.required', { field: t('channelSetup.sms.providerUrl') }) },
          { type: 'url', message: t('channelSetup.urlInvalid') },
        ]}
      >
        <Input placeholder="https://sms.example.com/api/send" data-testid="sms-provider-url" />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item
            name={['channelConfig', 'accessKeyId']}
            label="AccessKey ID"
            rules={[
              { required: true, whitespace: true, message: t('channelSetup.required', { field: 'AccessKey ID' }) },
            ]}
          >
            <Input autoComplete="off" data-testid="sms-access-key-id" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <SecretInput
            name={['channelConfig', 'accessKeySecret']}
            path="accessKeySecret"
            label="AccessKey Secret"
            storedSecrets={storedSecrets}
            testId="sms-access-key-secret"
          />
        </Col>
      </Row>
      <Form.Item
        name={['channelConfig', 'signName']}
        label={t('channelSetup.sms.signName')}
        extra={t('channelSetup.sms.signNameHelp')}
        rules={[
          {
            required: true,
            whitespace: true,
            message: t('channelSetup.required', { field: t('channelSetup.sms.signName') }),
          },
        ]}
      >
        <Input placeholder={t('channelSetup.sms.signNamePlaceholder')} data-testid="sms-sign-name" />
      </Form.Item>
      <Row gutter={12}>
        <Col span={12}>
          <Form.Item
            name={['channelConfig', 'templates', 'notification']}
            label={t('channelSetup.sms.notificationTemplate')}
            rules={[
              {
                required: true,
                whitespace: true,
                message: t('channelSetup.required', { field: t('channelSetup.sms.notificationTemplate') }),
              },
            ]}
          >
            <Input placeholder="SMS_123456789" data-testid="sms-template-notification" />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item
            name={['channelConfig', 'templates', 'marketing']}
            label={t('channelSetup.sms.marketingTemplate')}
            extra={t('channelSetup.sms.marketingTemplateHelp')}
          >
            <Input placeholder="SMS_987654321" data-testid="sms-template-marketing" />
          </Form.Item>
        </Col>
      </Row>
    </>
  );
}

/** API: where Huike POSTs the replies (optional: without it the channel only receives). */
export function ApiConfigFields() {
  const { t } = useTranslation();
  return (
    <Form.Item
      name={['channelConfig', 'outboundUrl']}
      label={t('channelSetup.api.outboundUrl')}
      extra={t('channelSetup.api.outboundUrlHelp')}
      rules={[{ type: 'url', message: t('channelSetup.urlInvalid') }]}
    >
      <Input placeholder="https://bridge.example.com/huike/messages" data-testid="api-outbound-url" />
    </Form.Item>
  );
}

/** The settings fields of one channel type (website has none: its look is in the 设置 tab). */
export function ChannelConfigFields({ type, storedSecrets }: { type: ChannelType } & FieldsProps) {
  switch (type) {
    case 'email':
      return <EmailConfigFields storedSecrets={storedSecrets} />;
    case 'wechat':
      return <WechatConfigFields storedSecrets={storedSecrets} />;
    case 'sms':
      return <SmsConfigFields storedSecrets={storedSecrets} />;
    case 'api':
      return <ApiConfigFields />;
    default:
      return null;
  }
}
