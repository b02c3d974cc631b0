import type { Role, Team, User } from '@huike/contracts';
import { App, Form, Input, Select } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from '../../../ui/form-drawer.tsx';
import { useCreateUser, useUpdateUser } from '../hooks/use-users.ts';
import { EmailField, normalizeEmail } from './email-field.tsx';
import { NewPasswordFields } from './new-password-fields.tsx';
import { RoleSelect } from './role-select.tsx';

type Values = { email: string; name: string; role: Role; password: string; teamIds: string[] };

type Props = {
  open: boolean;
  /** Editing this user; creating a new one when absent. */
  user?: User;
  teams: Team[];
  onClose: () => void;
};

/** 添加成员 / 编辑成员. */
export function UserDrawer({ open, user, teams, onClose }: Props) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const create = useCreateUser();
  const update = useUpdateUser();
  const isEditing = Boolean(user);
  const mutation = isEditing ? update : create;

  useEffect(() => {
    if (!open) return;
    create.reset();
    update.reset();
    form.resetFields();
    if (user) form.setFieldsValue({ name: user.name, role: user.role, teamIds: user.teamIds, email: user.email });
    else form.setFieldsValue({ role: 'agent', teamIds: [] });
  }, [open, user, form, create.reset, update.reset]);

  const submit = (values: Values) => {
    if (user) {
      const input =
        user.role === 'owner'
          ? { name: values.name.trim(), teamIds: values.teamIds }
          : { name: values.name.trim(), role: values.role, teamIds: values.teamIds };
      update.mutate(
        { id: user.id, input },
        {
          onSuccess: () => {
            void message.success(t('users.savedDone', { name: values.name }));
            onClose();
          },
        },
      );
    } else {
      create.mutate(
        {
          email: normalizeEmail(values.email),
          name: values.name.trim(),
          role: values.role,
          password: values.password,
          teamIds: values.teamIds,
        },
        {
          onSuccess: (created) => {
            void message.success(t('users.createdDone', { name: created.name }));
            onClose();
          },
        },
      );
    }
  };

  return (
    <FormDrawer
      open={open}
      onClose={onClose}
      size={440}
      title={isEditing ? t('users.editTitle') : t('users.addTitle')}
      submitLabel={isEditing ? t('common.save') : t('users.add')}
      submitTestId="user-submit"
      isSubmitting={mutation.isPending}
      error={mutation.isError ? mutation.error : undefined}
      onSubmit={() => form.submit()}
    >
      <Form<Values> form={form} layout="vertical" onFinish={submit} requiredMark="optional">
        <EmailField testId="user-email" placeholder="agent@shop.com" autoComplete="off" disabled={isEditing} />
        <Form.Item
          name="name"
          label={t('users.name')}
          rules={[{ required: true, whitespace: true, message: t('users.nameRequired') }, { max: 100 }]}
        >
          <Input autoComplete="off" data-testid="user-name" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} rules={[{ required: true }]}>
          {user?.role === 'owner' ? <Input disabled value={t('roles.owner')} /> : <RoleSelect withDescriptions />}
        </Form.Item>
        {!isEditing && (
          <NewPasswordFields
            name="password"
            label={t('users.initialPassword')}
            extra={t('users.initialPasswordHelp')}
            testId="user-password"
          />
        )}
        <Form.Item name="teamIds" label={t('users.teams')}>
          <Select
            mode="multiple"
            allowClear
            placeholder={teams.length ? t('users.teamsPlaceholder') : t('users.noTeamsYet')}
            options={teams.map((team) => ({ value: team.id, label: team.name }))}
            optionFilterProp="label"
          />
        </Form.Item>
      </Form>
    </FormDrawer>
  );
}
