import { colorForLevel, type ColorLevel } from './colors.js';

/**
 * The colors kmux draws with, by role. This is the stock skin; skins (src/theme/skin.ts) map
 * K9s's sections onto these roles. No color is written anywhere else.
 *
 * A color is `#rrggbb`, or '' for the terminal's own color (a skin's `default` or `-`): Ink
 * draws no color code for a falsy color, so `<Text color={theme.x}>` needs no special case.
 * Roles named ...Bg default to '' (the terminal's background) in the stock skin.
 * Under NO_COLOR every role is '' (see `monochrome()`): the UI must then show the cursor with
 * `inverse` and row states with `monoRowStyle(state)` (bold/underline/dim/strikethrough).
 */
export interface Theme {
  /** body text (k9s.body.fgColor). */
  fg: string;
  /** body background (k9s.body.bgColor); absent or '' = the terminal's own. */
  bg?: string;
  logo: string;
  /** plain messages beside the logo (body.logoColorMsg). */
  logoMsg: string;
  infoLabel: string;
  infoValue: string;
  /** header CPU and memory readouts, kmux's version (info.cpuColor, memColor, k9sRevColor). */
  infoCpu: string;
  infoMem: string;
  infoVersion: string;
  menuKey: string;
  /** the 0-9 favorite-namespace keys in the header menu (frame.menu.numKeyColor). */
  menuNumKey: string;
  menuDesc: string;
  border: string;
  borderFocus: string;
  title: string;
  titleBg: string;
  /** highlighted part of a title (frame.title.highlightColor). */
  titleHighlight: string;
  titleCounter: string;
  titleFilter: string;
  tableBg: string;
  tableHeader: string;
  tableHeaderBg: string;
  sortMarker: string;
  /** the column picked in the sort-column dialog (views.table.header.selectedSortColumnColor). */
  sortSelected: string;
  cursorFg: string;
  cursorBg: string;
  mark: string;
  /**
   * A row in its steady state: K9s draws these with frame.status.newColor (its "standard"
   * row color), not views.table.fgColor, which K9s draws nothing with.
   */
  rowNormal: string;
  /** frame.status.newColor, as rowNormal (other screens take it as a palette color). */
  rowNew: string;
  /** frame.status.addColor. */
  rowAdded: string;
  rowModified: string;
  rowError: string;
  rowPending: string;
  rowCompleted: string;
  /** terminating / killed (frame.status.killColor). */
  rowTerminating: string;
  /** frame.status.highlightColor (e.g. a row that just changed, search hits). */
  rowHighlight: string;
  crumbFg: string;
  crumbBg: string;
  /** the current (last) crumb's foreground; kmux extension key frame.crumbs.activeFgColor. */
  crumbActiveFg: string;
  crumbActiveBg: string;
  promptFg: string;
  promptBg: string;
  promptSuggest: string;
  /** border of the `:` command prompt (prompt.border.command). */
  promptBorder: string;
  /** border of the `/` filter prompt (prompt.border.default). */
  promptBorderFilter: string;
  flashInfo: string;
  flashWarn: string;
  flashError: string;
  dialogFg: string;
  dialogBg: string;
  /** kmux extension key dialog.borderColor; else the skin's dialog.fgColor. */
  dialogBorder: string;
  /** field labels and field values in dialogs (dialog.labelFgColor, fieldFgColor). */
  dialogLabel: string;
  dialogField: string;
  buttonFg: string;
  buttonBg: string;
  buttonFocusFg: string;
  buttonFocusBg: string;
  /** help screen text and background (help.fgColor, bgColor). */
  helpFg: string;
  helpBg: string;
  helpSection: string;
  helpKey: string;
  helpNumKey: string;
  yamlKey: string;
  /** the `:` after a key in YAML and describe (views.yaml.colonColor). */
  yamlColon: string;
  yamlValue: string;
  /** log view (views.logs). */
  logFg: string;
  logBg: string;
  logIndicatorFg: string;
  logIndicatorBg: string;
  logToggleOn: string;
  logToggleOff: string;
  /** xray tree view (views.xray). */
  xrayFg: string;
  xrayBg: string;
  xrayCursorFg: string;
  xrayCursorBg: string;
  xrayGraphic: string;
  /** container picker (views.picker). */
  pickerFg: string;
  pickerFocus: string;
  pickerShortcut: string;
  /** gauges and health: views.charts.defaultDialColors [ok, bad]. */
  healthOk: string;
  healthBad: string;
  /** the focused gauge of a dashboard (views.charts.focusFgColor, focusBgColor). */
  chartFocusFg: string;
  chartFocusBg: string;
}

