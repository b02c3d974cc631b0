/** 设置 → 工作区; merged into the app's resources under `workspaceSettings`. */
export const workspaceSettingsZhCN = {
  title: '工作区',
  subtitle: '店铺名称和时区；修改后所有成员立即生效',
  name: '工作区名称',
  nameHelp: '显示在每位成员页面的左上方，一般填店铺名称',
  namePlaceholder: '例如：小林家旗舰店',
  nameRequired: '请输入工作区名称',
  timezone: '时区',
  timezoneHelp: '所有时间按此时区显示；未单独设置时区的渠道，营业时间也按它计算，每日报表按它划分日期',
  timezoneHelpFirstRun: '所有时间按此时区显示，营业时间也按它计算',
  readOnly: '只有所有者和管理员可以修改工作区设置',
  saved: '工作区设置已保存',
};

export const workspaceSettingsEn: typeof workspaceSettingsZhCN = {
  title: 'Workspace',
  subtitle: 'Your shop’s name and time zone; changes apply to every member at once',
  name: 'Workspace name',
  nameHelp: 'Shown at the top left of every member’s screen; usually the shop’s name',
  namePlaceholder: 'e.g. Lin Family Flagship Store',
  nameRequired: 'Enter the workspace name',
  timezone: 'Time zone',
  timezoneHelp:
    'All times are shown in this zone; channels without their own time zone use it for business hours, and daily reports split days by it',
  timezoneHelpFirstRun: 'All times are shown in this time zone, and business hours use it',
  readOnly: 'Only owners and admins can change the workspace settings',
  saved: 'Workspace settings saved',
};
