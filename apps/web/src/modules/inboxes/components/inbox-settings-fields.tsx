import { ColorPicker, type ColorPickerProps, Form, Input } from 'antd';
import { useTranslation } from 'react-i18next';

type PickedColor = Parameters<NonNullable<ColorPickerProps['onChange']>>[0];

const presetColors = ['#1677ff', '#13c2c2', '#52c41a', '#fa8c16', '#f5222d', '#eb2f96', '#722ed1', '#262626'];

/**
 * Name, and the website widget's colour and greeting (other channels have neither): the create drawer and the
 * settings tab.
 */
export function InboxSettingsFields({ withWidgetLook = true }: { withWidgetLook?: boolean }) {
  const { t } = useTranslation();
  return (
    <>
      <Form.Item
        name="name"
        label={t('inboxes.name')}
        rules={[{ required: true, whitespace: true, message: t('inboxes.nameRequired') }, { max: 100 }]}
      >
        <Input placeholder={t('inboxes.namePlaceholder')} data-testid="inbox-name" />
      </Form.Item>
      {withWidgetLook && (
        <Form.Item
          name="color"
          label={t('inboxes.color')}
          extra={t('inboxes.colorHelp')}
          getValueFromEvent={(color: PickedColor) => color.toHexString().slice(0, 7)}
          rules={[{ required: true }, { pattern: /^#[0-9a-fA-F]{6}$/, message: t('inboxes.colorInvalid') }]}
        >
          <ColorPicker disabledAlpha showText presets={[{ label: t('inboxes.presetColors'), colors: presetColors }]} />
        </Form.Item>
      )}
      {withWidgetLook && (
        <Form.Item
          name="greeting"
          label={t('inboxes.greeting')}
          extra={t('inboxes.greetingHelp')}
          rules={[{ max: 500 }]}
        >
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={500} showCount />
        </Form.Item>
      )}
    </>
  );
}
