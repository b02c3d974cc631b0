import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setDayjsLanguage } from '../ui/time.ts';
import { en } from './en.ts';
import { zhCN } from './zh-CN.ts';

export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];

const storageKey = 'huike.language';

function readStoredLanguage(): Language {
  try {
    const stored = window.localStorage.getItem(storageKey);
    if (stored === 'en' || stored === 'zh-CN') return stored;
  } catch {
    // Storage can be unavailable (privacy mode); Chinese is the default.
  }
  return 'zh-CN';
}

const initial = readStoredLanguage();
setDayjsLanguage(initial);
document.documentElement.lang = initial;

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function changeLanguage(language: Language): void {
  try {
    window.localStorage.setItem(storageKey, language);
  } catch {
    // Not persisted; still switch for this visit.
  }
  setDayjsLanguage(language);
  document.documentElement.lang = language;
  void i18n.changeLanguage(language);
}

export const currentLanguage = (): Language => (i18n.language === 'en' ? 'en' : 'zh-CN');

export { i18n };
