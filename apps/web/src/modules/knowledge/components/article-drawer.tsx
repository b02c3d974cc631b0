import type { KbArticleStatus, KbLocale } from '@huike/contracts';
import { Form, Input, Radio, Select, Skeleton, Tabs } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { GuardedFormDrawer } from '../../../ui/guarded-form-drawer.tsx';
import { useArticle, useKbCategories, useSaveArticle } from '../hooks/use-knowledge.ts';
import { RichTextEditor } from './rich-text-editor.tsx';

type Values = {
  title: string;
  body: string;
  questions: string[];
  categoryId: string | null;
  status: KbArticleStatus;
  locale: KbLocale;
};

type Props = { articleId: string | null; open: boolean; onClose: () => void };

/** Create or edit an article: title, category, FAQ question variants (tags), rich text body, preview, status. */
export function ArticleDrawer({ articleId, open, onClose }: Props) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const article = useArticle(articleId);
  const categories = useKbCategories();
  const save = useSaveArticle();
  const [tab, setTab] = useState<'edit' | 'preview'>('edit');
  const body = Form.useWatch('body', form) ?? '';

  useEffect(() => {
    if (!open) return;
    save.reset();
    setTab('edit');
    if (!articleId) {
      form.setFieldsValue({
        title: '',
        body: '',
        questions: [],
        categoryId: null,
        status: 'published',
        locale: 'zh-CN',
      });
    } else if (article.data) {
      const { title, body: html, questions, categoryId, status, locale } = article.data;
      form.setFieldsValue({ title, body: html, questions, categoryId, status, locale });
    }
    // eslint-style: reset only when the drawer opens or the article arrives
  }, [open, articleId, article.data, form, save.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    await save.mutateAsync({ id: articleId, input: { ...values, questions: values.questions ?? [] } });
    onClose();
  };

  return (
    <GuardedFormDrawer
      open={open}
      size={760}
      title={articleId ? t('knowledge.editArticle') : t('knowledge.newArticle')}
      submitLabel={t('common.save')}
      submitTestId="kb-article-save"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit().catch(() => undefined)}
      onClose={onClose}
      isDirty={() => form.isFieldsTouched()}
    >
      {articleId && article.isPending ? (
        <Skeleton active />
      ) : (
        <Form form={form} layout="vertical">
          <Form.Item
            name="title"
            label={t('knowledge.articleTitle')}
            rules={[{ required: true, whitespace: true, max: 200 }]}
          >
            <Input data-testid="kb-article-title" maxLength={200} />
          </Form.Item>
          <Form.Item name="categoryId" label={t('knowledge.category')}>
            <Select
              allowClear
              placeholder={t('knowledge.uncategorised')}
              options={(categories.data ?? []).map((category) => ({ value: category.id, label: category.name }))}
            />
          </Form.Item>
          <Form.Item name="questions" label={t('knowledge.questions')} extra={t('knowledge.questionsHelp')}>
            <Select mode="tags" open={false} tokenSeparators={['\n']} data-testid="kb-article-questions" />
          </Form.Item>
          <Tabs
            activeKey={tab}
            onChange={(key) => setTab(key as 'edit' | 'preview')}
            items={[
              { key: 'edit', label: t('knowledge.body') },
              { key: 'preview', label: t('knowledge.preview') },
            ]}
          />
          <Form.Item name="body" hidden={tab !== 'edit'}>
            <RichTextEditor placeholder={t('knowledge.bodyPlaceholder')} />
          </Form.Item>
          {tab === 'preview' && (
            // The preview shows the editor's own output (TipTap only produces its schema's tags); the server
            // sanitises on save, and the help centre shows only the sanitised copy.
            // biome-ignore lint/security/noDangerouslySetInnerHtml: editor output, sanitised again by the server
            <div className="hk-kb-preview" data-testid="kb-preview" dangerouslySetInnerHTML={{ __html: body }} />
          )}
          <Form.Item name="status" label={t('knowledge.status')}>
            <Radio.Group
              options={[
                { value: 'published', label: t('knowledge.statuses.published') },
                { value: 'draft', label: t('knowledge.statuses.draft') },
              ]}
            />
          </Form.Item>
          <Form.Item name="locale" label={t('knowledge.locale')}>
            <Radio.Group
              options={[
                { value: 'zh-CN', label: '中文' },
                { value: 'en', label: 'English' },
              ]}
            />
          </Form.Item>
        </Form>
      )}
    </GuardedFormDrawer>
  );
}
