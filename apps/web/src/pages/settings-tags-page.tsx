import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  EditOutlined,
  PlusOutlined,
  SubnodeOutlined,
} from '@ant-design/icons';
import { Alert, Tag as AntTag, App, Button, type ButtonProps, Card, Skeleton, Space, Table, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../api/client.ts';
import { useCan } from '../modules/identity/hooks/use-session.ts';
import type { Tag, TagDeleteConflict, TagGroup } from '../modules/tags/api/tags-api.ts';
import { TagChip } from '../modules/tags/components/tag-chip.tsx';
import { TagDrawer, TagGroupDrawer } from '../modules/tags/components/tag-drawers.tsx';
import {
  type TagCatalog,
  type TagOption,
  useDeleteTag,
  useDeleteTagGroup,
  useMoveTag,
  useMoveTagGroup,
  useTagCatalog,
} from '../modules/tags/hooks/use-tags.ts';
import { EmptyState } from '../ui/empty-state.tsx';
import { ErrorState } from '../ui/error-state.tsx';
import { errorMessage } from '../ui/errors.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useDocumentTitle } from '../ui/use-document-title.ts';

type TreeRow = TagOption & { children?: TreeRow[] };

function treeRows(catalog: TagCatalog, groupId: string, parentId: string | null): TreeRow[] {
  return catalog.childrenOf(groupId, parentId).map((tag) => {
    const children = treeRows(catalog, groupId, tag.id);
    return children.length > 0 ? { ...tag, children } : { ...tag };
  });
}

/** Renumbers siblings 0…n after moving one up or down, so positions never tie. */
function reorder<T extends { id: string; position: number }>(
  siblings: T[],
  id: string,
  step: -1 | 1,
  save: (id: string, position: number) => void,
) {
  const index = siblings.findIndex((each) => each.id === id);
  const target = index + step;
  if (index < 0 || target < 0 || target >= siblings.length) return;
  const order = [...siblings];
  [order[index], order[target]] = [order[target] as T, order[index] as T];
  order.forEach((each, position) => {
    if (each.position !== position) save(each.id, position);
  });
}

/** 标签管理: groups (状态/来源/行为/自定义, single or multi select) and their tags, nested, with colours. */
export function SettingsTagsPage() {
  const { t } = useTranslation();
  useDocumentTitle(t('tagSettings.title'));
  const { modal, message } = App.useApp();
  const can = useCan();
  const canManage = can('tags:manage');
  const { catalog, isPending, error, refetch } = useTagCatalog();
  const deleteTag = useDeleteTag();
  const deleteGroup = useDeleteTagGroup();
  const moveTag = useMoveTag();
  const moveGroup = useMoveTagGroup();
  const [groupDrawer, setGroupDrawer] = useState<{ group?: TagGroup } | null>(null);
  const [tagDrawer, setTagDrawer] = useState<{ tag?: Tag; groupId: string; parentId: string | null } | null>(null);

  /** Saved segments that test the tag block its delete (the server refuses even a forced one): name them. */
  const showUsedBySegments = (name: string, segments: TagDeleteConflict['segments']) =>
    modal.warning({
      title: t('tagSettings.usedBySegmentsTitle', { name }),
      content: (
        <div data-testid="tag-used-by-segments">
          <p>{t('tagSettings.usedBySegmentsIntro')}</p>
          <ul className="hk-usage-list">
            {segments.map((segment) => (
              <li key={segment.id}>{segment.name}</li>
            ))}
          </ul>
          <p>{t('tagSettings.usedBySegmentsHint')}</p>
        </div>
      ),
    });

  /** Asks first; if the server says the tag is in use, shows what a forced delete removes and asks again. */
  const confirmDelete = (
    what: 'tag' | 'group',
    name: string,
    remove: (force: boolean) => Promise<unknown>,
    description?: string,
  ) => {
    const done = () => void message.success(t('tagSettings.deletedDone', { name }));
    const failed = (failure: unknown) => void message.error(errorMessage(failure, t));
    modal.confirm({
      title: t(what === 'tag' ? 'tagSettings.deleteTagConfirm' : 'tagSettings.deleteGroupConfirm', { name }),
      content: description,
      okText: t('tagSettings.delete'),
      okButtonProps: { danger: true, 'data-testid': 'tag-delete-ok' } as ButtonProps,
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await remove(false);
          done();
        } catch (failure) {
          if (!(isApiError(failure) && failure.status === 409)) {
            failed(failure);
            return;
          }
          const counts = (failure.details ?? {}) as Partial<TagDeleteConflict>;
          if (counts.segments?.length) {
            showUsedBySegments(name, counts.segments);
            return;
          }
          modal.confirm({
            title: t('tagSettings.inUseTitle', { name }),
            content: (
              <div data-testid="tag-usage">
                <p>{t('tagSettings.inUseIntro')}</p>
                <ul className="hk-usage-list">
                  {what === 'group' && <li>{t('tagSettings.usageTags', { count: counts.tags ?? 0 })}</li>}
                  {(counts.children ?? 0) > 0 && (
                    <li>{t('tagSettings.usageChildren', { count: counts.children ?? 0 })}</li>
                  )}
                  <li>{t('tagSettings.usageCustomers', { count: counts.customers ?? 0 })}</li>
                  <li>{t('tagSettings.usageConversations', { count: counts.conversations ?? 0 })}</li>
                </ul>
                <p>{t('tagSettings.inUseWarning')}</p>
              </div>
            ),
            okText: t('tagSettings.deleteAnyway'),
            okButtonProps: { danger: true, 'data-testid': 'tag-delete-force' } as ButtonProps,
            cancelText: t('common.cancel'),
            onOk: () => remove(true).then(done, failed),
          });
        }
      },
    });
  };

  const groups = catalog?.groups ?? [];
  const groupDeleteDescription = (groupId: string) => {
    const count = catalog?.options.filter((option) => option.groupId === groupId).length ?? 0;
    return count > 0 ? t('tagSettings.deleteGroupDescription', { count }) : undefined;
  };
  const nextGroupPosition = groups.length === 0 ? 0 : Math.max(...groups.map((group) => group.position)) + 1;

  return (
    <div className="hk-page">
      <PageHeader
        title={t('tagSettings.title')}
        subtitle={t('tagSettings.subtitle')}
        extra={
          canManage && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setGroupDrawer({})}
              data-testid="tag-group-create"
            >
              {t('tagSettings.createGroup')}
            </Button>
          )
        }
      />
      {!canManage && <Alert type="info" showIcon title={t('tagSettings.readOnly')} style={{ marginBottom: 12 }} />}
      {isPending ? (
        <Card variant="borderless" className="hk-card">
          <Skeleton active paragraph={{ rows: 6 }} />
        </Card>
      ) : error || !catalog ? (
        <ErrorState error={error} onRetry={refetch} />
      ) : groups.length === 0 ? (
        <Card variant="borderless" className="hk-card">
          <EmptyState title={t('tagSettings.emptyTitle')} description={t('tagSettings.emptyDescription')} />
        </Card>
      ) : (
        <div className="hk-tag-settings">
          {groups.map((group, groupIndex) => (
            <Card
              key={group.id}
              variant="borderless"
              className="hk-card"
              size="small"
              data-testid="tag-group-card"
              data-group-name={group.name}
              title={
                <Space size={8}>
                  <span>{group.name}</span>
                  <AntTag className="hk-badge">{t(`tagSettings.kinds.${group.kind}`)}</AntTag>
                  <span className="hk-muted hk-small">
                    {group.selection === 'single' ? t('tags.selectionSingleHint') : t('tags.selectionMultiHint')}
                  </span>
                </Space>
              }
              extra={
                canManage && (
                  <Space size={0}>
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowUpOutlined />}
                      aria-label={t('fields.moveUp')}
                      disabled={groupIndex === 0}
                      onClick={() =>
                        reorder(groups, group.id, -1, (id, position) => moveGroup.mutate({ id, position }))
                      }
                    />
                    <Button
                      type="text"
                      size="small"
                      icon={<ArrowDownOutlined />}
                      aria-label={t('fields.moveDown')}
                      disabled={groupIndex === groups.length - 1}
                      onClick={() => reorder(groups, group.id, 1, (id, position) => moveGroup.mutate({ id, position }))}
                    />
                    <Button
                      type="link"
                      size="small"
                      icon={<PlusOutlined />}
                      onClick={() => setTagDrawer({ groupId: group.id, parentId: null })}
                      data-testid="tag-create"
                    >
                      {t('tagSettings.createTag')}
                    </Button>
                    <Button type="link" size="small" onClick={() => setGroupDrawer({ group })}>
                      {t('common.edit')}
                    </Button>
                    <Button
                      type="link"
                      size="small"
                      danger
                      onClick={() =>
                        confirmDelete(
                          'group',
                          group.name,
                          (force) => deleteGroup.mutateAsync({ id: group.id, force }),
                          groupDeleteDescription(group.id),
                        )
                      }
                    >
                      {t('tagSettings.delete')}
                    </Button>
                  </Space>
                )
              }
            >
              <Table<TreeRow>
                rowKey="id"
                size="small"
                showHeader={false}
                pagination={false}
                expandable={{ defaultExpandAllRows: true }}
                dataSource={treeRows(catalog, group.id, null)}
                locale={{ emptyText: <span className="hk-muted">{t('tagSettings.groupEmpty')}</span> }}
                onRow={(tag) => ({ className: 'hk-tag-row', 'data-testid': 'tag-row', 'data-tag-name': tag.name })}
                columns={[
                  { key: 'tag', render: (_, tag) => <TagChip tag={tag} /> },
                  ...(canManage
                    ? [
                        {
                          key: 'actions',
                          width: 220,
                          align: 'right' as const,
                          render: (_: unknown, tag: TreeRow) => {
                            const siblings = catalog.childrenOf(group.id, tag.parentId);
                            const index = siblings.findIndex((each) => each.id === tag.id);
                            const save = (id: string, position: number) => moveTag.mutate({ id, position });
                            return (
                              <Space size={0}>
                                <Button
                                  type="text"
                                  size="small"
                                  icon={<ArrowUpOutlined />}
                                  aria-label={t('fields.moveUp')}
                                  disabled={index <= 0}
                                  onClick={() => reorder(siblings, tag.id, -1, save)}
                                />
                                <Button
                                  type="text"
                                  size="small"
                                  icon={<ArrowDownOutlined />}
                                  aria-label={t('fields.moveDown')}
                                  disabled={index >= siblings.length - 1}
                                  onClick={() => reorder(siblings, tag.id, 1, save)}
                                />
                                <Tooltip title={t('tagSettings.addChild')}>
                                  <Button
                                    type="text"
                                    size="small"
                                    icon={<SubnodeOutlined />}
                                    aria-label={t('tagSettings.addChild')}
                                    onClick={() => setTagDrawer({ groupId: group.id, parentId: tag.id })}
                                  />
                                </Tooltip>
                                <Tooltip title={t('common.edit')}>
                                  <Button
                                    type="text"
                                    size="small"
                                    icon={<EditOutlined />}
                                    aria-label={t('common.edit')}
                                    onClick={() => setTagDrawer({ tag, groupId: group.id, parentId: tag.parentId })}
                                  />
                                </Tooltip>
                                <Tooltip title={t('tagSettings.delete')}>
                                  <Button
                                    type="text"
                                    size="small"
                                    danger
                                    icon={<DeleteOutlined />}
                                    aria-label={t('tagSettings.delete')}
                                    data-testid="tag-delete"
                                    onClick={() =>
                                      confirmDelete('tag', tag.name, (force) =>
                                        deleteTag.mutateAsync({ id: tag.id, force }),
                                      )
                                    }
                                  />
                                </Tooltip>
                              </Space>
                            );
                          },
                        },
                      ]
                    : []),
                ]}
              />
            </Card>
          ))}
        </div>
      )}
      <TagGroupDrawer
        open={groupDrawer !== null}
        group={groupDrawer?.group}
        nextPosition={nextGroupPosition}
        onClose={() => setGroupDrawer(null)}
      />
      <TagDrawer
        open={tagDrawer !== null}
        tag={tagDrawer?.tag}
        groupId={tagDrawer?.groupId ?? ''}
        parentId={tagDrawer?.parentId ?? null}
        catalog={catalog}
        onClose={() => setTagDrawer(null)}
      />
    </div>
  );
}
