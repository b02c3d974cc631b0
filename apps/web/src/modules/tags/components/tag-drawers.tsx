import { type TagGroupKind, type TagGroupSelection, tagGroupKinds } from '@huike/contracts';
import { App, ColorPicker, Form, Input, Radio, Select, TreeSelect } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import type { Tag, TagGroup } from '../api/tags-api.ts';
import { type TagCatalog, useSaveTag, useSaveTagGroup } from '../hooks/use-tags.ts';

export const tagPalette = [
  '#f5222d',
  '#fa541c',
  '#fa8c16',
  '#faad14',
  '#52c41a',
  '#13c2c2',
  '#1677ff',
  '#2f54eb',
  '#722ed1',
  '#eb2f96',
  '#8c8c8c',
];

type GroupValues = { name: string; kind: TagGroupKind; selection: TagGroupSelection };

export function TagGroupDrawer({
  open,
  group,
  nextPosition,
  onClose,
}: {
  open: boolean;
  group: TagGroup | undefined;
  nextPosition: number;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<GroupValues>();
  const save = useSaveTagGroup();
  useEffect(() => {
    if (!open) return;
    save.reset();
    form.setFieldsValue(
      group
        ? { name: group.name, kind: group.kind, selection: group.selection }
        : { name: '', kind: 'custom', selection: 'multi' },
    );
  }, [open, group, form, save.reset]);

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    save.mutate(
      { id: group?.id, input: { ...values, name: values.name.trim(), ...(group ? {} : { position: nextPosition }) } },
      {
        onSuccess: () => {
          void message.success(t('tagSettings.groupSaved', { name: values.name.trim() }));
          onClose();
        },
      },
    );
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={440}
      title={group ? t('tagSettings.editGroup') : t('tagSettings.createGroup')}
      submitLabel={group ? t('common.save') : t('tagSettings.createGroup')}
      submitTestId="tag-group-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
    >
      <Form<GroupValues> form={form} layout="vertical">
        <Form.Item
          name="name"
          label={t('tagSettings.groupName')}
          rules={[{ required: true, whitespace: true, message: t('tagSettings.nameRequired') }]}
        >
          <Input maxLength={40} placeholder={t('tagSettings.groupNamePlaceholder')} data-testid="tag-group-name" />
        </Form.Item>
        <Form.Item name="kind" label={t('tagSettings.kind')}>
          <Select options={tagGroupKinds.map((value) => ({ value, label: t(`tagSettings.kinds.${value}`) }))} />
        </Form.Item>
        <Form.Item name="selection" label={t('tagSettings.selection')}>
          <Radio.Group
            options={[
              { value: 'multi', label: t('tagSettings.selectionMulti') },
              { value: 'single', label: t('tagSettings.selectionSingle') },
            ]}
          />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}

type TagValues = { name: string; color: string; parentId: string | null };

export function TagDrawer({
  open,
  tag,
  groupId,
  parentId,
  catalog,
  onClose,
}: {
  open: boolean;
  tag: Tag | undefined;
  groupId: string;
  parentId: string | null;
  catalog: TagCatalog | undefined;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TagValues>();
  const save = useSaveTag();
  useEffect(() => {
    if (!open) return;
    save.reset();
    form.setFieldsValue(
      tag
        ? { name: tag.name, color: tag.color, parentId: tag.parentId }
        : { name: '', color: tagPalette[6] as string, parentId },
    );
  }, [open, tag, parentId, form, save.reset]);

  // A tag cannot sit under itself or one of its own descendants.
  const blocked = new Set<string>();
  if (tag && catalog) {
    const stack = [tag.id];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      blocked.add(id);
      for (const child of catalog.childrenOf(groupId, id)) stack.push(child.id);
    }
  }
  type TreeNode = { value: string; title: string; disabled: boolean; children: TreeNode[] };
  const treeOf = (parent: string | null): TreeNode[] =>
    (catalog?.childrenOf(groupId, parent) ?? []).map((each) => ({
      value: each.id,
      title: each.name,
      disabled: blocked.has(each.id),
      children: treeOf(each.id),
    }));

  const submit = async () => {
    // A rejected validation is already shown under its field.
    const values = await form.validateFields().catch(() => null);
    if (!values) return;
    const siblings = catalog?.childrenOf(groupId, values.parentId ?? null) ?? [];
    save.mutate(
      {
        id: tag?.id,
        input: {
          groupId,
          name: values.name.trim(),
          color: values.color,
          parentId: values.parentId ?? null,
          ...(tag ? {} : { position: siblings.length === 0 ? 0 : Math.max(...siblings.map((s) => s.position)) + 1 }),
        },
      },
      {
        onSuccess: () => {
          void message.success(t('tagSettings.tagSaved', { name: values.name.trim() }));
          onClose();
        },
      },
    );
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={440}
      title={tag ? t('tagSettings.editTag') : t('tagSettings.createTag')}
      submitLabel={tag ? t('common.save') : t('tagSettings.createTag')}
      submitTestId="tag-submit"
      isSubmitting={save.isPending}
      error={save.error}
      onSubmit={() => void submit()}
    >
      <Form<TagValues> form={form} layout="vertical">
        <Form.Item
          name="name"
          label={t('tagSettings.tagName')}
          rules={[{ required: true, whitespace: true, message: t('tagSettings.nameRequired') }]}
        >
          <Input maxLength={40} placeholder={t('tagSettings.tagNamePlaceholder')} data-testid="tag-name" />
        </Form.Item>
        <Form.Item name="parentId" label={t('tagSettings.parent')} extra={t('tagSettings.parentHelp')}>
          <TreeSelect
            allowClear
            treeDefaultExpandAll
            placeholder={t('tagSettings.parentNone')}
            treeData={treeOf(null)}
          />
        </Form.Item>
        <Form.Item
          name="color"
          label={t('tagSettings.color')}
          getValueFromEvent={(color: { toHexString: () => string }) => color.toHexString()}
        >
          <ColorPicker
            disabledAlpha
            showText
            presets={[{ label: t('tagSettings.presetColors'), colors: tagPalette }]}
          />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
