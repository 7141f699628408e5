/**
 * Drawing the frame around a screen's body and dialogs over it. A body line is a row of three
 * texts (border | content | border) so Ink measures the content on string-width's ASCII fast
 * path: a line that includes '│' would be segmented grapheme by grapheme, every frame.
 */
import React from 'react';
import { Box, Text } from 'ink';
import type { Theme } from '../../theme/theme.js';
import { clean, fit, width, wrapLines } from '../text.js';

export interface Drawing {
  /** the terminal's width */
  W: number;
  theme: Theme;
  mono: boolean;
  /** a dialog or prompt has the keys: the screen's border in frame.border.fgColor, else in focusColor (as K9s draws a focused view) */
  blurred?: boolean;
}

/** A title: plain text, or an element with its width in `data-width`. */
export type Title = string | React.ReactElement;

export function frame(d: Drawing, title: Title, body: (React.ReactElement | string)[], height: number): React.ReactElement[] {
  const { W, theme } = d;
  const border = d.blurred ? theme.border : theme.borderFocus;
  // a title never wraps the border onto a second line: long ones are cut
  if (typeof title === 'string' && width(title) > W - 4) title = `${fit(title, W - 5)} `;
  const titleW = typeof title === 'string' ? width(title) : Number((title.props as { 'data-width'?: number })['data-width'] ?? 10);
  const left = Math.max(1, Math.floor((W - 2 - titleW) / 2));
  const right = Math.max(0, W - 2 - titleW - left);
  const out: React.ReactElement[] = [
    <Text key="ft" wrap="truncate"><Text color={border}>{'┌' + '─'.repeat(left)}</Text>{typeof title === 'string' ? <Text color={theme.title} bold>{title}</Text> : title}<Text color={border}>{'─'.repeat(right) + '┐'}</Text></Text>,
  ];
  const inner = Math.max(0, height - 2);
  const bg = theme.bg || undefined;
  const edge = <Text color={border} backgroundColor={bg}>│</Text>;
  for (let i = 0; i < inner; i++) {
    const l = body[i];
    const content = l === undefined ? <Text backgroundColor={bg}>{' '.repeat(W - 2)}</Text>
      : typeof l === 'string' ? <Text color={theme.fg} backgroundColor={bg}>{fit(l, W - 2)}</Text>
        : bg && !(l.props as { backgroundColor?: string }).backgroundColor ? React.cloneElement(l as React.ReactElement<{ backgroundColor?: string }>, { backgroundColor: bg }) : l;
    out.push(<Box key={`fb${i}`} flexDirection="row" width={W} flexShrink={0}>{edge}{content}{edge}</Box>);
  }
  out.push(<Text key="fbot" color={border}>{'└' + '─'.repeat(W - 2) + '┘'}</Text>);
  return out;
}

/**
 * A dialog box over the middle of the lines: long lines wrap (a dialog shows the whole
 * context/namespace/name of what it acts on), `bold` lines stand out.
 */
export function overlay(d: Drawing, out: React.ReactElement[], title: string, body: string[], bold: number[] = []): void {
  const { W, theme } = d;
  const max = Math.max(20, W - 4);
  const want = Math.max(50, ...body.map((l) => width(clean(l)) + 4), width(title) + 8);
  const dw = Math.min(max, want);
  const lines: { text: string; bold: boolean }[] = [];
  body.forEach((l, i) => {
    for (const piece of wrapLines(clean(l), dw - 4)) lines.push({ text: piece, bold: bold.includes(i) });
  });
  const box = [
    // the padding after the title becomes border; the title keeps a space on either side
    { text: '┌' + fit(`─ ${title} `, dw - 2).replace(/ ( +)$/, (_m, pad: string) => ' ' + '─'.repeat(pad.length)) + '┐', bold: true },
    ...lines.map((l) => ({ text: '│ ' + fit(l.text, dw - 4) + ' │', bold: l.bold })),
    { text: '└' + '─'.repeat(dw - 2) + '┘', bold: false },
  ];
  const start = Math.max(1, Math.floor((out.length - box.length) / 2));
  const leftPad = Math.max(0, Math.floor((W - dw) / 2));
  box.forEach((l, i) => {
    if (start + i >= out.length) return;
    out[start + i] = <Text key={`ovl${i}`}>{' '.repeat(leftPad)}<Text color={theme.dialogFg} bold={l.bold}>{l.text}</Text>{' '.repeat(Math.max(0, W - leftPad - dw))}</Text>;
  });
}