export const STOCK: Theme = {
  fg: '#87ceeb',
  logo: '#ffa500',
  logoMsg: '#ffffff',
  infoLabel: '#ffa500',
  infoValue: '#ffffff',
  infoCpu: '#7cfc00',
  infoMem: '#7cfc00',
  infoVersion: '#00ffff',
  menuKey: '#1e90ff',
  menuNumKey: '#ff00ff',
  menuDesc: '#808080',
  border: '#1e90ff',
  borderFocus: '#87ceeb',
  title: '#00ffff',
  titleBg: '',
  titleHighlight: '#ff00ff',
  titleCounter: '#ffefd5',
  titleFilter: '#2e8b57',
  tableBg: '',
  tableHeader: '#ffffff',
  tableHeaderBg: '',
  sortMarker: '#ffa500',
  sortSelected: '#87cefa',
  cursorFg: '#000000',
  cursorBg: '#00ffff',
  mark: '#ee82ee',
  rowNormal: '#87cefa',
  rowNew: '#87cefa',
  rowAdded: '#1e90ff',
  rowModified: '#adff2f',
  rowError: '#ff4500',
  rowPending: '#ff8c00',
  rowCompleted: '#778899',
  rowTerminating: '#9370db',
  rowHighlight: '#00ffff',
  crumbFg: '#000000',
  crumbBg: '#00bfff',
  crumbActiveFg: '#000000',
  crumbActiveBg: '#ffa500',
  promptFg: '#5f9ea0',
  promptBg: '',
  promptSuggest: '#1e90ff',
  promptBorder: '#5f9ea0',
  promptBorderFilter: '#5f9ea0',
  flashInfo: '#ffdead',
  flashWarn: '#ffa500',
  flashError: '#ff4500',
  dialogFg: '#1e90ff',
  dialogBg: '',
  dialogBorder: '#1e90ff',
  dialogLabel: '#ffffff',
  dialogField: '#ffffff',
  buttonFg: '#000000',
  buttonBg: '#1e90ff',
  buttonFocusFg: '#000000',
  buttonFocusBg: '#ffa500',
  helpFg: '#87ceeb',
  helpBg: '',
  helpSection: '#00ffff',
  helpKey: '#1e90ff',
  helpNumKey: '#ff00ff',
  yamlKey: '#4682b4',
  yamlColon: '#87ceeb',
  yamlValue: '#ffefd5',
  logFg: '#87ceeb',
  logBg: '',
  logIndicatorFg: '#1e90ff',
  logIndicatorBg: '',
  logToggleOn: '#32cd32',
  logToggleOff: '#808080',
  xrayFg: '#00ffff',
  xrayBg: '',
  xrayCursorFg: '#000000',
  xrayCursorBg: '#1e90ff',
  xrayGraphic: '#5f9ea0',
  pickerFg: '#ffffff',
  pickerFocus: '#00ffff',
  pickerShortcut: '#00ffff',
  healthOk: '#2e8b57',
  healthBad: '#ff4500',
  chartFocusFg: '#ffffff',
  chartFocusBg: '#ffa500',
};

/** Every role's name, in declaration order (bg included). */
export const THEME_ROLES = Object.freeze(['bg', ...Object.keys(STOCK)] as (keyof Theme)[]);

/**
 * The theme for NO_COLOR (https://no-color.org): every role is '' so Ink emits no color codes.
 * The UI must keep state visible without color: draw the cursor row with `inverse`, and row
 * states, marks and flash levels with `monoRowStyle` (bold, underline, dim, strikethrough).
 */
export function monochrome(): Theme {
  const t = {} as Theme;
  for (const k of THEME_ROLES) (t as unknown as Record<string, string>)[k] = '';
  return t;
}

/** True when NO_COLOR is set to a non-empty value (the no-color.org rule). */
export function wantsNoColor(env: NodeJS.ProcessEnv = process.env): boolean {
  return typeof env.NO_COLOR === 'string' && env.NO_COLOR !== '';
}

export type RowState = 'normal' | 'steady' | 'new' | 'modified' | 'added' | 'highlight' | 'error' | 'pending' | 'completed' | 'terminating' | 'marked' | 'cursor';

/** Ink <Text> style props that stand in for a color under NO_COLOR. */
export interface MonoStyle {
  bold?: boolean;
  underline?: boolean;
  dimColor?: boolean;
  strikethrough?: boolean;
  inverse?: boolean;
  italic?: boolean;
}

const MONO: Record<RowState, MonoStyle> = {
  normal: {},
  steady: {},
  new: { bold: true },
  added: { bold: true },
  highlight: { bold: true },
  modified: { bold: true },
  error: { bold: true, underline: true },
  pending: { italic: true },
  completed: { dimColor: true },
  terminating: { dimColor: true, strikethrough: true },
  marked: { underline: true },
  cursor: { inverse: true },
};

/** How a row state (or the cursor, or a mark) shows without color; spread it onto <Text>. */
export function monoRowStyle(state: string | undefined): MonoStyle {
  return MONO[(state ?? 'normal') as RowState] ?? MONO.normal;
}

/**
 * The theme as a terminal of the given depth should get it: at level 3 unchanged, at level 2
 * every hex becomes `ansi256(N)` with the nearest palette index, at level 1 a basic color name
 * (nearest of 16), at level 0 `monochrome()`. Ink would downsample hex itself, but chalk rounds
 * each channel rather than taking the nearest color; this gives the nearest.
 */
export function adaptTheme(t: Theme, level: ColorLevel): Theme {
  if (level === 3) return t;
  if (level === 0) return monochrome();
  const out = {} as Record<string, string>;
  for (const k of THEME_ROLES) out[k] = colorForLevel(t[k], level);
  return out as unknown as Theme;
}

/** A handful of roles that show a skin's character, for the :skins preview swatches. */
export const PREVIEW_ROLES: readonly (keyof Theme)[] = [
  'fg', 'logo', 'title', 'border', 'tableHeader', 'rowNormal', 'rowNew', 'rowModified', 'rowError', 'rowPending',
  'rowCompleted', 'rowTerminating', 'cursorBg', 'crumbBg', 'crumbActiveBg', 'menuKey', 'yamlKey', 'yamlValue',
];
