import type { Role } from '@huike/contracts';
import { Select } from 'antd';
import { useTranslation } from 'react-i18next';

/** Roles an admin can give (there is one owner, made at setup). */
export const grantableRoles: Role[] = ['admin', 'supervisor', 'agent', 'analyst'];

type Props = {
  value?: Role;
  onChange?: (role: Role) => void;
  size?: 'small' | 'middle';
  disabled?: boolean;
  withDescriptions?: boolean;
  id?: string;
  style?: React.CSSProperties;
};

export function RoleSelect({ value, onChange, size, disabled, withDescriptions, id, style }: Props) {
  const { t } = useTranslation();
  return (
    <Select<Role>
      id={id}
      size={size}
      value={value}
      onChange={onChange}
      disabled={disabled}
      style={style}
      popupMatchSelectWidth={false}
      options={grantableRoles.map((role) => ({
        value: role,
        label: withDescriptions ? (
          <div>
            <div>{t(`roles.${role}`)}</div>
            <div className="hk-muted hk-small">{t(`roleDescriptions.${role}`)}</div>
          </div>
        ) : (
          t(`roles.${role}`)
        ),
      }))}
      labelRender={({ value: selected }) => t(`roles.${selected as Role}`)}
    />
  );
}
