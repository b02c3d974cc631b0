/** Changing one's own password and resetting a member's; merged into the app's resources under `password`. */
export const passwordZhCN = {
  change: '修改密码',
  current: '当前密码',
  currentRequired: '请输入当前密码',
  currentWrong: '当前密码不正确',
  new: '新密码',
  required: '请输入密码',
  min: '密码至少 {{min}} 位',
  max: '密码最多 {{max}} 位',
  changeHelp: '修改后，你在其他电脑和手机上的登录会退出，你的 API 令牌全部作废；这个页面保持登录。',
  confirm: '确认新密码',
  confirmRequired: '请再次输入密码',
  mismatch: '两次输入的密码不一致',
  changed: '密码已修改，其他设备上的登录已退出，API 令牌已全部作废',
  reset: '重置密码',
  resetTitle: '重置 {{name}} 的密码',
  resetIntro: '设置新密码后，{{name}} 在所有设备上的登录都会退出，需要用新密码重新登录；其 API 令牌也会全部作废。',
  resetHandOver:
    '请通过私聊等安全的方式把新密码单独告诉 {{name}}，不要发在群里，并提醒其登录后在右上角的个人菜单中修改密码。',
  generate: '生成',
  generateHelp: '生成一个 12 位的随机密码',
  resetOk: '设置新密码',
  resetDone: '已为 {{name}} 设置新密码，请记得私下告诉对方',
  signedOutNotice: '你的密码已更改，请用新密码重新登录。如果不是你本人或管理员操作的，请尽快联系管理员。',
};

export const passwordEn: typeof passwordZhCN = {
  change: 'Change password',
  current: 'Current password',
  currentRequired: 'Enter your current password',
  currentWrong: 'The current password is not correct',
  new: 'New password',
  required: 'Enter a password',
  min: 'At least {{min}} characters',
  max: 'At most {{max}} characters',
  changeHelp:
    'You will be signed out on your other computers and phones and your API tokens stop working; this page stays signed in.',
  confirm: 'Confirm new password',
  confirmRequired: 'Enter the password again',
  mismatch: 'The passwords do not match',
  changed: 'Password changed. Your other devices have been signed out and your API tokens revoked',
  reset: 'Reset password',
  resetTitle: 'Reset the password of {{name}}',
  resetIntro:
    '{{name}} will be signed out on every device and has to sign in again with the new password; their API tokens stop working.',
  resetHandOver:
    'Give the new password to {{name}} privately (a direct message, not a group chat), and ask them to change it from the menu at the top right after signing in.',
  generate: 'Generate',
  generateHelp: 'Generate a random 12-character password',
  resetOk: 'Set new password',
  resetDone: 'New password set for {{name}}. Remember to give it to them privately',
  signedOutNotice:
    'Your password was changed. Sign in with the new password. If neither you nor an admin changed it, contact an admin now.',
};
