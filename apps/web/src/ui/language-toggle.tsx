import { TranslationOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage, type Language } from '../i18n/index.ts';

const labels: Record<Language, string> = { 'zh-CN': '中文', en: 'English' };

/** The sign-in pages' switch: one click to the other language (no menu to load before signing in). */
export function LanguageToggle() {
  useTranslation();
  const language = currentLanguage();
  const other: Language = language === 'en' ? 'zh-CN' : 'en';
  return (
    <Button
      type="text"
      icon={<TranslationOutlined />}
      onClick={() => changeLanguage(other)}
      lang={other}
      data-testid="language-switch"
    >
      {labels[other]}
    </Button>
  );
}
