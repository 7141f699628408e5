/**
 * The colors kmux draws with, by role. This is the stock skin; skins (issue 5) map K9s's
 * sections onto these roles. No color is written anywhere else.
 */
export interface Theme {
  fg: string;
  bg?: string;
  logo: string;
  infoLabel: string;
  infoValue: string;
  menuKey: string;
  menuDesc: string;
  border: string;
  borderFocus: string;
  title: string;
  titleCounter: string;
  titleFilter: string;
  tableHeader: string;
  sortMarker: string;
  cursorFg: string;
  cursorBg: string;
  mark: string;
  rowNormal: string;
  rowNew: string;
  rowModified: string;
  rowError: string;
  rowPending: string;
  rowCompleted: string;
  rowTerminating: string;
  crumbFg: string;
  crumbBg: string;
  crumbActiveBg: string;
  promptFg: string;
  promptSuggest: string;
  promptBorder: string;
  flashInfo: string;
  flashWarn: string;
  flashError: string;
  dialogFg: string;
  dialogBorder: string;
  buttonFg: string;
  buttonBg: string;
  helpSection: string;
  helpKey: string;
  yamlKey: string;
  yamlValue: string;
  healthOk: string;
  healthBad: string;
}

export const STOCK: Theme = {
  fg: '#87ceeb',
  logo: '#ffa500',
  infoLabel: '#ffa500',
  infoValue: '#ffffff',
  menuKey: '#1e90ff',
  menuDesc: '#808080',
  border: '#1e90ff',
  borderFocus: '#87ceeb',
  title: '#00ffff',
  titleCounter: '#ffefd5',
  titleFilter: '#2e8b57',
  tableHeader: '#ffffff',
  sortMarker: '#ffa500',
  cursorFg: '#000000',
  cursorBg: '#00ffff',
  mark: '#ee82ee',
  rowNormal: '#00ffff',
  rowNew: '#87cefa',
  rowModified: '#adff2f',
  rowError: '#ff4500',
  rowPending: '#ff8c00',
  rowCompleted: '#778899',
  rowTerminating: '#9370db',
  crumbFg: '#000000',
  crumbBg: '#00bfff',
  crumbActiveBg: '#ffa500',
  promptFg: '#5f9ea0',
  promptSuggest: '#1e90ff',
  promptBorder: '#5f9ea0',
  flashInfo: '#ffdead',
  flashWarn: '#ffa500',
  flashError: '#ff4500',
  dialogFg: '#1e90ff',
  dialogBorder: '#1e90ff',
  buttonFg: '#000000',
  buttonBg: '#1e90ff',
  helpSection: '#00ffff',
  helpKey: '#1e90ff',
  yamlKey: '#4682b4',
  yamlValue: '#ffefd5',
  healthOk: '#2e8b57',
  healthBad: '#ff4500',
};
