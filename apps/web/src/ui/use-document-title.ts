import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** "工作台 · 慧客" in the browser tab, so agents find the right tab among many. */
export function useDocumentTitle(title: string | undefined): void {
  const { t } = useTranslation();
  const appName = t('app.name');
  useEffect(() => {
    document.title = title ? `${title} · ${appName}` : appName;
  }, [title, appName]);
}
