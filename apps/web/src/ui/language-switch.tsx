import { TranslationOutlined } from '@ant-design/icons';
import { Button, Dropdown } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, type Language } from '../i18n/index.ts';

const labels: Record<Language, string> = { 'zh-CN': '中文', en: 'English' };

export function LanguageSwitch({ type = 'text' }: { type?: 'text' | 'default' }) {
  useTranslation();
  const language = currentLanguage();
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        selectable: true,
        selectedKeys: [language],
        items: (Object.keys(labels) as Language[]).map((key) => ({ key, label: labels[key] })),
        onClick: ({ key }) => changeLanguage(key as Language),
      }}
    >
      <Button type={type} icon={<TranslationOutlined />} data-testid="language-switch">
        {labels[language]}
      </Button>
    </Dropdown>
  );
}
